/**
 * Closes that let the client read the answer: whenever the server closes a
 * connection the client may still be writing to (an upload it did not read,
 * a refusal, shutdown), it half-closes and discards input first, so the close
 * cannot reset the connection and destroy the answer in the client's buffer.
 * Every test here checks `wasReset`: a reset is what loses answers.
 */

import assert from "node:assert/strict";
import { Metrics } from "../../src/server/metrics.ts";
import { Pool } from "../../src/server/pool.ts";
import { text } from "../../src/app/response.ts";
import { Router } from "../../src/app/router.ts";
import { serve } from "../../src/fetch/serve.ts";
import { Latch, RawClient, startServer, until, type WireResponse } from "../fixtures/harness.ts";

const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: t\r\n\r\n`;

/**
 * Sends `head` and then `body` (a byte count of zeros, or the pieces given)
 * on a new connection, as curl uploads a file: the whole upload before
 * reading. Such a client reports a failed write (a broken pipe, a reset)
 * and never reads the answer waiting for it, so every write must succeed.
 * Then reads the answer, and checks that the connection ends cleanly.
 */
async function uploadThenAnswer(
  port: number,
  head: string,
  body: number | readonly string[],
): Promise<WireResponse> {
  using client = await RawClient.connect(port);
  let failed: unknown = null;
  try {
    await client.write(head);
    if (typeof body === "number") {
      const piece = new Uint8Array(64 * 1024);
      for (let sent = 0; sent < body; sent += piece.length) {
        await client.write(piece.subarray(0, Math.min(piece.length, body - sent)));
      }
    } else {
      for (const piece of body) await client.write(piece);
    }
  } catch (error) {
    failed = error;
  }
  assert.equal(failed, null, "the upload was cut off");
  const res = await client.response();
  assert.ok(await client.closedByServer());
  assert.equal(client.wasReset, false, "the connection ended with a reset");
  return res;
}

/**
 * After its answer, the client sends more (a pipelined request, the rest of
 * a body), twice: a lingering server reads and discards it and the
 * connection ends cleanly; one that closed outright answers the first write
 * with a reset (on loopback, before that write returns), so the second fails.
 */
async function sendsMoreAndEndsCleanly(client: RawClient): Promise<void> {
  let failed: unknown = null;
  try {
    await client.write(GET("/more"));
    await client.write(GET("/more"));
  } catch (error) {
    failed = error;
  }
  assert.equal(failed, null, "the server closed without reading what the client sent");
  await client.readAll();
  assert.equal(client.wasReset, false, "the connection ended with a reset");
}

// Regression: the server closed with 32 MiB unread, and the client got a
// broken pipe or a reset instead of its 404.
Deno.test("a 32 MiB upload with Connection: close to an unknown path reads its 404, not a reset", async () => {
  await using s = startServer({ maxBodyBytes: 64 * 1024 * 1024 });
  const size = 32 * 1024 * 1024;
  const head =
    `POST /nope HTTP/1.1\r\nHost: t\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`;
  assert.equal((await uploadThenAnswer(s.port, head, size)).status, 404);
});

Deno.test("a chunked upload to an unknown path reads its 404 and a clean close", async () => {
  await using s = startServer();
  const head = "POST /nope HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  const chunks = Array.from({ length: 64 }, () => "10000\r\n" + "x".repeat(0x10000) + "\r\n");
  assert.equal((await uploadThenAnswer(s.port, head, chunks)).status, 404);
});

Deno.test("a serve() handler that answers 401 with Connection: close before reading the upload is read", async () => {
  await using server = serve(
    { hostname: "127.0.0.1", port: 0, maxBodyBytes: 64 * 1024 * 1024 },
    () => new Response("no", { status: 401, headers: { connection: "close" } }),
  );
  const size = 16 * 1024 * 1024;
  const head = `PUT /f HTTP/1.1\r\nHost: t\r\nContent-Length: ${size}\r\n\r\n`;
  const res = await uploadThenAnswer(server.addr.port, head, size);
  assert.equal(res.status, 401);
  assert.equal(res.headers.get("connection"), "close");
});

Deno.test("a 503 for a full queue, answered before the body is read, is read", async () => {
  const latch = new Latch();
  const pool = new Pool(1, 0);
  const router = new Router().get("/wait", async () => {
    await latch.wait();
    return text("done");
  });
  await using s = startServer({ pool }, router);
  using busy = await RawClient.connect(s.port);
  await busy.write(GET("/wait"));
  await latch.arrived(1);
  // A buffered route reads its body before it asks for a permit: a streaming
  // one (serve()) on the same pool is refused first.
  await using streaming = serve(
    { hostname: "127.0.0.1", port: 0, pool, maxBodyBytes: 64 * 1024 * 1024 },
    () => new Response("stored"),
  );
  const size = 8 * 1024 * 1024;
  const head = `PUT /f HTTP/1.1\r\nHost: t\r\nContent-Length: ${size}\r\n\r\n`;
  const res = await uploadThenAnswer(streaming.addr.port, head, size);
  assert.equal(res.status, 503);
  assert.equal(res.headers.get("retry-after"), "1");
  latch.open();
  assert.equal((await busy.response()).status, 200);
});

// Regression: a connection over the cap was closed with its request unread,
// so what the client sent next was answered with a reset.
Deno.test("MAX_CONNECTIONS: clients over the cap read a whole 503, and up to MAX_CONNECTIONS of them linger", async () => {
  await using s = startServer({ maxConnections: 2 });
  const open = await Promise.all([RawClient.connect(s.port), RawClient.connect(s.port)]);
  const refused: RawClient[] = [];
  try {
    for (const c of open) {
      await c.write(GET("/"));
      assert.equal((await c.response()).status, 200);
    }
    // Two refused connections linger (as many as MAX_CONNECTIONS), while
    // their clients hold them open...
    for (let i = 0; i < 2; i++) {
      const over = await RawClient.connect(s.port);
      refused.push(over);
      await over.write(GET("/"));
      const res = await over.response();
      assert.equal(res.status, 503);
      assert.equal(res.headers.get("connection"), "close");
      await over.write(GET("/more")); // read and discarded: no reset
    }
    // ...and a third, past that bound, is closed as soon as its 503 is written.
    using third = await RawClient.connect(s.port);
    await third.write(GET("/"));
    assert.equal((await third.response()).status, 503);
    await assert.rejects(async () => {
      await third.write(GET("/more"));
      await third.write(GET("/more"));
    });
    for (const over of refused) await sendsMoreAndEndsCleanly(over);
    assert.equal(s.server.metrics.connections().refused, 3);
  } finally {
    for (const c of [...open, ...refused]) c.close();
  }
});

// Regression: an idle keep-alive connection was closed at shutdown with
// whatever the client had just sent unread: a reset.
Deno.test("a request sent on an idle keep-alive connection as shutdown begins meets a clean close", async () => {
  for (let i = 0; i < 3; i++) {
    const s = startServer();
    using client = await RawClient.connect(s.port);
    await client.write(GET("/"));
    assert.equal((await client.response()).status, 200);
    const stopped = s.server.shutdown();
    await sendsMoreAndEndsCleanly(client); // arrives while the server closes the connection
    await stopped;
  }
});

// Regression: requests waiting for a permit when SHUTDOWN_TIMEOUT ended got
// no answer at all; now the unanswered get 503 before the end.
Deno.test("shutdown: a handler that finishes in time answers 200; running and queued ones that cannot get 503", async () => {
  const quick = new Latch();
  const stuck = new Latch();
  const pool = new Pool(2, 10);
  const metrics = new Metrics();
  const router = new Router()
    .get("/quick", async () => {
      await quick.wait();
      return text("done");
    })
    .get("/stuck", async () => {
      await stuck.wait();
      return text("late");
    });
  const s = startServer({ pool, metrics, shutdownTimeoutMs: 400, lingerTimeoutMs: 200 }, router);
  const paths = ["/quick", "/stuck", "/stuck", "/stuck", "/stuck"];
  const clients = await Promise.all(paths.map(() => RawClient.connect(s.port)));
  try {
    for (const [i, c] of clients.entries()) await c.write(GET(paths[i]!));
    await quick.arrived(1);
    await stuck.arrived(1);
    await until(() => pool.queued === 3); // every request read and waiting
    const stopped = s.server.shutdown();
    quick.open(); // finishes well within the 200 ms left for answers
    const answers = await Promise.all(clients.map((c) => c.response()));
    assert.deepEqual(answers.map((r) => r.status), [200, 503, 503, 503, 503]);
    for (const r of answers) assert.equal(r.headers.get("connection"), "close");
    for (const r of answers.slice(1)) assert.equal(r.headers.get("retry-after"), "1");
    for (const c of clients) {
      assert.ok(await c.closedByServer());
      assert.equal(c.wasReset, false);
    }
    await stopped;
    assert.equal(metrics.snapshot().requests_by_status["503"], 4);
  } finally {
    for (const c of clients) c.close();
    stuck.open();
  }
});

// Regression (review): a request answered 503 by shutdown still ran its
// handler afterwards, once a permit came free or its body finished; a client
// that retries the 503 would have it carried out twice.
Deno.test("shutdown: a queued request answered 503 never runs its handler afterwards", async () => {
  const stuck = new Latch();
  let ran = 0;
  const pool = new Pool(1, 10);
  const router = new Router()
    .get("/stuck", async () => {
      await stuck.wait();
      return text("late");
    })
    .add("POST", "/charge", () => {
      ran++;
      return text("charged");
    });
  const s = startServer({ pool, shutdownTimeoutMs: 400, lingerTimeoutMs: 100 }, router);
  using a = await RawClient.connect(s.port);
  using b = await RawClient.connect(s.port);
  await a.write(GET("/stuck"));
  await stuck.arrived(1);
  await b.write("POST /charge HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
  await until(() => pool.queued === 1);
  const stopped = s.server.shutdown();
  assert.equal((await b.response()).status, 503);
  stuck.open(); // the stuck handler ends, and its permit comes free
  await stopped;
  assert.equal((await a.response()).status, 503);
  assert.equal(ran, 0, "the handler ran for a request answered 503");
});

Deno.test("shutdown: a request whose body arrives after its 503 never runs its handler", async () => {
  let ran = 0;
  const router = new Router().add("POST", "/charge", () => {
    ran++;
    return text("charged");
  });
  const s = startServer({ shutdownTimeoutMs: 400, lingerTimeoutMs: 100 }, router);
  using b = await RawClient.connect(s.port);
  await b.write(
    "POST /charge HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n",
  );
  assert.equal((await b.response()).status, 100); // the server reads the body now
  await b.write("12345");
  const stopped = s.server.shutdown();
  const res = await b.response();
  assert.equal(res.status, 503);
  await b.write("67890"); // the rest, after the answer
  await stopped;
  assert.equal(ran, 0, "the handler ran for a request answered 503");
});
