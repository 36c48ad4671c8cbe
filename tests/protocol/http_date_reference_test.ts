/**
 * The date cache (src/protocol/http_date.ts) against its plain reference
 * (tests/reference/http_date.ts), the date formatted afresh for every
 * response: on a test clock whose timers fire on time, every value the
 * cache gives is the reference's for the current second, and the clock is
 * read at most once a second; on the real clock, across a second's end.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { currentHttpDate, DateCache } from "../../src/protocol/http_date.ts";
import { referenceHttpDate } from "../reference/http_date.ts";

/** The current second as `new Date().toUTCString()` gives it. */
function utcString(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toUTCString();
}

Deno.test("DateCache.get() gives the reference's date of the current second at every call, reading the clock once a second", () => {
  fc.assert(
    fc.property(
      // 1970 to 2100, often just before a second's end.
      fc.tuple(fc.integer({ min: 1000, max: 4_102_444_800_000 }), fc.option(fc.nat(3)))
        .map(([ms, before]) => before === null ? ms : ms - (ms % 1000) - before),
      fc.array(fc.oneof(fc.nat(3), fc.nat(1200), fc.constantFrom(999, 1000, 1001)), {
        minLength: 1,
        maxLength: 60,
      }),
      (start, steps) => {
        let now = start;
        let reads = 0;
        const timers: Array<{ at: number; expire: () => void }> = [];
        const cache = new DateCache(() => {
          reads++;
          return now;
        }, (expire, ms) => timers.push({ at: now + ms, expire }));
        const seconds = new Set<number>();
        for (const step of steps) {
          const until = now + step;
          // Timers fire on time, in order, as the clock passes them.
          timers.sort((a, b) => a.at - b.at);
          while (timers.length > 0 && timers[0]!.at <= until) {
            const timer = timers.shift()!;
            now = timer.at;
            timer.expire();
          }
          now = until;
          const value = cache.get();
          assert.equal(value, referenceHttpDate(now), `at ${now}`);
          assert.equal(value, utcString(now));
          seconds.add(Math.floor(now / 1000));
        }
        assert.ok(reads <= seconds.size, `${reads} clock reads in ${seconds.size} seconds`);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("currentHttpDate() gives new Date().toUTCString() of the current second, across a second's end", async () => {
  // Start just before a second ends, then sample past it. Right after the
  // end, the cache may still give the second before while its timer runs
  // late (documented): allowed for 50 ms.
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) - 40));
  const until = Date.now() + 100;
  let samples = 0;
  while (Date.now() < until) {
    const before = Date.now();
    const value = currentHttpDate();
    const after = Date.now();
    const allowed = [utcString(before), utcString(after), utcString(before - 50)];
    assert.ok(allowed.includes(value), `${value} at ${before}`);
    assert.equal(referenceHttpDate(after), utcString(after));
    samples++;
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
  assert.ok(samples > 5);
});
