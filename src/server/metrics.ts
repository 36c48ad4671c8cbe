/**
 * Request counters for `/metrics`, by status and by route.
 *
 * Requests are counted under the route that answered them, as registered
 * (`/users/:id`, not `/users/7`), and every request no route matched under
 * one name, {@link UNMATCHED_ROUTE}. So the table has at most one row per
 * route of the app, whatever paths clients send: a scanner asking for
 * `/.env` and `/wp-login.php` adds to one row, and cannot push a real route
 * out of the table. Routes registered with `metered: false` (`/health`,
 * `/metrics`) are not counted at all, whatever the method.
 *
 * @example
 * ```ts
 * import { Metrics, UNMATCHED_ROUTE } from "./metrics.ts";
 * const m = new Metrics();
 * m.record("/users/:id", 200); m.record("/users/:id", 404); m.record(UNMATCHED_ROUTE, 404);
 * m.snapshot().requests_by_path; // { "/users/:id": 2, "(unmatched)": 1 }
 * ```
 *
 * @module
 */

/** The row of requests that matched no route (404s, whatever their path). */
export const UNMATCHED_ROUTE = "(unmatched)";

/** What `/metrics` reports about requests. */
export interface RequestCounts {
  /** Requests answered (observability routes excluded). */
  readonly requests_total: number;
  /** Status code → count. */
  readonly requests_by_status: Record<string, number>;
  /**
   * Route → count, highest count first. Keyed by route as registered (the
   * path itself for an exact route), plus {@link UNMATCHED_ROUTE}; the name
   * is the reference server's.
   */
  readonly requests_by_path: Record<string, number>;
}

/** Connection counts, kept by the server. */
export interface ConnectionStats {
  /** Connections open now. */
  readonly open: number;
  /** Connections accepted since start. */
  readonly accepted: number;
  /** Refused over MAX_CONNECTIONS. */
  readonly refused: number;
  /** Of the open connections, those upgraded to a WebSocket. */
  readonly websockets: number;
  /** Connections upgraded to a WebSocket since start. */
  readonly websockets_total: number;
}

/** Counters of answered requests and of connections. */
export class Metrics {
  #total = 0;
  /**
   * Counts by status, indexed by the status code (every status we send is
   * 100-599): an index per request instead of a map's lookup and store.
   */
  readonly #byStatus = new Float64Array(600);
  /** Counts by route, as counters changed in place: one map lookup per request, no store. */
  readonly #byRoute = new Map<string, Counter>();
  #open = 0;
  #accepted = 0;
  #refused = 0;
  #websockets = 0;
  #websocketsTotal = 0;

  /**
   * Counts one answered request. `route` is the route that answered
   * (its `pattern`, or {@link UNMATCHED_ROUTE}); null for requests
   * refused before they were routed (malformed heads): they count by status only.
   */
  record(route: string | null, status: number): void {
    this.#total++;
    const byStatus = this.#byStatus;
    if (status >= 0 && status < byStatus.length) byStatus[status] = byStatus[status]! + 1;
    if (route === null) return;
    const counter = this.#byRoute.get(route);
    if (counter !== undefined) counter.count++;
    else this.#byRoute.set(route, new Counter());
  }

  /** Requests answered so far (the total `/metrics` reports), without building a snapshot. */
  get requests(): number {
    return this.#total;
  }

  /** Counts a connection the server accepted. */
  connectionOpened(): void {
    this.#open++;
    this.#accepted++;
  }

  /** Counts a connection that closed. */
  connectionClosed(): void {
    this.#open--;
  }

  /** Counts a connection upgraded to a WebSocket (it stays open, and counted open). */
  websocketOpened(): void {
    this.#websockets++;
    this.#websocketsTotal++;
  }

  /** Counts an upgraded connection's WebSocket that closed. */
  websocketClosed(): void {
    this.#websockets--;
  }

  /** Counts a connection refused over the cap. */
  connectionRefused(): void {
    this.#refused++;
  }

  /** Connection counts right now. */
  connections(): ConnectionStats {
    return {
      open: this.#open,
      accepted: this.#accepted,
      refused: this.#refused,
      websockets: this.#websockets,
      websockets_total: this.#websocketsTotal,
    };
  }

  /** The request counts now, as plain JSON-ready objects. */
  snapshot(): RequestCounts {
    const byStatus: Record<string, number> = {};
    this.#byStatus.forEach((n, status) => {
      if (n > 0) byStatus[String(status)] = n;
    });
    const routes = [...this.#byRoute].map(([route, c]): [string, number] => [route, c.count])
      .sort(busiestFirst);
    return {
      requests_total: this.#total,
      requests_by_status: byStatus,
      requests_by_path: Object.fromEntries(routes),
    };
  }
}

/** One route's count, changed in place. */
class Counter {
  count = 1;
}

/** Route table order: highest count first, then by name, so the order is stable. */
function busiestFirst(a: [string, number], b: [string, number]): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : 1);
}

/** Sums the counts of several servers (the listeners of `--workers N`) into one. */
export function mergeCounts(all: readonly RequestCounts[]): RequestCounts {
  let total = 0;
  const byStatus = new Map<string, number>();
  const byRoute = new Map<string, number>();
  for (const counts of all) {
    total += counts.requests_total;
    for (const [status, n] of Object.entries(counts.requests_by_status)) {
      byStatus.set(status, (byStatus.get(status) ?? 0) + n);
    }
    for (const [route, n] of Object.entries(counts.requests_by_path)) {
      byRoute.set(route, (byRoute.get(route) ?? 0) + n);
    }
  }
  return {
    requests_total: total,
    requests_by_status: Object.fromEntries(
      [...byStatus].sort((a, b) => Number(a[0]) - Number(b[0])),
    ),
    requests_by_path: Object.fromEntries([...byRoute].sort(busiestFirst)),
  };
}
