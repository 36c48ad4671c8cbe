import assert from "node:assert/strict";
import {
  collectWhenIdle,
  IdleCollector,
  MIN_GROWTH_BYTES,
  QUIET_EVENTS_PER_SECOND,
} from "../../src/program/idle_gc.ts";

const MiB = 1024 * 1024;

/** A collector over a fake activity counter and heap, collecting into a counter. */
function fake(afterMs = 2000) {
  const state = { activity: 0, heap: 50 * MiB, collected: 0 };
  const collector = new IdleCollector({
    afterMs,
    activity: () => state.activity,
    heap: () => state.heap,
    collect: () => {
      state.collected++;
      state.heap = 50 * MiB;
    },
  }, 0);
  return { state, collector };
}

/** A burst: heavy activity growing the heap, checked every 500 ms until `until`. */
function burst(f: ReturnType<typeof fake>, until: number): void {
  for (let t = 500; t <= until; t += 500) {
    f.state.activity += 1000;
    f.state.heap += 20 * MiB;
    f.collector.check(t);
  }
}

Deno.test("IdleCollector collects once the listener has been quiet for IDLE_GC_AFTER after a burst: below, at and above", () => {
  const f = fake(2000);
  burst(f, 3000); // the last of the burst at t = 3000
  f.collector.check(4999);
  assert.equal(f.state.collected, 0, "just below the delay");
  f.collector.check(5000);
  assert.equal(f.state.collected, 1, "at the delay");
  f.collector.check(5500);
  f.collector.check(60_000);
  assert.equal(f.state.collected, 1, "once per burst");
  assert.equal(f.collector.collections, 1);
});

Deno.test("IdleCollector waits while traffic goes on", () => {
  const f = fake(2000);
  burst(f, 20_000);
  assert.equal(f.state.collected, 0);
});

// Regression: "idle" meant no activity at all, so a health probe every second
// kept the memory of a burst forever (124 MiB instead of 64 in the long run).
Deno.test("IdleCollector counts a listener with a few events a second as quiet: below, at and above the rate", () => {
  for (
    const [perSecond, expected] of [
      [QUIET_EVENTS_PER_SECOND - 1, 1],
      [QUIET_EVENTS_PER_SECOND, 0],
      [QUIET_EVENTS_PER_SECOND + 1, 0],
    ]
  ) {
    const f = fake(2000);
    burst(f, 1000);
    for (let t = 1100; t <= 10_000; t += 100) {
      if (t % 1000 === 0) f.state.activity += perSecond!; // a second's events at once
      f.collector.check(t);
    }
    assert.equal(f.state.collected, expected, `${perSecond} events a second`);
  }
});

Deno.test("IdleCollector skips a burst that grew the heap by less than MIN_GROWTH_BYTES: below, at and above", () => {
  for (
    const [growth, expected] of [[MIN_GROWTH_BYTES - 1, 0], [MIN_GROWTH_BYTES, 1], [
      MIN_GROWTH_BYTES + 1,
      1,
    ]]
  ) {
    const f = fake(100);
    f.state.heap = 50 * MiB + growth!;
    f.collector.check(100);
    assert.equal(f.state.collected, expected, `growth ${growth}`);
  }
});

Deno.test("IdleCollector measures growth from the heap after its last collection", () => {
  const f = fake(100);
  f.state.heap = 100 * MiB;
  f.collector.check(100); // collects: the heap is back to 50
  f.state.heap = 60 * MiB; // 10 MiB over the last floor: not worth a collection
  f.collector.check(200);
  f.collector.check(300);
  assert.equal(f.state.collected, 1);
});

Deno.test("collectWhenIdle() collects after a burst on its own timer, and stop() ends it", async () => {
  let heap = 10 * MiB;
  const collected = Promise.withResolvers<void>();
  const collector = collectWhenIdle({
    afterMs: 20,
    activity: () => 0,
    heap: () => heap,
    collect: () => collected.resolve(),
  });
  heap = 100 * MiB;
  // The collector's timer never keeps a process alive: this one does, meanwhile.
  const alive = setTimeout(() => {}, 10_000);
  await collected.promise;
  clearTimeout(alive);
  collector.stop();
});
