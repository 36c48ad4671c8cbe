import assert from "node:assert/strict";
import { LogThrottle } from "../../src/server/log_throttle.ts";

Deno.test("LogThrottle logs the first event, skips the rest within the interval, then reports how many", () => {
  const t = new LogThrottle(1000);
  assert.equal(t.take(0), 0);
  assert.equal(t.take(1), null);
  assert.equal(t.take(999), null);
  assert.equal(t.take(1000), 2, "at the interval: logged, with the 2 skipped");
  assert.equal(t.take(1999), null);
  assert.equal(t.take(2001), 1);
  assert.equal(t.take(5000), 0);
});
