/**
 * Regression tests for defects the second adversarial review found; each
 * replays the input that showed the defect.
 */

import assert from "node:assert/strict";
import { serve } from "../src/fetch/serve.ts";
import { Router } from "../src/app/router.ts";
import { Connection } from "../src/server/connection.ts";
import { Metrics } from "../src/server/metrics.ts";
import { Pool } from "../src/server/pool.ts";
import { defaultConfig } from "../src/program/settings.ts";
import { bytes, idleEventStream, Latch, RawClient, startServer } from "./fixtures/harness.ts";

const LOCAL = { hostname: "127.0.0.1", port: 0 } as const;
const enc = new TextEncoder();

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
          c.enqueue(enc.encode("hello "));
          c.enqueue(new Uint8Array(0));
          c.enqueue(enc.encode("world"));
          await later.promise;
          c.enqueue(enc.encode("!"));
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

Deno.test("HEAD to an async-generator body answers at once, without waiting for the generator (was: waited for its first yield)", async () => {
  const latch = new Latch();
  const router = new Router().get("/events", () => ({
    status: 200,
    headers: { "Content-Type": "text/plain" },
    body: (async function* () {
      await latch.wait();
      yield enc.encode("late");
    })(),
  }));
  await using s = startServer({}, router);
  using client = await RawClient.connect(s.port);
  await client.write("HEAD /events HTTP/1.1\r\nHost: t\r\n\r\n");
  const res = await client.response(true); // arrives while the generator still waits
  assert.equal(res.status, 200);
  latch.open();
});

Deno.test("a producer that reuses its buffer still sends each chunk as it was (was: chunks aliased)", async () => {
  const shared = new Uint8Array(6);
  const router = new Router().get("/words", () => ({
    status: 200,
    body: (async function* () {
      for (const word of ["alpha\n", "bravo\n", "charl\n"]) {
        shared.set(enc.encode(word));
        yield shared;
      }
    })(),
  }));
  await using s = startServer({}, router);
  const res = await fetch(`http://127.0.0.1:${s.port}/words`);
  assert.equal(await res.text(), "alpha\nbravo\ncharl\n");
});

Deno.test("the answer to a request whose body the handler ignores is sent before the body is drained (was: held until drained)", async () => {
  await using server = serve(LOCAL, () => new Response("denied", { status: 401 }));
  using client = await RawClient.connect(server.addr.port);
  await client.write("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
  const res = await client.response(); // before the rest of the body was sent
  assert.equal(res.status, 401);
  await client.write("defghij");
  await client.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
  assert.equal((await client.response()).body, "denied"); // drained, then the next request
});

Deno.test("a client that pipelines and never reads: no more is read while a write is stuck (was: unbounded queue)", async () => {
  let reads = 0;
  const closed = Promise.withResolvers<number | null>();
  const stuck = Promise.withResolvers<number>();
  stuck.promise.catch(() => {});
  const socket = {
    read(p: Uint8Array) {
      // Two requests, one per read; then the client would send forever.
      if (++reads > 2) return closed.promise;
      const b = bytes("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
      p.set(b);
      return Promise.resolve(b.length);
    },
    // The client never reads, so a write never completes, until the socket
    // closes and fails it (as a real socket does).
    write: (_p: Uint8Array) => stuck.promise,
    closeWrite: () => Promise.resolve(),
    close() {
      closed.resolve(null);
      stuck.reject(new Deno.errors.BadResource("closed"));
    },
  };
  const config = defaultConfig();
  const connection = new Connection(socket, { hostname: "t", port: 1 }, {
    limits: { ...config, writeTimeoutMs: 60_000 },
    router: new Router().get("/", () => ({ status: 200, body: "x".repeat(1000) })),
    pool: new Pool(2, 2),
    metrics: new Metrics(),
    draining: () => false,
  });
  const serving = connection.serve();
  // One macrotask turn lets every pending microtask run: all that the loop
  // can do without the stuck write completing, it has done by then.
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(reads, 2, "the server went on reading while its answers piled up unwritten");
  connection.close();
  await serving;
});

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
