/**
 * `serve()` as a drop-in for `Deno.serve`: its signatures, its options, the
 * fetch contract (streams both ways, signal, completed), and a real Hono app
 * answering the same as on `Deno.serve`.
 */

import assert from "node:assert/strict";
import { Hono } from "hono";
import { fetchHandler } from "../../src/fetch/adapter.ts";
import { serve } from "../../src/fetch/serve.ts";
import { FALLBACK_ROUTE, Router } from "../../src/app/router.ts";
import { healthHandler } from "../../src/handlers/health.ts";
import { idleEventStream, Latch, notServing, RawClient } from "../fixtures/harness.ts";
import { capturingLogs } from "../fixtures/logs.ts";
import { makeRequest } from "../fixtures/request.ts";

const LOCAL = { hostname: "127.0.0.1", port: 0 } as const;
const encoder = new TextEncoder();

Deno.test("serve(options, handler), serve({ ...options, handler }) and serve(handler) all serve", async () => {
  const handler = () => new Response("hi");
  {
    await using server = serve(LOCAL, handler);
    assert.equal(await (await fetch(`http://127.0.0.1:${server.addr.port}/`)).text(), "hi");
  }
  {
    await using server = serve({ ...LOCAL, handler });
    assert.equal(await (await fetch(`http://127.0.0.1:${server.addr.port}/`)).text(), "hi");
  }
  // serve(handler) takes Deno.serve's defaults: 0.0.0.0:8000.
  let server;
  try {
    server = serve(handler);
  } catch (error) {
    assert.ok(error instanceof Deno.errors.AddrInUse, String(error)); // 8000 taken on this machine
    return;
  }
  try {
    assert.equal(server.addr.port, 8000);
    assert.equal(server.addr.hostname, "0.0.0.0");
  } finally {
    await server.shutdown();
  }
});

Deno.test("serve() calls onListen with the address, and an aborted signal shuts it down", async () => {
  const controller = new AbortController();
  let listened: Deno.NetAddr | null = null;
  const server = serve({
    ...LOCAL,
    signal: controller.signal,
    onListen: (addr) => listened = addr,
  }, () => new Response("x"));
  assert.deepEqual(listened, server.addr);
  controller.abort();
  await server.finished;
  assert.ok(await notServing(server.addr.port));
});

Deno.test("serve() answers with onError's response when the handler throws", async () => {
  const errors: unknown[] = [];
  await using server = serve({
    ...LOCAL,
    onError: (error) => {
      errors.push(error);
      return new Response("custom failure", { status: 500, headers: { "x-custom": "1" } });
    },
  }, () => {
    throw new Error("broken");
  });
  const res = await fetch(`http://127.0.0.1:${server.addr.port}/`);
  assert.equal(res.status, 500);
  assert.equal(res.headers.get("x-custom"), "1");
  assert.equal(await res.text(), "custom failure");
  assert.equal((errors[0] as Error).message, "broken");
});

Deno.test("serve() without onError answers a bare 500 and hides the error", async () => {
  await using server = serve(LOCAL, () => {
    throw new Error("secret");
  });
  const res = await fetch(`http://127.0.0.1:${server.addr.port}/`);
  assert.equal(res.status, 500);
  assert.equal(await res.text(), "Internal Server Error");
});

Deno.test("the handler gets the URL, headers, remoteAddr, and a completed promise that resolves", async () => {
  const seen = Promise.withResolvers<{ url: string; agent: string | null; remote: Deno.NetAddr }>();
  const completed = Promise.withResolvers<Promise<void>>();
  await using server = serve(LOCAL, (req, info) => {
    seen.resolve({ url: req.url, agent: req.headers.get("x-agent"), remote: info.remoteAddr });
    completed.resolve(info.completed);
    return new Response("ok");
  });
  const res = await fetch(`http://127.0.0.1:${server.addr.port}/p?q=1`, {
    headers: { "x-agent": "test" },
  });
  assert.equal(await res.text(), "ok");
  const { url, agent, remote } = await seen.promise;
  assert.equal(url, `http://127.0.0.1:${server.addr.port}/p?q=1`);
  assert.equal(agent, "test");
  assert.equal(remote.hostname, "127.0.0.1");
  assert.equal(remote.transport, "tcp");
  await (await completed.promise); // resolves once the response was written
});

