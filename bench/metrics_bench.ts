/**
 * Micro-benchmark of the request counters (`deno task bench:micro`): one
 * `record()` per request, counts by status in an array and by route in
 * counters changed in place (`Metrics`), against two `Map`s looked up and
 * stored again (tests/reference/metrics.ts, the baseline).
 *
 * @module
 */

import { Metrics } from "../src/server/metrics.ts";
import { ReferenceMetrics } from "../tests/reference/metrics.ts";

const ROUTES = ["/", "/users/:id", "/api/items", "(unmatched)"];
const STATUSES = [200, 200, 404, 304];
const reference = new ReferenceMetrics();
const metrics = new Metrics();
let turn = 0;

Deno.bench({
  name: "record: reference, two Maps (ReferenceMetrics.record)",
  group: "record",
  baseline: true,
  fn() {
    const i = ++turn & 3;
    reference.record(ROUTES[i]!, STATUSES[i]!);
  },
});
Deno.bench({
  name: "record: optimised, an array by status, counters in place (Metrics.record)",
  group: "record",
  fn() {
    const i = ++turn & 3;
    metrics.record(ROUTES[i]!, STATUSES[i]!);
  },
});
const METHODS = ["GET", "GET", "POST", "HEAD"];
Deno.bench({
  name: "observe: record + latency histogram + body bytes (Metrics.observe)",
  group: "record",
  fn() {
    const i = ++turn & 3;
    metrics.observe(ROUTES[i]!, STATUSES[i]!, METHODS[i]!, 0.0004 * i, 0, 120);
  },
});
Deno.bench({
  name: "observe + the clock read for the duration (performance.now())",
  group: "record",
  fn() {
    const i = ++turn & 3;
    metrics.observe(ROUTES[i]!, STATUSES[i]!, METHODS[i]!, performance.now() / 1e9, 0, 120);
  },
});
