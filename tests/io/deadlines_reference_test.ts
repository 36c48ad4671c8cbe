/**
 * The timing wheel (src/io/deadlines.ts) against a plain list of deadlines
 * (tests/reference/deadlines.ts), on a test clock: random sets, timeouts,
 * moves, clears and disposals of watchdogs, with time passing between them,
 * must fire each deadline the list says is due, once, never before it and
 * never later than the wheel's lateness bound after it.
 *
 * deadlines.ts takes no clock: this file stands in for `performance.now`,
 * `setTimeout` and `clearTimeout` while a property runs (synchronously, so
 * nothing else sees them), with timers that fire exactly when due. Each test
 * file runs in an isolate of its own, so the wheel's state is this file's.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { armedDeadlines, liveTickTimers, RESOLUTION_MS, Watchdog } from "../../src/io/deadlines.ts";
import { ReferenceDeadlines } from "../reference/deadlines.ts";

/** A clock and timers the test moves by hand; timers fire exactly when due, in order. */
class TestClock {
  now = 10_000.3; // not on a slot boundary
  #timers = new Map<number, { at: number; fire: () => void }>();
  #nextId = 1;

  setTimeout = (fire: () => void, ms = 0): number => {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.now + Math.max(0, ms), fire });
    return id;
  };

  clearTimeout = (id: number): void => {
    this.#timers.delete(id);
  };

  /** Timers scheduled and not yet run or cleared. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves the clock to `time`, running every timer due by then at its own time. */
  advanceTo(time: number): void {
    for (;;) {
      let next: [number, { at: number; fire: () => void }] | null = null;
      for (const entry of this.#timers) {
        if (entry[1].at <= time && (next === null || entry[1].at < next[1].at)) next = entry;
      }
      if (next === null) break;
      this.#timers.delete(next[0]);
      this.now = Math.max(this.now, next[1].at);
      next[1].fire();
    }
    this.now = Math.max(this.now, time);
  }
}

const clock = new TestClock();

/** Runs `body` with the test clock standing in for the runtime's. */
function onTestClock(body: () => void): void {
  const saved = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout };
  Object.defineProperty(performance, "now", {
    value: () => clock.now,
    configurable: true,
    writable: true,
  });
  globalThis.setTimeout = clock.setTimeout as unknown as typeof setTimeout;
  globalThis.clearTimeout = clock.clearTimeout as unknown as typeof clearTimeout;
  try {
    body();
  } finally {
    delete (performance as { now?: unknown }).now; // the prototype's again
    globalThis.setTimeout = saved.setTimeout;
    globalThis.clearTimeout = saved.clearTimeout;
  }
}

/**
 * How late the wheel may fire, on a clock whose timers are on time. A
 * deadline waits in the first slot boundary at or after it, and the tick
 * that finds that boundary passed runs up to RESOLUTION_MS after it (ticks
 * run at the timer's phase, not on slot boundaries): under two slots. A
 * timeout from `setAfter` waits up to one slot more for the tick that fixes
 * it.
 */
const LATENESS_MS = { set: 2 * RESOLUTION_MS, after: 3 * RESOLUTION_MS } as const;

type Op =
  | { readonly op: "set"; readonly dog: number; readonly inMs: number }
  | { readonly op: "setAfter"; readonly dog: number; readonly timeoutMs: number }
  | { readonly op: "clear" | "dispose"; readonly dog: number }
  | { readonly op: "wait"; readonly ms: number };

const DOGS = 4;
const dog = fc.nat(DOGS - 1);
const ms = (max: number) =>
  fc.oneof(fc.integer({ min: 0, max }), fc.double({ min: 0, max, noNaN: true }));
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("set" as const),
      dog,
      inMs: fc.oneof(ms(300), fc.integer({ min: -30, max: 0 })),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("setAfter" as const),
      dog,
      timeoutMs: fc.oneof(ms(300), fc.constantFrom(0, 25, 50, 1000)),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constantFrom("clear" as const, "dispose" as const), dog }),
  },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("wait" as const), ms: ms(120) }) },
);