Deno.test("an echo handler returns the request body for every method that has one", async () => {
  await using server = serve(LOCAL, (req) => new Response(req.body));
  const url = `http://127.0.0.1:${server.addr.port}/`;
  for (const method of ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
    const res = await fetch(url, { method, body: `body of ${method}` });
    assert.equal(await res.text(), `body of ${method}`, method);
  }
  const big = "x".repeat(300_000); // several socket reads, streamed through
  const res = await fetch(url, { method: "POST", body: big });
  assert.equal((await res.text()).length, big.length);
  // GET carries no body in the fetch API: the echo is empty, and the connection
  // still works because the server read past the body.
  using client = await RawClient.connect(server.addr.port);
  await client.write("GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc");
  assert.equal((await client.response()).body, "");
  await client.write("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok");
  assert.equal((await client.response()).body, "ok");
});

Deno.test("a streamed request body respects MAX_BODY_BYTES: 413, even mid-stream", async () => {
  await using server = serve(
    { ...LOCAL, maxBodyBytes: 10 },
    async (req) => new Response(String((await req.arrayBuffer()).byteLength)),
  );
  using client = await RawClient.connect(server.addr.port);
  await client.write(
    "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n",
  );
  const res = await client.response();
  assert.equal(res.status, 413);
  assert.equal(res.headers.get("connection"), "close");
});

Deno.test("a response stream never sent, the request body being refused, is cancelled", async () => {
  const cancelled = Promise.withResolvers<void>();
  await using server = serve({ ...LOCAL, maxBodyBytes: 10 }, async (req) => {
    await req.arrayBuffer().catch(() => null); // the handler goes on without the body
    return idleEventStream("data: one\n\n", cancelled);
  });
  using client = await RawClient.connect(server.addr.port);
  await client.write(
    "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n",
  );
  assert.equal((await client.response()).status, 413);
  await cancelled.promise; // reached only if the connection cancelled the stream it did not send
});

Deno.test("fetchHandler hands back the Response's own stream; serve() answers with its bytes", async () => {
  // serve() collects a ready body into shared slab memory, which must never
  // reach user code: the public fetchHandler leaves the body a stream.
  const response = await fetchHandler(() => new Response("hello"))(makeRequest("GET", "/"));
  assert.ok(response.body instanceof ReadableStream);
  await using server = serve(LOCAL, () => new Response("hello"));
  const res = await fetch(`http://127.0.0.1:${server.addr.port}/`);
  assert.equal(res.headers.get("content-length"), "5");
  assert.equal(await res.text(), "hello");
});

Deno.test("a streaming response reaches the client chunk by chunk, as produced", async () => {
  const next = [Promise.withResolvers<void>(), Promise.withResolvers<void>()];
  await using server = serve(LOCAL, () => {
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(encoder.encode("data: one\n\n"));
        await next[0]!.promise; // the test reads the first event before the second exists
        controller.enqueue(encoder.encode("data: two\n\n"));
        await next[1]!.promise;
        controller.close();
      },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  });
  const res = await fetch(`http://127.0.0.1:${server.addr.port}/`);
  assert.equal(res.headers.get("content-type"), "text/event-stream");
  assert.equal(res.headers.get("content-length"), null);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  assert.equal((await reader.read()).value, "data: one\n\n");
  next[0]!.resolve();
  assert.equal((await reader.read()).value, "data: two\n\n");
  next[1]!.resolve();
  assert.equal((await reader.read()).done, true);
});

