/**
 * The server as a whole over real sockets: the bounded pool seen from outside,
 * the connection cap, and graceful shutdown. Handlers wait on latches the test
 * opens, so nothing here depends on a clock.
 */

import assert from "node:assert/strict";
import { exchange, Latch, notServing, RawClient, startServer } from "../fixtures/harness.ts";
import { Router } from "../../src/app/router.ts";
import { Server } from "../../src/server/server.ts";
import { json, text } from "../../src/app/response.ts";
import { Pool } from "../../src/server/pool.ts";
import { Metrics } from "../../src/server/metrics.ts";
import { metricsHandler } from "../../src/handlers/metrics.ts";

const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: t\r\n\r\n`;

/** A router whose /wait/:n handlers block on latch n, plus unpooled /metrics. */
function latchedRouter(latches: Latch[], pool: Pool, metrics: Metrics): Router {
  return new Router()
    .get("/wait/:n", async (req) => {
      await latches[Number(req.params.n)]!.wait();
      return text(`done ${req.params.n}`);
    })
    .get("/fast", () => text("fast"))
    .get("/metrics", metricsHandler({ startedAt: 0, pool, metrics }), {
      metered: false,
      pooled: false,
    });
}

async function poolReport(port: number) {
  const res = await exchange(port, GET("/metrics"));
  return JSON.parse(res.body).pool;
}

Deno.test("the pool runs NUM_WORKERS handlers at once, queues the next, and runs it when one finishes", async () => {
  const latches = [new Latch(), new Latch(), new Latch()];
  const pool = new Pool(2, 5);
  const metrics = new Metrics();
  await using s = startServer({ pool, metrics }, latchedRouter(latches, pool, metrics));
  const clients = await Promise.all(latches.map(() => RawClient.connect(s.port)));
  try {
    await clients[0]!.write(GET("/wait/0"));
    await clients[1]!.write(GET("/wait/1"));
    await latches[0]!.arrived(1);
    await latches[1]!.arrived(1);
    await clients[2]!.write(GET("/wait/2"));
    // The third is parsed and waits for a permit; /metrics bypasses the pool and says so.
    let report = await poolReport(s.port);
    while (report.queue_depth === 0) report = await poolReport(s.port); // until the head is parsed
    assert.deepEqual(report, {
      total_workers: 2,
      active_workers: 2,
      idle_workers: 0,
      queue_depth: 1,
    });
    // Another connection is still accepted and served where no permit is needed.
    const health = await exchange(s.port, GET("/metrics"));
    assert.equal(health.status, 200);

    latches[0]!.open();
    assert.equal((await clients[0]!.response()).body, "done 0");
    await latches[2]!.arrived(1); // the queued handler got the freed permit
    assert.deepEqual(await poolReport(s.port), {
      total_workers: 2,
      active_workers: 2,
      idle_workers: 0,
      queue_depth: 0,
    });
    latches[1]!.open();
    latches[2]!.open();
    assert.equal((await clients[1]!.response()).body, "done 1");
    assert.equal((await clients[2]!.response()).body, "done 2");
    assert.equal((await poolReport(s.port)).active_workers, 0);
  } finally {
    for (const latch of latches) latch.open();
    for (const c of clients) c.close();
  }
});

Deno.test("with every permit taken and the queue full, a request gets 503 with Retry-After", async () => {
  const latches = [new Latch(), new Latch()];
  const pool = new Pool(1, 1);
  const metrics = new Metrics();
  await using s = startServer({ pool, metrics }, latchedRouter(latches, pool, metrics));
  const a = await RawClient.connect(s.port);
  const b = await RawClient.connect(s.port);
  try {
    await a.write(GET("/wait/0"));
    await latches[0]!.arrived(1);
    await b.write(GET("/wait/1"));
    while ((await poolReport(s.port)).queue_depth === 0) { /* until b's head is parsed */ }
    const shed = await exchange(s.port, GET("/fast"));
    assert.equal(shed.status, 503);
    assert.equal(shed.headers.get("retry-after"), "1");
    assert.equal(shed.headers.get("connection"), "close");
  } finally {
    latches[0]!.open();
    latches[1]!.open();
    assert.equal((await a.response()).status, 200);
    assert.equal((await b.response()).status, 200);
    a.close();
    b.close();
  }
});

Deno.test("a pooled handler gives its permit back however it ends, sync or async", async () => {
  // One permit and no queue: a permit kept by any request would refuse the next with 503.
  const pool = new Pool(1, 0);
  const metrics = new Metrics();
  const router = new Router()
    .get("/sync", () => text("sync"))
    .get("/async", async () => {
      await null;
      return text("async");
    })
    .get("/throws", () => {
      throw new Error("boom");
    })
    .get("/rejects", async () => {
      await null;
      throw new Error("boom");
    })
    // deno-lint-ignore no-explicit-any
    .get("/not-a-response", () => 42 as any)
    // deno-lint-ignore no-explicit-any
    .get("/async-not-a-response", () => Promise.resolve(42 as any));
  await using s = startServer({ pool, metrics }, router);
  using c = await RawClient.connect(s.port);
  const expected: Array<[string, number]> = [
    ["/sync", 200],
    ["/throws", 500],
    ["/async", 200],
    ["/rejects", 500],
    ["/not-a-response", 500],
    ["/async-not-a-response", 500],
    ["/sync", 200],
  ];
  for (const [path, status] of expected) {
    await c.write(GET(path));
    assert.equal((await c.response()).status, status, path);
    assert.equal(pool.active, 0, `the permit of ${path} is back`);
  }
});

Deno.test("MAX_CONNECTIONS: at the cap a new connection gets 503 and is closed; below it, served", async () => {
  await using s = startServer({ maxConnections: 2 });
  using first = await RawClient.connect(s.port);
  await first.write(GET("/"));
  assert.equal((await first.response()).status, 200); // 1 open: below the cap
  using second = await RawClient.connect(s.port);
  await second.write(GET("/"));
  assert.equal((await second.response()).status, 200); // 2 open: at the cap
  using third = await RawClient.connect(s.port);
  const refused = await third.response(); // over the cap: answered without a request
  assert.equal(refused.status, 503);
  assert.ok(await third.closedByServer());
  assert.equal(s.server.metrics.connections().refused, 1);
});

Deno.test("shutdown() closes idle connections at once and stops accepting", async () => {
  const s = startServer();
  using idle = await RawClient.connect(s.port);
  await idle.write(GET("/"));
  assert.equal((await idle.response()).status, 200);
  const stopped = s.server.shutdown();
  assert.ok(await idle.closedByServer());
  assert.equal(idle.wasReset, false, "a clean close, not a reset");
  assert.ok(await notServing(s.port));
  await stopped;
  await s.server.finished;
});

Deno.test("shutdown() lets a request in flight finish, with Connection: close", async () => {
  const latch = new Latch();
  const pool = new Pool(2, 2);
  const metrics = new Metrics();
  const s = startServer({ pool, metrics }, latchedRouter([latch], pool, metrics));
  using busy = await RawClient.connect(s.port);
  await busy.write(GET("/wait/0"));
  await latch.arrived(1);
  const stopped = s.server.shutdown();
  assert.ok(await notServing(s.port));
  latch.open();
  const res = await busy.response();
  assert.equal(res.status, 200);
  assert.equal(res.body, "done 0");
  assert.equal(res.headers.get("connection"), "close");
  assert.ok(await busy.closedByServer());
  assert.equal(busy.wasReset, false);
  await stopped;
});

Deno.test("shutdown() answers a request still running near SHUTDOWN_TIMEOUT with 503, then closes", async () => {
  const latch = new Latch();
  const pool = new Pool(1, 1);
  const metrics = new Metrics();
  const s = startServer(
    { pool, metrics, shutdownTimeoutMs: 50 },
    latchedRouter([latch], pool, metrics),
  );
  using stuck = await RawClient.connect(s.port);
  await stuck.write(GET("/wait/0"));
  await latch.arrived(1);
  await s.server.shutdown(); // resolves although the handler never returned
  const res = await stuck.response();
  assert.equal(res.status, 503);
  assert.equal(res.headers.get("connection"), "close");
  assert.equal(res.headers.get("retry-after"), "1");
  assert.ok(await stuck.closedByServer());
  assert.equal(stuck.wasReset, false);
  assert.equal(s.server.metrics.connections().open, 0);
  latch.open(); // let the abandoned handler end so the test leaks nothing
  await pool.run(() => {}); // waits for the permit the handler held
});

Deno.test("a server with default options answers over fetch", async () => {
  await using s = startServer({}, new Router().get("/j", () => json({ ok: true })));
  const res = await fetch(`${s.url}/j`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.deepEqual(await res.json(), { ok: true });
});

Deno.test("Server.listen() refuses options outside their settings' ranges", () => {
  const router = new Router();
  assert.throws(() => Server.listen({ port: 0, idleTimeoutMs: 2 ** 31 }, router), RangeError);
  assert.throws(() => Server.listen({ port: 0, maxBodyBytes: -1 }, router), RangeError);
  assert.throws(() => Server.listen({ port: 0, numWorkers: 1.5 }, router), RangeError);
  assert.throws(() => Server.listen({ port: 70000 }, router), RangeError);
});

Deno.test("Server.listen() refuses an option it does not act on, naming it, before it binds", () => {
  const router = new Router();
  const listen = (options: Record<string, unknown>) => () =>
    Server.listen({ port: 0, ...options } as never, router);
  assert.throws(listen({ cert: "C" }), /Server.listen\(\): TLS needs both cert and key/);
  assert.throws(
    listen({ path: "/tmp/s" }),
    /port is for TCP and cannot go with a Unix socket path/,
  );
  assert.throws(listen({ cid: 3 }), /unsupported option "cid" \(VSOCK/);
  assert.throws(listen({ idleTimeout: 5 }), /unsupported option "idleTimeout"$/);
  assert.throws(listen({ onListen() {} }), /unsupported option "onListen"/); // serve()'s, not the server's
});

Deno.test("a native route that returns a fetch Response is answered 500, not served without its header fields", async () => {
  const router = new Router().get(
    "/",
    () => new Response("hi", { headers: { "Set-Cookie": "session=1" } }) as never,
  );
  await using s = startServer({}, router);
  const res = await fetch(`${s.url}/`);
  assert.equal(res.status, 500);
  assert.equal(res.headers.get("set-cookie"), null);
  await res.body?.cancel();
});
