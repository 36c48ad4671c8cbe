/**
 * `Metrics` (src/server/metrics.ts: counts by status in an array, by route in
 * counters changed in place) against its plain reference
 * (tests/reference/metrics.ts, two `Map`s): random sequences of `record()`
 * must give the same report, key order included.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { Metrics, UNMATCHED_ROUTE } from "../../src/server/metrics.ts";
import { ReferenceMetrics } from "../reference/metrics.ts";

const route = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom<string | null>(
      null,
      UNMATCHED_ROUTE,
      "(fallback)",
      "/",
      "/users/:id",
      "*",
      "7", // an index-like key: objects list those first
      "10",
      "__proto__",
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);
// Every status the server sends is 100-599 (Metrics counts no other by status).
const status = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(200, 204, 304, 400, 404, 405, 500, 503) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 599 }) },
);

/** The report as ordered entries, so that key order counts too. */
function ordered(m: Metrics | ReferenceMetrics) {
  const s = m.snapshot();
  return [
    s.requests_total,
    Object.entries(s.requests_by_status),
    Object.entries(s.requests_by_path),
  ];
}

Deno.test("Metrics gives the reference's report after random record() sequences", () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(route, status), { maxLength: 60 }), fc.nat(60), (records, at) => {
      const metrics = new Metrics();
      const reference = new ReferenceMetrics();
      records.forEach(([r, s], i) => {
        metrics.record(r, s);
        reference.record(r, s);
        if (i === at) assert.deepEqual(ordered(metrics), ordered(reference)); // a report midway
      });
      assert.deepEqual(ordered(metrics), ordered(reference));
      assert.equal(metrics.requests, reference.snapshot().requests_total);
    }),
    { numRuns: 300 },
  );
});