Deno.test("request.signal aborts when the client disconnects mid-request", async () => {
  const aborted = Promise.withResolvers<unknown>();
  const started = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();
  await using server = serve(LOCAL, async (req) => {
    req.signal.addEventListener("abort", () => aborted.resolve(req.signal.reason));
    started.resolve();
    await release.promise;
    return new Response("too late");
  });
  const client = await RawClient.connect(server.addr.port);
  await client.write("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
  await started.promise;
  client.close();
  const reason = await aborted.promise;
  assert.ok(reason instanceof DOMException && reason.name === "AbortError");
  release.resolve();
});

Deno.test("shutdown() with a stream open: the stream is cut at SHUTDOWN_TIMEOUT and finished resolves", async () => {
  const aborted = Promise.withResolvers<void>();
  const server = serve({ ...LOCAL, shutdownTimeoutMs: 50 }, (req) => {
    req.signal.addEventListener("abort", () => aborted.resolve());
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode("data: first\n\n")); // then nothing, ever
        req.signal.addEventListener("abort", () => controller.close());
      },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  });
  const res = await fetch(`http://127.0.0.1:${server.addr.port}/`);
  const reader = res.body!.getReader();
  assert.ok((await reader.read()).value!.length > 0);
  await server.shutdown();
  await aborted.promise; // the handler's signal told it the connection is gone
  await assert.rejects(async () => {
    while (!(await reader.read()).done) { /* until the cut */ }
    throw new Error("stream ended cleanly");
  });
  await server.finished;
});

Deno.test("fixed bodies get Content-Length and their content types", async () => {
  const form = new FormData();
  form.set("a", "1");
  const bodies: Record<string, () => Response> = {
    "/text": () => new Response("hello"),
    "/bytes": () => new Response(new Uint8Array([1, 2, 3])),
    "/blob": () => new Response(new Blob(["blob!"], { type: "text/x-blob" })),
    "/form": () => new Response(form),
    "/params": () => new Response(new URLSearchParams({ a: "1", b: "2" })),
    "/json": () => Response.json({ ok: true }),
    "/empty": () => new Response(null, { status: 204 }),
  };
  await using server = serve(LOCAL, (req) => bodies[new URL(req.url).pathname]!());
  const base = `http://127.0.0.1:${server.addr.port}`;
  const expect: Array<[string, string | null, number | null]> = [
    ["/text", "text/plain;charset=UTF-8", 5],
    ["/bytes", null, 3],
    ["/blob", "text/x-blob", 5],
    ["/form", "multipart/form-data", null],
    ["/params", "application/x-www-form-urlencoded;charset=UTF-8", 7],
    ["/json", "application/json", 11],
  ];
  for (const [path, type, length] of expect) {
    const res = await fetch(base + path);
    const body = await res.arrayBuffer();
    if (type !== null) assert.ok(res.headers.get("content-type")!.startsWith(type), path);
    assert.equal(res.headers.get("transfer-encoding"), null, path);
    assert.equal(Number(res.headers.get("content-length")), body.byteLength, path);
    if (length !== null) assert.equal(body.byteLength, length, path);
  }
  const empty = await fetch(base + "/empty");
  assert.equal(empty.status, 204);
  assert.equal(empty.headers.get("content-length"), null);
});

Deno.test("Set-Cookie headers stay separate fields", async () => {
  await using server = serve(LOCAL, () => {
    const headers = new Headers();
    headers.append("set-cookie", "a=1; Path=/");
    headers.append("set-cookie", "b=2; Path=/");
    return new Response("c", { headers });
  });
  const res = await fetch(`http://127.0.0.1:${server.addr.port}/`);
  await res.body?.cancel();
  assert.deepEqual(res.headers.getSetCookie(), ["a=1; Path=/", "b=2; Path=/"]);
});

Deno.test("rawhttp routes mount in front of a fetch handler: /health from rawhttp, the rest from the app", async () => {
  const routes = new Router().get("/health", healthHandler(performance.now()), {
    metered: false,
    pooled: false,
  });
  await using server = serve(
    { ...LOCAL, routes },
    (req) => new Response(`app: ${new URL(req.url).pathname}`),
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  assert.equal((await (await fetch(`${base}/health`)).json()).status, "ok");
  assert.equal(await (await fetch(`${base}/anything`)).text(), "app: /anything");
  // The app's requests count under one row: serve() cannot see the app's own routes.
  assert.deepEqual(server.server.metrics.snapshot().requests_by_path, { [FALLBACK_ROUTE]: 1 });
});

Deno.test("HEAD to a fetch handler gets its headers without the body", async () => {
  await using server = serve(LOCAL, () => new Response("a body", { headers: { "x-h": "1" } }));
  using client = await RawClient.connect(server.addr.port);
  await client.write("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n");
  const head = await client.response(true);
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("x-h"), "1");
  assert.equal(head.headers.get("content-length"), "6");
  await client.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
  assert.equal((await client.response()).body, "a body");
});

