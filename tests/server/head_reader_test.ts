/**
 * Reading request heads (src/server/head_reader.ts), through a connection
 * over an in-memory socket: what is read while answers wait to be written.
 * Timeouts, split heads and refusals are tested over real sockets in
 * connection_test.ts.
 */

import assert from "node:assert/strict";
import { bytes } from "../fixtures/harness.ts";
import { Connection } from "../../src/server/connection.ts";
import { defaultConfig } from "../../src/program/settings.ts";
import { Metrics } from "../../src/server/metrics.ts";
import { Pool } from "../../src/server/pool.ts";
import { Router } from "../../src/app/router.ts";

Deno.test("a client that pipelines and never reads: no more is read while a write is stuck (regression: unbounded queue)", async () => {
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
