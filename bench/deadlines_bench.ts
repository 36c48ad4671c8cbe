/**
 * Micro-benchmarks of the deadline wheel (`deno task bench:micro`), each
 * trick of the optimisation register against its plain path (the
 * `baseline` of its group; tests/reference/deadlines.ts states the
 * behaviour compared): a read or write arms a deadline and, done in time,
 * clears it. One timing wheel with a watchdog per socket direction, against
 * a timer per operation; a timeout fixed at the wheel's next tick
 * (`setAfter`), against a deadline from a clock read per operation.
 *
 * @module
 */

import { Watchdog } from "../src/io/deadlines.ts";

/**
 * WRITE_TIMEOUT's order: a deadline that is always cleared before it comes
 * (the wheel's entry for it keeps the process up to this long after the run).
 */
const TIMEOUT_MS = 5_000;
const nothing = () => {};

Deno.bench({
  name: "wheel: reference, a timer per operation (setTimeout, clearTimeout)",
  group: "wheel",
  baseline: true,
  fn() {
    clearTimeout(setTimeout(nothing, TIMEOUT_MS));
  },
});

const dog = new Watchdog(nothing);
Deno.bench({
  name: "wheel: optimised, a watchdog's deadline set and cleared (Watchdog.set)",
  group: "wheel",
  fn() {
    dog.set(performance.now() + TIMEOUT_MS);
    dog.clear();
  },
});

const clockless = new Watchdog(nothing);
Deno.bench({
  name: "setAfter: reference, a clock read per operation (Watchdog.set(now + timeout))",
  group: "setAfter",
  baseline: true,
  fn() {
    clockless.set(performance.now() + TIMEOUT_MS);
    clockless.clear();
  },
});
Deno.bench({
  name: "setAfter: optimised, the timeout fixed at the next tick (Watchdog.setAfter)",
  group: "setAfter",
  fn() {
    clockless.setAfter(TIMEOUT_MS);
    clockless.clear();
  },
});