Deno.test("a URL the fetch handler could not be given is 400 with a fixed text; a valid one arrives normalised", async () => {
  let calls = 0;
  await using server = serve(LOCAL, (req) => {
    calls++;
    return new Response(req.url);
  });
  for (
    const [request, text] of [
      ["GET / HTTP/1.1\r\nHost: a%zz\r\n\r\n", "Bad Request: malformed Host header"],
      ["GET http://a%zz/ HTTP/1.1\r\nHost: a\r\n\r\n", "Bad Request: malformed request target"],
    ] as const
  ) {
    using client = await RawClient.connect(server.addr.port);
    await client.write(request);
    const res = await client.response();
    assert.equal(res.status, 400);
    assert.equal(res.body.trim(), text);
  }
  assert.equal(calls, 0);
  using client = await RawClient.connect(server.addr.port);
  await client.write("GET /a/../b HTTP/1.1\r\nHost: Example.COM\r\n\r\n");
  assert.equal((await client.response()).body, "http://example.com/b");
});

// ---------------------------------------------------------------------------
// A real Hono app, the same on Deno.serve and on rawhttp's serve().

function honoApp(): Hono {
  const app = new Hono();
  app.use("*", async (c, next) => {
    await next();
    c.header("x-middleware", "ran");
  });
  app.get("/", (c) => c.text("Hello Hono!"));
  app.get("/users/:id", (c) => c.json({ id: c.req.param("id"), q: c.req.query("q") ?? null }));
  app.post("/echo", async (c) => c.json({ received: await c.req.json() }, 201));
  app.get("/html", (c) => c.html("<h1>hi</h1>"));
  return app;
}

Deno.test("a Hono app answers the same on serve() as on Deno.serve", async () => {
  const app = honoApp();
  const ours = serve(LOCAL, app.fetch);
  const theirs = Deno.serve({ ...LOCAL, onListen: () => {} }, app.fetch);
  try {
    const requests: Array<[string, RequestInit]> = [
      ["/", {}],
      ["/users/42?q=x", {}],
      ["/echo", {
        method: "POST",
        body: JSON.stringify({ a: [1, 2] }),
        headers: { "content-type": "application/json" },
      }],
      ["/html", {}],
      ["/missing", {}],
      ["/", { method: "DELETE" }],
    ];
    for (const [path, init] of requests) {
      const a = await fetch(`http://127.0.0.1:${ours.addr.port}${path}`, init);
      const b = await fetch(`http://127.0.0.1:${theirs.addr.port}${path}`, init);
      const what = `${init.method ?? "GET"} ${path}`;
      assert.equal(a.status, b.status, what);
      assert.equal(await a.text(), await b.text(), what);
      for (const name of ["content-type", "content-length", "x-middleware"]) {
        assert.equal(a.headers.get(name), b.headers.get(name), `${what}: ${name}`);
      }
    }
  } finally {
    await ours.shutdown();
    await theirs.shutdown();
  }
});

Deno.test("unref() lets a program exit while the server listens; ref() keeps it alive", async () => {
  const mod = new URL("../../mod.ts", import.meta.url).href;
  const config = new URL("../../deno.json", import.meta.url).pathname;
  const program = (call: string) =>
    `import { serve } from "${mod}";
     const server = serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response("x"));
     ${call}
     console.log("end of program");`;
  const run = (code: string) => {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--config", config, code],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    return child;
  };
  // unref(): nothing else keeps the event loop alive, so the process ends by itself.
  const unrefed = await run(program("server.unref();")).output();
  assert.equal(unrefed.code, 0, new TextDecoder().decode(unrefed.stderr));
  assert.match(new TextDecoder().decode(unrefed.stdout), /end of program/);
  // ref() after unref(): still serving when we look, so we stop it ourselves.
  const refed = run(
    program(
      "server.unref(); server.ref(); await fetch(`http://127.0.0.1:${server.addr.port}/`).then((r) => r.text()); console.log('served');",
    ),
  );
  const reader = refed.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("served")) seen += (await reader.read()).value ?? "";
  refed.kill("SIGKILL");
  const status = await refed.status;
  assert.equal(status.signal, "SIGKILL"); // it had not exited on its own
  await reader.cancel();
  await refed.stderr.cancel();
});

