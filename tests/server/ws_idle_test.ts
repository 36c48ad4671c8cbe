/**
 * Tests for a WebSocket's idle watch (src/server/ws_idle.ts): a ping after
 * half the timeout, the end after the other half, input that postpones both,
 * 0 that turns it off, stop(). Real short timers; the tests wait for the
 * actions, never for time.
 */

import assert from "node:assert/strict";
import { IdleWatch } from "../../src/server/ws_idle.ts";

/** A watch whose actions are recorded, and a promise for its end. */
function watch(timeoutMs: number, onPing: (w: IdleWatch) => void = () => {}) {
  const log: string[] = [];
  let dead!: () => void;
  const ended = new Promise<void>((resolve) => dead = resolve);
  const w: IdleWatch = new IdleWatch(timeoutMs, {
    ping: () => {
      log.push("ping");
      onPing(w);
    },
    dead: () => {
      log.push("dead");
      dead();
    },
  });
  return { w, log, ended };
}

Deno.test("IdleWatch pings a quiet peer, then gives up on it", async () => {
  const { w, log, ended } = watch(20);
  w.start();
  await ended;
  assert.deepEqual(log, ["ping", "dead"]);
});

Deno.test("IdleWatch starts over when the peer answers a ping", async () => {
  let answers = 2;
  const { w, log, ended } = watch(20, (w) => answers-- > 0 && w.touch());
  w.start();
  await ended;
  assert.deepEqual(log, ["ping", "ping", "ping", "dead"]);
});

Deno.test("IdleWatch with timeout 0 does nothing, and stop() ends it for good", async () => {
  const off = watch(0);
  off.w.start();
  off.w.touch();
  off.w.stop();
  assert.deepEqual(off.log, []);
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => stop = resolve);
  const { w, log } = watch(10, (w) => {
    w.stop();
    stop();
  });
  w.start();
  await stopped;
  assert.deepEqual(log, ["ping"], "no dead after stop()");
});
