/**
 * The connection loop over real sockets: keep-alive, pipelining, bodies,
 * refusals, timeouts and limits.
 */

import assert from "node:assert/strict";
import { bytes, exchange, RawClient, startServer } from "../fixtures/harness.ts";
import { REJECTIONS } from "../../src/protocol/rejections.ts";
import { Connection, type ConnectionContext, type Socket } from "../../src/server/connection.ts";
import { Metrics } from "../../src/server/metrics.ts";
import { Pool } from "../../src/server/pool.ts";
import { defaultConfig } from "../../src/program/settings.ts";
import { testRouter } from "../fixtures/harness.ts";
import { Router } from "../../src/app/router.ts";
import { text } from "../../src/app/response.ts";

const GET = (path: string, extra = "") => `GET ${path} HTTP/1.1\r\nHost: t\r\n${extra}\r\n`;

Deno.test("a GET gets 200 with Content-Length, Date, Server and keep-alive", async () => {
  await using s = startServer();
  const res = await exchange(s.port, GET("/"));
  assert.equal(res.status, 200);
  assert.equal(res.reason, "OK");
  assert.equal(res.body, "home");
  assert.equal(res.headers.get("content-length"), "4");
  assert.equal(res.headers.get("server"), "rawhttp");
  assert.equal(res.headers.get("connection"), "keep-alive");
  assert.match(res.headers.get("date")!, /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
});

Deno.test("an unknown path gets 404 and a known path with another method 405 with Allow", async () => {
  await using s = startServer();
  const missing = await exchange(s.port, GET("/missing"));
  assert.equal(missing.status, 404);
  const wrong = await exchange(s.port, `DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n`);
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get("allow"), "GET, HEAD");
});

Deno.test("HEAD gets the GET headers and no body, and the connection stays usable", async () => {
  await using s = startServer();
  using c = await RawClient.connect(s.port);
  await c.write(`HEAD /hello?x=1 HTTP/1.1\r\nHost: t\r\n\r\n`);
  const head = await c.response(true);
  assert.equal(head.status, 200);
  const get = await (async () => {
    await c.write(GET("/hello?x=1"));
    return await c.response();
  })();
  // Had the HEAD response carried a body, these bytes would be read as the next status line.
  assert.equal(get.status, 200);
  assert.equal(head.headers.get("content-length"), get.headers.get("content-length"));
  assert.equal(head.headers.get("content-type"), get.headers.get("content-type"));
  assert.deepEqual(JSON.parse(get.body), { path: "/hello", query: "x=1" });
});

Deno.test("a handler that throws gets 500 with a generic body that hides the error", async () => {
  await using s = startServer();
  using c = await RawClient.connect(s.port);
  await c.write(GET("/throw"));
  const res = await c.response();
  assert.equal(res.status, 500);
  assert.equal(res.body, REJECTIONS.handler_error.text + "\n");
  assert.ok(!res.body.includes("secret"));
  // Framing was fine, so the connection carries on.
  await c.write(GET("/"));
  assert.equal((await c.response()).status, 200);
});

Deno.test("a handler's header value with CRLF gets 500, not a split response", async () => {
  await using s = startServer();
  const res = await exchange(s.port, GET("/bad-header"));
  assert.equal(res.status, 500);
  assert.equal(res.headers.get("injected"), undefined);
});

Deno.test("a malformed request gets 400, Connection: close, and the socket closes", async () => {
  await using s = startServer();
  using c = await RawClient.connect(s.port);
  await c.write("GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n");
  const res = await c.response();
  assert.equal(res.status, 400);
  assert.equal(res.headers.get("connection"), "close");
  assert.equal(res.body, REJECTIONS.space_before_colon.text + "\n");
  assert.ok(await c.closedByServer());
});

