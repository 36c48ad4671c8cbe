import assert from "node:assert/strict";
import { collectWhenIdle, IdleCollector, MIN_GROWTH_BYTES } from "../src/idle_gc.ts";

const MiB = 1024 * 1024;

/** A collector over a fake activity counter and RSS, collecting into a counter. */
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

Deno.test("IdleCollector collects once activity stood still for IDLE_GC_AFTER after a burst: below, at and above", () => {
  const { state, collector } = fake(2000);
  state.activity = 100;
  state.heap = 120 * MiB;
  collector.check(1000); // the burst is seen
  collector.check(2999);
  assert.equal(state.collected, 0, "just below the delay");
  collector.check(3000);
  assert.equal(state.collected, 1, "at the delay");
  collector.check(3001);
  collector.check(60_000);
  assert.equal(state.collected, 1, "once per burst");
  assert.equal(collector.collections, 1);
});

Deno.test("IdleCollector waits while activity keeps changing", () => {
  const { state, collector } = fake(2000);
  state.heap = 200 * MiB;
  for (let t = 0; t <= 10_000; t += 500) {
    state.activity++;
    collector.check(t);
  }
  assert.equal(state.collected, 0);
  collector.check(12_000);
  assert.equal(state.collected, 1);
});

Deno.test("IdleCollector skips a burst that grew the heap by less than MIN_GROWTH_BYTES: below, at and above", () => {
  for (
    const [growth, expected] of [[MIN_GROWTH_BYTES - 1, 0], [MIN_GROWTH_BYTES, 1], [
      MIN_GROWTH_BYTES + 1,
      1,
    ]]
  ) {
    const { state, collector } = fake(100);
    state.activity = 1;
    state.heap = 50 * MiB + growth!;
    collector.check(0);
    collector.check(100);
    assert.equal(state.collected, expected, `growth ${growth}`);
  }
});

Deno.test("IdleCollector measures growth from the heap after its last collection", () => {
  const { state, collector } = fake(100);
  state.activity = 1;
  state.heap = 100 * MiB;
  collector.check(0);
  collector.check(100); // collects: RSS back to 50
  state.activity = 2;
  state.heap = 60 * MiB; // 10 MiB over the last floor: not worth a collection
  collector.check(200);
  collector.check(300);
  assert.equal(state.collected, 1);
});

Deno.test("collectWhenIdle() collects after a burst on its own timer, and stop() ends it", async () => {
  let activity = 0;
  let heap = 10 * MiB;
  const collected = Promise.withResolvers<void>();
  const collector = collectWhenIdle({
    afterMs: 20,
    activity: () => activity,
    heap: () => heap,
    collect: () => collected.resolve(),
  });
  activity = 5;
  heap = 100 * MiB;
  // The collector's timer never keeps a process alive: this one does, meanwhile.
  const alive = setTimeout(() => {}, 10_000);
  await collected.promise;
  clearTimeout(alive);
  collector.stop();
});
