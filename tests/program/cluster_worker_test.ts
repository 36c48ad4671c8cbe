/**
 * Tests for one `--listeners N` thread (src/program/cluster_worker.ts), driven
 * through its message protocol with a Worker of its own, as Cluster drives it.
 */

import assert from "node:assert/strict";
import type { FromWorker, ToWorker } from "../../src/program/cluster.ts";
import { clusterConfig } from "../fixtures/cluster_config.ts";

const WORKER = new URL("../../src/program/cluster_worker.ts", import.meta.url);

/** A worker thread and the messages it sent, awaited by type. */
function startWorker() {
  const worker = new Worker(WORKER, { type: "module" });
  const inbox: FromWorker[] = [];
  const waiting: Array<{ type: string; resolve: (m: FromWorker) => void }> = [];
  worker.onmessage = (e: MessageEvent<FromWorker>) => {
    const i = waiting.findIndex((w) => w.type === e.data.type);
    if (i === -1) inbox.push(e.data);
    else waiting.splice(i, 1)[0]!.resolve(e.data);
  };
  return {
    send: (message: ToWorker) => worker.postMessage(message),
    next<T extends FromWorker["type"]>(type: T): Promise<Extract<FromWorker, { type: T }>> {
      const i = inbox.findIndex((m) => m.type === type);
      if (i !== -1) {
        return Promise.resolve(inbox.splice(i, 1)[0] as Extract<FromWorker, { type: T }>);
      }
      const { promise, resolve } = Promise.withResolvers<FromWorker>();
      waiting.push({ type, resolve });
      return promise as Promise<Extract<FromWorker, { type: T }>>;
    },
    terminate: () => worker.terminate(),
  };
}

function start(port: number, index = 0): ToWorker {
  return {
    type: "start",
    config: clusterConfig({ port }),
    port,
    index,
    startedAtEpochMs: performance.timeOrigin + performance.now(),
  };
}

Deno.test("cluster_worker listens on start, answers a snapshot with its report, and on shutdown says closed then stopped", async () => {
  const w = startWorker();
  try {
    w.send(start(0, 1));
    const { addr } = await w.next("listening");
    assert.equal(addr.hostname, "127.0.0.1");
    assert.ok(addr.port > 0);
    const res = await fetch(`http://127.0.0.1:${addr.port}/no-such-page`);
    assert.equal(res.status, 404);
    await res.text();
    w.send({ type: "snapshot", id: 7 });
    const snapshot = await w.next("snapshot");
    assert.equal(snapshot.id, 7);
    assert.ok(snapshot.report !== null);
    w.send({ type: "shutdown" });
    await w.next("closed");
    const stopped = await w.next("stopped");
    assert.equal(stopped.requests, 1);
  } finally {
    w.terminate();
  }
});

Deno.test("cluster_worker reports failed when it cannot listen, and stops with no requests", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const w = startWorker();
  try {
    // Not reusePort on the taken socket: the worker's listen fails.
    w.send(start(taken.addr.port));
    const failed = await w.next("failed");
    assert.match(failed.error, /.+/);
    w.send({ type: "snapshot", id: 1 });
    assert.equal((await w.next("snapshot")).report, null, "no server, no report");
    w.send({ type: "shutdown" });
    assert.deepEqual(await w.next("stopped"), { type: "stopped", requests: 0 });
  } finally {
    w.terminate();
  }
});