Deno.test("refusals answer their own status, and never echo the input", async () => {
  await using s = startServer({ maxRequestLineBytes: 100, maxHeadBytes: 300, maxHeaderCount: 3 });
  const cases: Array<[string, number]> = [
    ["get / HTTP/1.1\r\nHost: t\r\n\r\n", 501],
    ["GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505],
    ["GET / HTTP/1.1\r\n\r\n", 400], // no Host
    [`GET /${"a".repeat(120)} HTTP/1.1\r\nHost: t\r\n\r\n`, 414],
    [`GET / HTTP/1.1\r\nHost: t\r\nX: ${"b".repeat(300)}\r\n\r\n`, 431],
    ["GET / HTTP/1.1\r\nHost: t\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 431],
    [
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
      400,
    ],
    ["POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501],
    ["GET /%zz HTTP/1.1\r\nHost: t\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\nHost: t\r\nExpect: magic\r\n\r\n", 417],
    ["\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400], // a TLS ClientHello
  ];
  for (const [request, status] of cases) {
    const res = await exchange(s.port, request);
    assert.equal(res.status, status, JSON.stringify(request));
    assert.equal(res.headers.get("connection"), "close");
    assert.ok(!res.body.includes("aaaa") && !res.body.includes("bbbb"));
  }
});

Deno.test("keep-alive: several requests on one connection, and Connection: close honoured", async () => {
  await using s = startServer();
  using c = await RawClient.connect(s.port);
  for (let i = 0; i < 5; i++) {
    await c.write(GET(`/hello?i=${i}`));
    const res = await c.response();
    assert.equal(JSON.parse(res.body).query, `i=${i}`);
    assert.equal(res.headers.get("connection"), "keep-alive");
  }
  await c.write(GET("/", "Connection: close\r\n"));
  const last = await c.response();
  assert.equal(last.status, 200);
  assert.equal(last.headers.get("connection"), "close");
  assert.ok(await c.closedByServer());
});

Deno.test("a handler's Connection: close ends the connection after its response", async () => {
  await using s = startServer();
  using c = await RawClient.connect(s.port);
  await c.write(GET("/close"));
  const res = await c.response();
  assert.equal(res.body, "bye");
  assert.equal(res.headers.get("connection"), "close");
  assert.ok(await c.closedByServer());
});

Deno.test("HTTP/1.0 closes by default, and keeps alive when it asks", async () => {
  await using s = startServer();
  {
    using c = await RawClient.connect(s.port);
    await c.write("GET / HTTP/1.0\r\n\r\n");
    const res = await c.response();
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("connection"), "close");
    assert.ok(await c.closedByServer());
  }
  using c = await RawClient.connect(s.port);
  await c.write("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  assert.equal((await c.response()).headers.get("connection"), "keep-alive");
  await c.write("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  assert.equal((await c.response()).status, 200);
});

Deno.test("pipelined requests in one write are answered in order", async () => {
  await using s = startServer();
  using c = await RawClient.connect(s.port);
  const paths = ["/hello?n=1", "/hello?n=2", "/missing", "/hello?n=3"];
  await c.write(paths.map((p) => GET(p)).join(""));
  const got = [];
  for (const _ of paths) got.push(await c.response());
  assert.deepEqual(got.map((r) => r.status), [200, 200, 404, 200]);
  assert.deepEqual(
    got.filter((r) => r.status === 200).map((r) => JSON.parse(r.body).query),
    ["n=1", "n=2", "n=3"],
  );
});

Deno.test("a POST body by Content-Length reaches the handler, bodies split across writes too", async () => {
  await using s = startServer();
  using c = await RawClient.connect(s.port);
  await c.write("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello");
  await c.write(" world");
  const res = await c.response();
  assert.equal(res.body, "hello world");
  // The next request right after the body is parsed as a request, not as body.
  await c.write(
    "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nokGET / HTTP/1.1\r\nHost: t\r\n\r\n",
  );
  assert.equal((await c.response()).body, "ok");
  assert.equal((await c.response()).body, "home");
});

Deno.test("a chunked body with extensions and trailers is decoded", async () => {
  await using s = startServer();
  using c = await RawClient.connect(s.port);
  await c.write(
    "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
      "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n",
  );
  const res = await c.response();
  assert.equal(res.status, 200);
  assert.equal(res.body, "hello world");
  await c.write(GET("/"));
  assert.equal((await c.response()).body, "home");
});

Deno.test("MAX_BODY_BYTES: a body just below and at the limit is served, one byte over gets 413", async () => {
  const limit = 1000;
  await using s = startServer({ maxBodyBytes: limit });
  for (const size of [limit - 1, limit]) {
    const res = await exchange(
      s.port,
      `POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: ${size}\r\n\r\n${"x".repeat(size)}`,
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-body-length"), String(size));
  }
  const over = await exchange(
    s.port,
    `POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: ${limit + 1}\r\n\r\n${
      "x".repeat(limit + 1)
    }`,
  );
  assert.equal(over.status, 413);
  // Chunked: the same limit, refused at the chunk-size line.
  const chunkedAt = await exchange(
    s.port,
    `POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n${limit.toString(16)}\r\n${
      "y".repeat(limit)
    }\r\n0\r\n\r\n`,
  );
  assert.equal(chunkedAt.status, 200);
  const chunkedOver = await exchange(
    s.port,
    `POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n${
      (limit + 1).toString(16)
    }\r\n`,
  );
  assert.equal(chunkedOver.status, 413);
});

Deno.test("Expect: 100-continue gets 100 before the body, and 413 without 100 when too large", async () => {
  await using s = startServer({ maxBodyBytes: 10 });
  using c = await RawClient.connect(s.port);
  await c.write(
    "PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n",
  );
  const interim = await c.response();
  assert.equal(interim.status, 100);
  await c.write("data");
  const res = await c.response();
  assert.equal(res.status, 200);
  assert.equal(res.body, "data");
  const tooBig = await exchange(
    s.port,
    "PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n",
  );
  assert.equal(tooBig.status, 413);
});

Deno.test("204 from a handler carries neither body nor Content-Length", async () => {
  await using s = startServer();
  using c = await RawClient.connect(s.port);
  await c.write(GET("/no-content") + GET("/"));
  const res = await c.response();
  assert.equal(res.status, 204);
  assert.equal(res.headers.get("content-length"), undefined);
  assert.equal((await c.response()).body, "home");
});

Deno.test("CLIENT_TIMEOUT: silence closes without a response, a partial head gets 408", async () => {
  await using s = startServer({ clientTimeoutMs: 150 });
  {
    using c = await RawClient.connect(s.port);
    assert.equal(await c.readAll(), "");
  }
  using c = await RawClient.connect(s.port);
  await c.write("GET / HTTP/1.1\r\nHost:");
  const res = await c.response();
  assert.equal(res.status, 408);
  assert.ok(await c.closedByServer());
});

Deno.test("CLIENT_TIMEOUT bounds the whole head, so a byte at a time cannot hold it open", async () => {
  await using s = startServer({ clientTimeoutMs: 300 });
  using c = await RawClient.connect(s.port);
  const request = GET("/");
  const started = Date.now();
  let status = 0;
  const reader = c.response().then((r) => status = r.status);
  // Trickle the head one byte per write; the deadline ends it midway.
  for (const b of request) {
    if (status !== 0) break;
    try {
      await c.write(b);
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, 40)); // the slowloris pace under test, not a sync
  }
  await reader;
  assert.equal(status, 408);
  assert.ok(Date.now() - started < 300 + 2000);
});

Deno.test("IDLE_TIMEOUT closes a kept-alive connection that sends nothing more", async () => {
  await using s = startServer({ idleTimeoutMs: 100, clientTimeoutMs: 10_000 });
  using c = await RawClient.connect(s.port);
  await c.write(GET("/"));
  assert.equal((await c.response()).status, 200);
  assert.ok(await c.closedByServer()); // would hang past the test's patience without the timeout
});

Deno.test("IDLE_TIMEOUT: empty lines sent between requests hold a connection at most about twice the timeout", async () => {
  await using s = startServer({ idleTimeoutMs: 200, clientTimeoutMs: 10_000 });
  using c = await RawClient.connect(s.port);
  await c.write(GET("/"));
  assert.equal((await c.response()).status, 200);
  const started = performance.now();
  let open = true;
  const closed = c.closedByServer().finally(() => (open = false));
  // Leading empty lines are ignored (RFC 9112 §2.2) and do not start a request.
  while (open && performance.now() - started < 3_000) {
    try {
      await c.write("\r\n");
    } catch {
      break; // closed under our write
    }
    await new Promise((r) => setTimeout(r, 40)); // the drip under test, not a sync
  }
  assert.ok(await closed);
  const heldMs = performance.now() - started;
  assert.ok(heldMs >= 200, `closed after ${heldMs.toFixed(0)} ms, before IDLE_TIMEOUT`);
  assert.ok(heldMs < 2 * 200 + 1_000, `held ${heldMs.toFixed(0)} ms by empty lines`);
});

Deno.test("shutdown closes a kept-alive connection waiting for its next request at once, not at SHUTDOWN_TIMEOUT", async () => {
  const s = startServer({ shutdownTimeoutMs: 60_000, idleTimeoutMs: 60_000 });
  using c = await RawClient.connect(s.port);
  await c.write(GET("/"));
  assert.equal((await c.response()).status, 200);
  const started = Date.now();
  const stopped = s.server.shutdown();
  assert.ok(await c.closedByServer());
  assert.equal(c.wasReset, false, "a clean close, not a reset");
  await stopped;
  // Only a connection not known to be idle waits for the 60 s deadline.
  assert.ok(Date.now() - started < 10_000, `shutdown took ${Date.now() - started} ms`);
});

Deno.test("BODY_TIMEOUT: a body that stops arriving gets 408", async () => {
  await using s = startServer({ bodyTimeoutMs: 150 });
  using c = await RawClient.connect(s.port);
  await c.write("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
  const res = await c.response();
  assert.equal(res.status, 408);
  assert.equal(res.body, REJECTIONS.body_timeout.text + "\n");
});

Deno.test("MAX_REQUESTS_PER_CONNECTION: the last allowed response says close", async () => {
  await using s = startServer({ maxRequestsPerConnection: 2 });
  using c = await RawClient.connect(s.port);
  await c.write(GET("/"));
  assert.equal((await c.response()).headers.get("connection"), "keep-alive");
  await c.write(GET("/"));
  assert.equal((await c.response()).headers.get("connection"), "close");
  assert.ok(await c.closedByServer());
});

Deno.test("a client that vanishes mid-request does not disturb other connections", async () => {
  await using s = startServer();
  const gone = await RawClient.connect(s.port);
  await gone.write("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc");
  gone.close();
  const res = await exchange(s.port, GET("/"));
  assert.equal(res.status, 200);
});

// ---------------------------------------------------------------------------
// With a fake socket: what a network cannot show, such as how many writes.

class FakeSocket implements Socket {
  readonly writes: Uint8Array[] = [];
  #input: Uint8Array[];
  #pendingEnd = Promise.withResolvers<number | null>();
  #waiting = Promise.withResolvers<void>();
  /** Resolves when a read finds no input left and waits. */
  readonly readWaiting: Promise<void> = this.#waiting.promise;
  closed = false;
  constructor(...input: string[]) {
    this.#input = input.map(bytes);
  }
  /** What the connection did to the socket, in order: "wait" (a read found no input), "closeWrite", "close". */
  readonly events: string[] = [];
  read(p: Uint8Array): Promise<number | null> {
    const next = this.#input.shift();
    if (next === undefined) {
      this.events.push("wait");
      this.#waiting.resolve();
      return this.#pendingEnd.promise; // waits until closed
    }
    p.set(next);
    return Promise.resolve(next.length);
  }
  write(p: Uint8Array): Promise<number> {
    this.writes.push(p.slice());
    return Promise.resolve(p.length);
  }
  /** Whether the connection half-closed (sent FIN) before closing. */
  halfClosed = false;
  /** The client closes its side when it sees ours close, as real clients do: reads end. */
  closeWrite(): Promise<void> {
    this.events.push("closeWrite");
    this.halfClosed = true;
    this.#pendingEnd.resolve(null);
    return Promise.resolve();
  }
  close(): void {
    this.events.push("close");
    this.closed = true;
    this.#pendingEnd.resolve(null);
  }
}

/** A {@link FakeSocket} whose writes finish only when released: a client that reads slowly. */
class SlowReaderSocket extends FakeSocket {
  readonly #release = Promise.withResolvers<void>();
  readonly #started = Promise.withResolvers<void>();
  /** Resolves when the first write begins. */
  readonly writeStarted: Promise<void> = this.#started.promise;
  override write(p: Uint8Array): Promise<number> {
    const written = super.write(p);
    this.#started.resolve();
    return this.#release.promise.then(() => written);
  }
  releaseWrites(): void {
    this.#release.resolve();
  }
}

function fakeContext(): ConnectionContext {
  const config = defaultConfig();
  return {
    limits: { ...config, idleTimeoutMs: 50, clientTimeoutMs: 50 },
    router: testRouter(),
    pool: new Pool(2, 2),
    metrics: new Metrics(),
    draining: () => false,
  };
}

Deno.test("a kept-alive response that ends after shutdown began ends its connection, lingering instead of waiting for a request", async () => {
  let draining = false;
  const router = testRouter().get("/stream", () => ({
    status: 200,
    body: (async function* () {
      draining = true; // shutdown begins after the answer said keep-alive
      yield bytes("done");
    })(),
  }));
  const socket = new FakeSocket(GET("/stream"));
  const ctx = { ...fakeContext(), router, draining: () => draining };
  const served = new Connection(socket, { hostname: "test", port: 1 }, ctx).serve();
  const outcome = await Promise.race([
    served.then(() => "ended"),
    // A read after a half-close only discards (the client may have sent its
    // next request already): the close lingers so it cannot reset the answer.
    socket.readWaiting.then(() => socket.halfClosed ? "lingers" : "waits for a next request"),
  ]);
  socket.close();
  await served;
  assert.equal(outcome, "lingers");
  const wire = new TextDecoder().decode(socket.writes.at(-1));
  assert.match(wire, /connection: keep-alive/i);
  assert.ok(wire.endsWith("done"));
});

Deno.test("IDLE_TIMEOUT lets a response still being written finish before it closes the connection", async () => {
  const socket = new SlowReaderSocket(GET("/"));
  const served = new Connection(socket, { hostname: "test", port: 1 }, fakeContext()).serve();
  await socket.writeStarted;
  await socket.readWaiting; // the idle wait for a next request has begun
  // IDLE_TIMEOUT (50 ms here) passes several times over while the write is held.
  await new Promise((r) => setTimeout(r, 300)); // the time under test, not a sync
  assert.equal(socket.closed, false, "closing now would cut the response off");
  socket.releaseWrites();
  await served; // ends once the write is done (it would wait forever without the timeout)
  assert.ok(socket.closed);
  assert.match(new TextDecoder().decode(socket.writes[0]), /^HTTP\/1\.1 200 OK\r\n/);
});

Deno.test("pipelined responses go out in a single write", async () => {
  const socket = new FakeSocket(GET("/") + GET("/hello") + GET("/missing"));
  await new Connection(socket, { hostname: "test", port: 1 }, fakeContext()).serve();
  assert.equal(socket.writes.length, 1);
  const text = new TextDecoder().decode(socket.writes[0]);
  assert.equal(text.match(/HTTP\/1\.1 /g)?.length, 3);
  assert.ok(text.indexOf("200 OK") < text.indexOf("404 Not Found"));
  assert.ok(socket.closed);
});

Deno.test("a head split across many reads is served once complete", async () => {
  const request = GET("/hello?split=1");
  const pieces = [...request]; // one byte per read
  const socket = new FakeSocket(...pieces);
  await new Connection(socket, { hostname: "test", port: 1 }, fakeContext()).serve();
  const text = new TextDecoder().decode(socket.writes[0]);
  assert.ok(text.startsWith("HTTP/1.1 200 OK\r\n"));
  assert.ok(text.endsWith('{"path":"/hello","query":"split=1"}'));
});

Deno.test("OPTIONS * gets 204 with the server's methods; * with GET gets 400", async () => {
  await using s = startServer();
  const options = await exchange(s.port, "OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n");
  assert.equal(options.status, 204);
  assert.equal(options.headers.get("allow"), "GET, HEAD, POST, PUT");
  const get = await exchange(s.port, "GET * HTTP/1.1\r\nHost: t\r\n\r\n");
  assert.equal(get.status, 400);
});

Deno.test("a handler's interim status, undefined result or number body gets 500, never a desync", async () => {
  const router = testRouter()
    // deno-lint-ignore no-explicit-any
    .get("/interim", () => ({ status: 100 }) as any)
    // deno-lint-ignore no-explicit-any
    .get("/nothing", () => undefined as any)
    // deno-lint-ignore no-explicit-any
    .get("/number-body", () => ({ status: 200, body: 12345 }) as any);
  await using s = startServer({}, router);
  using c = await RawClient.connect(s.port);
  // Pipelined: each must get exactly one final answer, in order.
  await c.write(GET("/interim") + GET("/nothing") + GET("/number-body") + GET("/"));
  for (const _ of [1, 2, 3]) {
    const res = await c.response();
    assert.equal(res.status, 500);
  }
  assert.equal((await c.response()).body, "home");
});

Deno.test("a connection that has not sent its first request is not idle, and is served while draining (regression: shutdown closed it unanswered)", async () => {
  const socket = new FakeSocket(GET("/"));
  const ctx = { ...fakeContext(), draining: () => true };
  const connection = new Connection(socket, { hostname: "test", port: 1 }, ctx);
  assert.equal(connection.idle, false); // shutdown must not close it
  await connection.serve();
  const text = new TextDecoder().decode(socket.writes[0]);
  assert.ok(text.startsWith("HTTP/1.1 200 OK\r\n"));
  assert.match(text, /Connection: close\r\n/);
});

Deno.test("WRITE_TIMEOUT: a client that stops reading is dropped; one that reads gets it all", async () => {
  const size = 32 * 1024 * 1024; // more than loopback socket buffers hold
  const big = new Uint8Array(size);
  const router = testRouter().get("/big", () => ({ status: 200, body: big }));
  // 1 s: far more than a prompt reader needs for 32 MiB on loopback, even under load.
  await using s = startServer({ writeTimeoutMs: 1000 }, router);
  {
    using reader = await RawClient.connect(s.port);
    await reader.write(GET("/big"));
    assert.equal((await reader.response()).bodyBytes.length, size); // reads promptly: served whole
  }
  using stalled = await RawClient.connect(s.port);
  await stalled.write(GET("/big"));
  // Stalling is the behaviour under test, not a synchronisation.
  await new Promise((r) => setTimeout(r, 1500));
  const got = await stalled.readAll();
  assert.ok(got.length < size, "the server kept writing to a client that did not read");
});

// Regression: shutdown closed an idle kept-alive connection outright, so a
// request the client sent that moment was answered with a reset.
Deno.test("drain() ends an idle kept-alive connection by half-closing first, then reading until the client closes", async () => {
  const socket = new FakeSocket(GET("/"));
  const ctx = { ...fakeContext(), limits: { ...fakeContext().limits, idleTimeoutMs: 60_000 } };
  const connection = new Connection(socket, { hostname: "test", port: 1 }, ctx);
  const served = connection.serve();
  await socket.readWaiting; // answered, and waiting for the next request
  assert.equal(connection.idle, true);
  connection.drain();
  await served;
  // Waits for a request, half-closes, reads until the client's end, closes.
  assert.deepEqual(socket.events, ["wait", "closeWrite", "wait", "close"]);
  const text = new TextDecoder().decode(socket.writes[0]);
  assert.ok(text.startsWith("HTTP/1.1 200 OK\r\n"));
});

Deno.test("drain() leaves a connection that is not idle alone: it is served, then closes", async () => {
  const socket = new FakeSocket(GET("/"));
  let draining = false;
  const ctx = { ...fakeContext(), draining: () => draining };
  const connection = new Connection(socket, { hostname: "test", port: 1 }, ctx);
  draining = true;
  connection.drain(); // no request read yet: not idle
  await connection.serve();
  const text = new TextDecoder().decode(socket.writes[0]);
  assert.match(text, /Connection: close\r\n/);
});

Deno.test("the answer to a request whose body the handler ignores is sent before the body is drained (regression: held until drained)", async () => {
  const router = new Router().post("/upload", () => text("denied", { status: 401 }), {
    body: "stream",
  });
  await using s = startServer({}, router);
  using client = await RawClient.connect(s.port);
  await client.write("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
  const res = await client.response(); // before the rest of the body was sent
  assert.equal(res.status, 401);
  await client.write("defghij");
  await client.write("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
  assert.equal((await client.response()).body, "denied"); // drained, then the next request
});

Deno.test("a route's own maxBodyBytes: just below and at it are read, just above is 413; other routes keep the server's", async () => {
  const echoLength = (req: { body: Uint8Array }) => text(String(req.body.length));
  const router = new Router()
    .post("/small", echoLength, { maxBodyBytes: 10 })
    .post("/big", echoLength);
  await using s = startServer({ maxBodyBytes: 100 }, router);
  const post = (path: string, n: number) =>
    exchange(
      s.port,
      `POST ${path} HTTP/1.1\r\nHost: a\r\nContent-Length: ${n}\r\nConnection: close\r\n\r\n${
        "x".repeat(n)
      }`,
    );
  assert.equal((await post("/small", 9)).status, 200);
  assert.equal((await post("/small", 10)).status, 200);
  assert.equal((await post("/small", 11)).status, 413);
  assert.equal((await post("/big", 100)).status, 200);
  assert.equal((await post("/big", 101)).status, 413);
});