/** Plays `ops` on watchdogs and on the reference list; asserts every firing against the list. */
function play(ops: readonly Op[]): void {
  const list = new ReferenceDeadlines<number>();
  const kind = new Map<number, keyof typeof LATENESS_MS>();
  const disposed = new Set<number>();
  const fired: string[] = [];
  // Checked outside the wheel's tick: an assertion thrown inside it would
  // leave the wheel half-ticked for the runs after (and for shrinking).
  const problems: string[] = [];
  const dogs = Array.from({ length: DOGS }, (_, i) =>
    new Watchdog(() => {
      const due = list.get(i);
      const now = clock.now;
      fired.push(`${i}@${now}`);
      if (due === null) problems.push(`watchdog ${i} fired at ${now} with no deadline set`);
      else if (now < due) {
        problems.push(`watchdog ${i} fired at ${now}, before its deadline ${due}`);
      } else if (now - due >= LATENESS_MS[kind.get(i)!]) {
        problems.push(`watchdog ${i} (${kind.get(i)}) fired ${now - due} ms late`);
      }
      list.clear(i);
    }));
  /** Every deadline past its lateness bound must have fired. */
  const checkNoneOverdue = () => {
    for (const [i, due] of list.due(clock.now)) {
      assert.ok(
        clock.now - due < LATENESS_MS[kind.get(i)!],
        `watchdog ${i} due at ${due} has not fired at ${clock.now} (${kind.get(i)})`,
      );
    }
  };
  try {
    for (const o of ops) {
      if (o.op === "wait") {
        clock.advanceTo(clock.now + o.ms);
        checkNoneOverdue();
        assert.deepEqual(problems, []);
        continue;
      }
      if (disposed.has(o.dog)) continue; // a disposed watchdog ignores everything
      const w = dogs[o.dog]!;
      switch (o.op) {
        case "set":
          w.set(clock.now + o.inMs);
          // A deadline already past is due at once, as a setTimeout with a negative delay.
          list.set(o.dog, clock.now + Math.max(0, o.inMs));
          kind.set(o.dog, "set");
          break;
        case "setAfter":
          w.setAfter(o.timeoutMs);
          list.set(o.dog, clock.now + o.timeoutMs);
          kind.set(o.dog, "after");
          break;
        case "clear":
          w.clear();
          list.clear(o.dog);
          break;
        case "dispose":
          w.dispose();
          list.clear(o.dog);
          disposed.add(o.dog);
          break;
      }
    }
    // Long enough for anything still set to come due and fire.
    clock.advanceTo(clock.now + 1100 + LATENESS_MS.after);
    assert.deepEqual(problems, []);
    assert.deepEqual(list.due(Infinity), [], `never fired; fired: ${fired.join(" ")}`);
  } finally {
    for (const w of dogs) w.dispose();
    clock.advanceTo(clock.now + 1000); // entries of cleared deadlines run out
  }
  assert.equal(armedDeadlines(), 0, "deadlines left armed");
  assert.equal(liveTickTimers(), 0, "a tick timer left running");
  assert.equal(clock.pending, 0, "a timer left scheduled");
}

Deno.test("Watchdog deadlines fire as a plain list of deadlines says, never early and at most two slots late (three for setAfter)", () => {
  onTestClock(() => {
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), play), { numRuns: 400 });
  });
});

Deno.test("a deadline just past a slot boundary, set just before the tick, fires almost two slots late: the bound is two slots, not one", () => {
  onTestClock(() => {
    // Tick phase just before a boundary; the deadline just after it.
    const keeper = new Watchdog(() => {});
    keeper.set(clock.now + 60_000); // starts the tick timer at this phase
    const boundary = Math.ceil(clock.now / RESOLUTION_MS) * RESOLUTION_MS;
    clock.advanceTo(boundary - 0.01 + RESOLUTION_MS); // one tick just before a boundary
    let firedAt = -1;
    const w = new Watchdog(() => (firedAt = clock.now));
    const deadline = boundary + RESOLUTION_MS + 0.01;
    w.set(deadline);
    clock.advanceTo(deadline + 3 * RESOLUTION_MS);
    assert.ok(firedAt >= deadline);
    assert.ok(firedAt - deadline > RESOLUTION_MS, `${firedAt - deadline} ms late`);
    assert.ok(firedAt - deadline < 2 * RESOLUTION_MS);
    keeper.dispose();
    w.dispose();
    assert.equal(armedDeadlines(), 0);
  });
});
