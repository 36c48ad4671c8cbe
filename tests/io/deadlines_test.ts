import assert from "node:assert/strict";
import {
  armedDeadlines,
  beforeDeadline,
  liveTickTimers,
  RESOLUTION_MS,
  Watchdog,
} from "../../src/io/deadlines.ts";

/** A watchdog and a promise of the `performance.now()` reading when it expired. */
function watched(): { dog: Watchdog; expired: Promise<number> } {
  let expire: (at: number) => void = () => {};
  const expired = new Promise<number>((resolve) => (expire = resolve));
  return { dog: new Watchdog(() => expire(performance.now())), expired };
}

/** Blocks the event loop for `ms`, as a handler doing heavy synchronous work would. */
function blockEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* busy */ }
}

/** Resolves after the wheel has ticked at least once more. */
function nextTicks(): Promise<unknown> {
  return beforeDeadline(new Promise(() => {}), performance.now() + 2 * RESOLUTION_MS);
}

Deno.test("Watchdog.setAfter() expires no earlier than its timeout after the call, even after a blocked event loop", async () => {
  const keeper = new Watchdog(() => {});
  keeper.set(performance.now() + 60_000); // the wheel keeps ticking
  await nextTicks();
  // The wheel's last tick is now ~100 ms old: a deadline counted from it would be early.
  blockEventLoop(100);
  const { dog, expired } = watched();
  const setAt = performance.now();
  dog.setAfter(50);
  const at = await expired;
  assert.ok(at - setAt >= 50, `expired ${(at - setAt).toFixed(1)} ms after setAfter(50)`);
  keeper.dispose();
  assert.equal(armedDeadlines(), 0);
  assert.equal(liveTickTimers(), 0);
});

Deno.test("Watchdog.setAfter() expires after its timeout, and a longer timeout set with it has not expired then", async () => {
  const { dog: short, expired } = watched();
  let longFired = false;
  const long = new Watchdog(() => (longFired = true));
  const setAt = performance.now();
  short.setAfter(40);
  long.setAfter(2_000);
  const at = await expired;
  assert.ok(at - setAt >= 40);
  assert.equal(longFired, false, "the longer timeout expired with the shorter one");
  long.dispose();
  short.dispose();
  assert.equal(armedDeadlines(), 0);
  assert.equal(liveTickTimers(), 0);
});

Deno.test("Watchdog.setAfter() then clear() or set(): the timeout waiting for a tick is dropped", async () => {
  let fired = 0;
  const cleared = new Watchdog(() => fired++);
  cleared.setAfter(1);
  cleared.clear();
  const moved = new Watchdog(() => fired++);
  moved.setAfter(1);
  moved.set(performance.now() + 60_000); // the later deadline replaces the timeout
  assert.equal(armedDeadlines(), 1, "only the set() deadline is armed");
  await nextTicks();
  await nextTicks();
  assert.equal(fired, 0);
  moved.dispose();
  cleared.dispose();
  assert.equal(armedDeadlines(), 0);
  assert.equal(liveTickTimers(), 0);
});

Deno.test("Watchdog.setAfter(): dispose() before the tick leaves no deadline or timer, and setAfter() after it arms nothing", () => {
  const { dog } = watched();
  dog.setAfter(60_000);
  assert.equal(armedDeadlines(), 1);
  assert.equal(liveTickTimers(), 1);
  dog.dispose();
  assert.equal(armedDeadlines(), 0);
  assert.equal(liveTickTimers(), 0);
  dog.setAfter(60_000); // a write after close
  assert.equal(armedDeadlines(), 0);
  assert.equal(liveTickTimers(), 0);
});

Deno.test("Watchdog.setAfter() after the wheel stopped with the watchdog still listed: it is listed again and expires", async () => {
  const { dog, expired } = watched();
  dog.setAfter(60_000);
  dog.clear(); // still listed for the next tick, waiting for nothing
  new Watchdog(() => {}).dispose(); // nothing waits: the wheel stops and drops its list
  assert.equal(liveTickTimers(), 0);
  const setAt = performance.now();
  dog.setAfter(30);
  const at = await beforeDeadline(expired, setAt + 2_000);
  assert.notEqual(at, "timeout", "the timeout set after the wheel stopped never expired");
  assert.ok((at as number) - setAt >= 30);
  dog.dispose();
  assert.equal(armedDeadlines(), 0);
  assert.equal(liveTickTimers(), 0);
});

Deno.test("Watchdog.setAfter() called many times before a tick keeps the last timeout", async () => {
  const { dog, expired } = watched();
  const setAt = performance.now();
  for (let i = 0; i < 100; i++) dog.setAfter(i === 99 ? 30 : 60_000);
  assert.equal(armedDeadlines(), 1);
  const at = await expired;
  assert.ok(at - setAt >= 30);
  dog.dispose();
  assert.equal(liveTickTimers(), 0);
});

Deno.test("beforeDeadline() returns the value in time and 'timeout' after the deadline, never early", async () => {
  assert.equal(await beforeDeadline(Promise.resolve(7), performance.now() + 1000), 7);
  const start = performance.now();
  assert.equal(await beforeDeadline(new Promise(() => {}), start + 40), "timeout");
  assert.ok(performance.now() - start >= 40, "fired before its deadline");
  assert.equal(await beforeDeadline(Promise.resolve(1), Infinity), 1);
  await assert.rejects(beforeDeadline(Promise.reject(new Error("x")), performance.now() + 1000));
  assert.equal(armedDeadlines(), 0, "a settled race left its deadline armed");
});

Deno.test("beforeDeadline() keeps many deadlines on one timer and fires each in order", async () => {
  const start = performance.now();
  const order: number[] = [];
  const waits = [3, 1, 2].map((k) =>
    beforeDeadline(new Promise(() => {}), start + k * RESOLUTION_MS * 2).then(() => order.push(k))
  );
  assert.equal(armedDeadlines(), 3);
  await Promise.all(waits);
  assert.deepEqual(order, [1, 2, 3]);
  assert.equal(armedDeadlines(), 0);
});

Deno.test("Watchdog re-armed from inside a tick starts no second timer (regression: tick timers multiplied)", async () => {
  let fired = 0;
  const dog = new Watchdog(() => fired++);
  dog.set(performance.now() + 10);
  dog.set(performance.now() + 200); // moved later: its entry fires early and re-arms inside a tick
  await beforeDeadline(new Promise(() => {}), performance.now() + 3 * RESOLUTION_MS);
  assert.equal(liveTickTimers(), 1, `${liveTickTimers()} tick timers running at once`);
  dog.dispose();
  assert.equal(fired, 0);
  assert.equal(armedDeadlines(), 0);
  assert.equal(liveTickTimers(), 0, "a tick timer outlived every deadline");
});

Deno.test("Watchdog.set() after dispose() arms nothing (a write or read after close)", () => {
  let fired = 0;
  const dog = new Watchdog(() => fired++);
  dog.dispose();
  dog.set(performance.now() + 60_000);
  assert.equal(armedDeadlines(), 0);
  assert.equal(liveTickTimers(), 0);
  assert.equal(fired, 0);
});