// Regression: a streaming handler held its pool permit while it waited for
// its body, so a handful of slowly sent uploads stopped every other request.
Deno.test("a handler waiting for a slowly sent body holds no worker: other requests are answered meanwhile", async () => {
  const reading = Promise.withResolvers<void>();
  await using server = serve({ ...LOCAL, numWorkers: 1, maxQueue: 0 }, async (req) => {
    if (req.method !== "POST") return new Response("fast");
    reading.resolve();
    return new Response(String((await req.arrayBuffer()).byteLength));
  });
  using upload = await RawClient.connect(server.addr.port);
  await upload.write("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0");
  await reading.promise; // the upload's handler runs and waits for nine more bytes
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`http://127.0.0.1:${server.addr.port}/fast`);
    assert.equal(res.status, 200, "the one permit is not held by the waiting upload");
    assert.equal(await res.text(), "fast");
  }
  await upload.write("123456789");
  const res = await upload.response();
  assert.equal(res.status, 200);
  assert.equal(res.body, "10");
  assert.equal(server.server.pool.active, 0);
});

Deno.test("a native handler's non-native thenable is adopted, not refused with 500", async () => {
  const router = new Router().get("/later", () =>
    ({
      then(resolve: (r: unknown) => void) {
        resolve({ status: 200, body: "later" });
      },
    }) as unknown as Promise<{ status: 200; body: string }>);
  await using server = serve({ ...LOCAL, routes: router }, () => new Response("app"));
  const res = await fetch(`http://127.0.0.1:${server.addr.port}/later`);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "later");
  assert.equal(server.server.pool.active, 0);
});

Deno.test("two servers sharing one routes object each answer with their own fetch handler", async () => {
  const routes = new Router().get("/health", healthHandler(performance.now()));
  await using one = serve({ ...LOCAL, routes }, () => new Response("one"));
  await using two = serve({ ...LOCAL, routes }, () => new Response("two"));
  assert.equal(await (await fetch(`http://127.0.0.1:${one.addr.port}/x`)).text(), "one");
  assert.equal(await (await fetch(`http://127.0.0.1:${two.addr.port}/x`)).text(), "two");
});

// Regression: the listener stayed on the signal after the server ended, so a
// long-lived signal kept every server it was ever given reachable.
Deno.test("serve() removes its abort listener from the signal when the server ends another way", async () => {
  const controller = new AbortController();
  const signal = controller.signal;
  const listeners = new Set<unknown>();
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = (type: string, listener: unknown, options?: unknown) => {
    listeners.add(listener);
    add(type, listener as EventListener, options as AddEventListenerOptions);
  };
  signal.removeEventListener = (type: string, listener: unknown, options?: unknown) => {
    listeners.delete(listener);
    remove(type, listener as EventListener, options as EventListenerOptions);
  };
  const server = serve({ ...LOCAL, signal }, () => new Response("x"));
  assert.equal(listeners.size, 1);
  await server.shutdown();
  await server.finished;
  assert.equal(listeners.size, 0);
});

