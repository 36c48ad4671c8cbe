/**
 * The plain reference path for `src/server/metrics.ts`'s request counters
 * (`Metrics.record()`, `Metrics.snapshot()`): counts by status and by route
 * in two `Map`s, looked up and stored again for every request, where the
 * optimised path indexes an array by status and changes a route's counter in
 * place. Compared against in tests/server/metrics_reference_test.ts, timed
 * against in bench/metrics_bench.ts.
 *
 * @module
 */

import type { RequestCounts } from "../../src/server/metrics.ts";

/** Request counters in plain maps. Statuses are those the server sends (100-599). */
export class ReferenceMetrics {
  #total = 0;
  readonly #byStatus = new Map<number, number>();
  readonly #byRoute = new Map<string, number>();

  /** Counts one request: by status, and by route unless `route` is null. */
  record(route: string | null, status: number): void {
    this.#total++;
    this.#byStatus.set(status, (this.#byStatus.get(status) ?? 0) + 1);
    if (route !== null) this.#byRoute.set(route, (this.#byRoute.get(route) ?? 0) + 1);
  }

  /** The report: statuses in ascending order, routes busiest first, then by name. */
  snapshot(): RequestCounts {
    const statuses = [...this.#byStatus].sort((a, b) => a[0] - b[0]);
    const routes = [...this.#byRoute].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return {
      requests_total: this.#total,
      requests_by_status: Object.fromEntries(statuses.map(([s, n]) => [String(s), n])),
      requests_by_path: Object.fromEntries(routes),
    };
  }
}
