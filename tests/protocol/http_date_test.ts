import assert from "node:assert/strict";
import { currentHttpDate, DateCache, httpDate } from "../../src/protocol/http_date.ts";

const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** 1994-11-06T08:49:37Z, the example of RFC 9110 §5.6.7. */
const RFC_EXAMPLE_MS = Date.UTC(1994, 10, 6, 8, 49, 37);

Deno.test("httpDate() formats an IMF-fixdate (RFC 9110 §5.6.7)", () => {
  assert.equal(httpDate(RFC_EXAMPLE_MS), "Sun, 06 Nov 1994 08:49:37 GMT");
  assert.equal(httpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  assert.match(httpDate(Date.UTC(2031, 1, 3, 4, 5, 6)), IMF_FIXDATE);
});

Deno.test("currentHttpDate() formats the current time as an IMF-fixdate", () => {
  const value = currentHttpDate();
  assert.match(value, IMF_FIXDATE);
  // It names a second within a few seconds of now.
  assert.ok(Math.abs(Date.parse(value) - Date.now()) < 5000, value);
});

/** A DateCache on a clock and timers the test moves by hand. */
function fakeCache(start: number) {
  const state = { now: start, reads: 0, timers: [] as Array<{ expire: () => void; ms: number }> };
  const cache = new DateCache(() => {
    state.reads++;
    return state.now;
  }, (expire, ms) => state.timers.push({ expire, ms }));
  return { cache, state };
}

Deno.test("DateCache reads the clock once a second and keeps the value until the second's end", () => {
  const { cache, state } = fakeCache(RFC_EXAMPLE_MS + 250);
  assert.equal(cache.get(), "Sun, 06 Nov 1994 08:49:37 GMT");
  assert.equal(state.timers.length, 1);
  assert.equal(state.timers[0]!.ms, 750, "the timer does not end with the second");
  state.now += 500;
  assert.equal(cache.get(), "Sun, 06 Nov 1994 08:49:37 GMT");
  assert.equal(state.reads, 1, "the clock was read again within the second");
  assert.equal(state.timers.length, 1, "a second timer was set");

  // The second ends: the next response formats the new one.
  state.now = RFC_EXAMPLE_MS + 1000;
  state.timers.shift()!.expire();
  assert.equal(cache.get(), "Sun, 06 Nov 1994 08:49:38 GMT");
  assert.equal(state.reads, 2);
  assert.equal(state.timers[0]!.ms, 1000);
});

Deno.test("DateCache follows a clock step at the next second, and a timer that fires early only re-arms", () => {
  const { cache, state } = fakeCache(RFC_EXAMPLE_MS + 999);
  assert.equal(cache.get(), "Sun, 06 Nov 1994 08:49:37 GMT");
  assert.equal(state.timers[0]!.ms, 1);
  // Fired a little early: the same second again, and a timer for its rest.
  state.now = RFC_EXAMPLE_MS + 999.5;
  state.timers.shift()!.expire();
  assert.equal(cache.get(), "Sun, 06 Nov 1994 08:49:37 GMT");
  assert.equal(state.timers[0]!.ms, 0.5);
  // The clock steps back an hour.
  state.now = RFC_EXAMPLE_MS - 3600_000;
  state.timers.shift()!.expire();
  assert.equal(cache.get(), "Sun, 06 Nov 1994 07:49:37 GMT");
});

Deno.test("httpDate() gives the same value anywhere within one second", () => {
  const start = RFC_EXAMPLE_MS;
  const first = httpDate(start);
  assert.equal(httpDate(start + 1), first);
  assert.equal(httpDate(start + 500), first);
  assert.equal(httpDate(start + 999), first);
});

Deno.test("httpDate() gives a new value at the next second", () => {
  const start = RFC_EXAMPLE_MS;
  assert.equal(httpDate(start + 999), "Sun, 06 Nov 1994 08:49:37 GMT");
  assert.equal(httpDate(start + 1000), "Sun, 06 Nov 1994 08:49:38 GMT");
  // Back again (a clock step backwards): the cache follows, it never serves a stale second.
  assert.equal(httpDate(start), "Sun, 06 Nov 1994 08:49:37 GMT");
});

Deno.test("httpDate() rounds a time inside a second down, not to the nearest second", () => {
  assert.equal(httpDate(RFC_EXAMPLE_MS - 1), "Sun, 06 Nov 1994 08:49:36 GMT");
  assert.equal(httpDate(RFC_EXAMPLE_MS + 999.9), "Sun, 06 Nov 1994 08:49:37 GMT");
});