// Regression: a client that cut its upload short made the default onError
// log "fetch handler threw" at error level, as if the app had a bug.
Deno.test("a body the client cuts short is answered 400 and logged as the client's doing, not as a handler error", async () => {
  await capturingLogs("debug", async (records) => {
    await using server = serve(LOCAL, async (req) => {
      return new Response(String((await req.arrayBuffer()).byteLength));
    });
    using client = await RawClient.connect(server.addr.port);
    await client.write("POST /u HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
    await client.conn.closeWrite(); // the body ends early
    const res = await client.response();
    assert.equal(res.status, 400);
    assert.match(res.body, /body ended early/);
    const errors = records.filter((r) => r.level === "error" || r.level === "fatal");
    assert.deepEqual(errors.map((r) => r.message.join("")), []);
    const refused = records.find((r) => r.properties.reason === "incomplete_body");
    assert.ok(refused !== undefined, "the refusal is logged with its reason");
  });
});

Deno.test("serve() refuses an option it does not act on, or options that cannot go together, before listening", () => {
  const handler = () => new Response("x");
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ port: 0, cert: "C", key: "K" }, /cert must be a PEM string/],
    [{ port: 0, cert: "-----BEGIN CERTIFICATE-----" }, /TLS needs both cert and key/],
    [{ path: "/tmp/x.sock", port: 0 }, /port is for TCP and cannot go with a Unix socket path/],
    [{ transport: "unix" }, /transport "unix" needs a path/],
    [{ transport: "vsock", cid: 3, port: 0 }, /unsupported option "cid" \(VSOCK is not supported/],
    [
      { port: 0, automaticCompression: true },
      /"automaticCompression" \(responses are not compressed/,
    ],
    [{ port: 0, maxBodyByte: 10 }, /unsupported option "maxBodyByte"/],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => serve(options as never, handler), TypeError);
    assert.throws(() => serve({ ...options, handler } as never), message);
  }
  const tcp = serve(
    { port: 0, hostname: "127.0.0.1", transport: "tcp", onListen() {} } as never,
    handler,
  );
  // undefined counts as not given, and every real option is accepted
  const server = serve(
    {
      port: 0,
      hostname: "127.0.0.1",
      cert: undefined,
      automaticCompression: false,
      maxBodyBytes: 10,
      onListen() {},
    } as never,
    handler,
  );
  return Promise.all([tcp.shutdown(), server.shutdown()]).then(() => {});
});

Deno.test("an echo handler fed a malformed chunked body: 400 and close, the body is never parsed as a request (was: smuggling)", async () => {
  const seen: string[] = [];
  await using server = serve(LOCAL, (req) => {
    seen.push(`${req.method} ${new URL(req.url).pathname}`);
    return new Response(req.body);
  });
  using client = await RawClient.connect(server.addr.port);
  await client.write(
    "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
      "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
  );
  const res = await client.response();
  assert.equal(res.status, 400);
  assert.equal(res.headers.get("connection"), "close");
  assert.ok(await client.closedByServer());
  assert.deepEqual(seen, ["POST /echo"]);
});

Deno.test("an empty chunk among the first chunks does not end a chunked response early (was: desync)", async () => {
  const later = Promise.withResolvers<void>();
  await using server = serve(LOCAL, () =>
    new Response(
      new ReadableStream<Uint8Array>({
        async start(c) {
          c.enqueue(encoder.encode("hello "));
          c.enqueue(new Uint8Array(0));
          c.enqueue(encoder.encode("world"));
          await later.promise;
          c.enqueue(encoder.encode("!"));
          c.close();
        },
      }),
    ));
  const res = await fetch(`http://127.0.0.1:${server.addr.port}/`);
  later.resolve();
  assert.equal(await res.text(), "hello world!");
});

Deno.test("a client leaving an idle event stream closes the connection and cancels the stream (was: leaked in CLOSE-WAIT)", async () => {
  const cancelled = Promise.withResolvers<void>();
  await using server = serve(LOCAL, () => idleEventStream("data: first\n\n", cancelled));
  const client = await RawClient.connect(server.addr.port);
  await client.write("GET /events HTTP/1.1\r\nHost: t\r\n\r\n");
  const head = await readUntil(client.conn, "data: first");
  assert.match(head, /Transfer-Encoding: chunked/);
  client.close();
  await cancelled.promise; // the connection closed first, then cancelled the stream
  assert.equal(server.server.metrics.connections().open, 0);
});

Deno.test("info.completed rejects when the response cannot be delivered (was: never settled)", async () => {
  const latch = new Latch();
  const completed = Promise.withResolvers<{ promise: Promise<void> }>();
  await using server = serve(LOCAL, async (_req, info) => {
    completed.resolve({ promise: info.completed });
    await latch.wait();
    return new Response(new Uint8Array(500_000));
  });
  const client = await RawClient.connect(server.addr.port);
  await client.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
  await latch.arrived(1);
  client.close();
  latch.open();
  await assert.rejects((await completed.promise).promise, Deno.errors.Interrupted);
});

/** Reads from `conn` until `marker` has come (or the end). */
async function readUntil(conn: Deno.Conn, marker: string): Promise<string> {
  let text = "";
  const buf = new Uint8Array(4096);
  while (!text.includes(marker)) {
    const n = await conn.read(buf);
    if (n === null) break;
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
  return text;
}
