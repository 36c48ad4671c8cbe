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

/**
 * The latency histogram's upper bounds, in seconds: OpenTelemetry's advice for
 * `http.server.request.duration` (Deno's own `Deno.serve` metrics use them too),
 * 5 ms to 10 s; slower requests land in `+Inf`.
 */
export const DURATION_BUCKETS: readonly number[] = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.075,
  0.1,
  0.25,
  0.5,
  0.75,
  1,
  2.5,
  5,
  7.5,
  10,
];

/**
 * The methods the histogram labels by name; any other (whatever a client
 * sends) is counted as {@link OTHER_METHOD}, so the label stays bounded.
 */
export const KNOWN_METHODS: readonly string[] = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "PATCH",
  "OPTIONS",
  "CONNECT",
  "TRACE",
];

/** The method label of every method not in {@link KNOWN_METHODS} (OpenTelemetry's name). */
export const OTHER_METHOD = "_OTHER";

const METHOD_LABELS = [...KNOWN_METHODS, OTHER_METHOD];
const CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/** One row of the latency histogram: counts per bucket, cumulative, then `+Inf` (the count). */
export interface DurationSeries {
  /** A method of {@link KNOWN_METHODS}, or {@link OTHER_METHOD}. */
  readonly method: string;
  /** The route as registered, or {@link UNMATCHED_ROUTE}. */
  readonly route: string;
  /** `1xx` to `5xx`. */
  readonly status_class: string;
  /** Requests at or under each of {@link DURATION_BUCKETS}, cumulative. */
  readonly buckets: number[];
  /** Requests in this row (the `+Inf` bucket). */
  readonly count: number;
  /** Their durations summed, in seconds. */
  readonly sum: number;
}

/** What `/metrics` reports beyond the reference's counts: latency and bytes. */
export interface RequestTraffic {
  /** The histogram's rows, by method, route and status class. */
  readonly request_duration_seconds: DurationSeries[];
  /** Request body bytes received, of counted requests. */
  readonly request_body_bytes_total: number;
  /** Response body bytes sent (without head or chunked framing), of counted requests. */
  readonly response_body_bytes_total: number;
}

/** The index of `method` in the histogram's method labels: a switch, no lookup. */
function methodIndex(method: string): number {
  switch (method) {
    case "GET":
      return 0;
    case "HEAD":
      return 1;
    case "POST":
      return 2;
    case "PUT":
      return 3;
    case "DELETE":
      return 4;
    case "PATCH":
      return 5;
    case "OPTIONS":
      return 6;
    case "CONNECT":
      return 7;
    case "TRACE":
      return 8;
    default:
      return 9;
  }
}

/** One histogram row, changed in place: counts per bucket (not cumulative), the last `+Inf`. */
class Histogram {
  readonly counts = new Float64Array(DURATION_BUCKETS.length + 1);
  sum = 0;
  observe(seconds: number): void {
    const bounds = DURATION_BUCKETS;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]!) i++;
    this.counts[i] = this.counts[i]! + 1;
    this.sum += seconds;
  }
}

/** Counters of answered requests and of connections. */
export class Metrics {
  /**
   * Whether requests are timed for the latency histogram. Off until
   * something reads the histogram (`metricsHandler` turns it on), so a
   * server nobody scrapes reads no clock per request (each read costs
   * ~0.1 µs here); with the access log on, its clock reads serve both.
   */
  timing = false;
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
  #requestBytes = 0;
  #responseBytes = 0;
  /**
   * Requests read and not yet answered, counted when `/metrics` is read (the
   * server sets it: nothing to count per request); null reports 0.
   */
  inFlight: (() => number) | null = null;

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

  /**
   * Counts one answered request of a counted route, as {@link record} does,
   * and adds it to the latency histogram (by method, route and status
   * class) and to the body byte counters. `seconds` is its duration.
   */
  observe(
    route: string,
    status: number,
    method: string,
    seconds: number,
    requestBytes: number,
    responseBytes: number,
  ): void {
    this.#total++;
    const byStatus = this.#byStatus;
    if (status >= 0 && status < byStatus.length) byStatus[status] = byStatus[status]! + 1;
    this.#requestBytes += requestBytes;
    this.#responseBytes += responseBytes;
    let counter = this.#byRoute.get(route);
    if (counter !== undefined) counter.count++;
    else this.#byRoute.set(route, counter = new Counter());
    const cls = ((status / 100) | 0) - 1;
    const slot = methodIndex(method) * 5 + (cls >= 0 && cls < 5 ? cls : 4);
    if (seconds < 0) return; // not timed (see `timing`)
    let h = counter.histograms[slot];
    if (h === undefined) h = counter.histograms[slot] = new Histogram();
    h.observe(seconds);
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

  /** Latency and body bytes, JSON-ready: histogram rows sorted by route, method, class. */
  traffic(): RequestTraffic {
    const rows: DurationSeries[] = [];
    const routes = [...this.#byRoute.keys()].sort();
    for (const route of routes) {
      const histograms = this.#byRoute.get(route)!.histograms;
      for (let slot = 0; slot < histograms.length; slot++) {
        const h = histograms[slot];
        if (h === undefined) continue;
        const buckets: number[] = [];
        let n = 0;
        for (let i = 0; i < DURATION_BUCKETS.length; i++) buckets.push(n += h.counts[i]!);
        rows.push({
          method: METHOD_LABELS[(slot / 5) | 0]!,
          route,
          status_class: CLASSES[slot % 5]!,
          buckets,
          count: n + h.counts[DURATION_BUCKETS.length]!,
          sum: h.sum,
        });
      }
    }
    return {
      request_duration_seconds: rows,
      request_body_bytes_total: this.#requestBytes,
      response_body_bytes_total: this.#responseBytes,
    };
  }

  /** Requests read and not yet answered, now (see {@link inFlight}). */
  requestsInFlight(): number {
    return this.inFlight === null ? 0 : this.inFlight();
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
  /** Histogram rows by method index × 5 + status class index, made on first use. */
  readonly histograms: (Histogram | undefined)[] = [];
}

/** Route table order: highest count first, then by name, so the order is stable. */
function busiestFirst(a: [string, number], b: [string, number]): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : 1);
}

/** Sums the latency and bytes of several servers (the listeners of `--listeners N`). */
export function mergeTraffic(all: readonly RequestTraffic[]): RequestTraffic {
  const rows = new Map<string, DurationSeries>();
  let requestBytes = 0;
  let responseBytes = 0;
  for (const t of all) {
    requestBytes += t.request_body_bytes_total;
    responseBytes += t.response_body_bytes_total;
    for (const row of t.request_duration_seconds) {
      const key = `${row.route}\n${row.method}\n${row.status_class}`;
      const seen = rows.get(key);
      if (seen === undefined) {
        rows.set(key, { ...row, buckets: [...row.buckets] });
        continue;
      }
      const buckets = seen.buckets.map((n, i) => n + (row.buckets[i] ?? 0));
      rows.set(key, { ...seen, buckets, count: seen.count + row.count, sum: seen.sum + row.sum });
    }
  }
  return {
    request_duration_seconds: [...rows.values()].sort((a, b) =>
      a.route < b.route ? -1 : a.route > b.route ? 1 : 0
    ),
    request_body_bytes_total: requestBytes,
    response_body_bytes_total: responseBytes,
  };
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
