/**
 * Request counters for `/metrics`, with a bounded per-path table.
 *
 * A client can request any number of distinct paths, so the per-path table
 * holds at most `maxPaths` entries; once full, requests to paths not already
 * in it are counted under {@link OTHER_PATHS}. Existing entries keep counting,
 * so the routes that were busy early (usually the real ones) stay visible.
 *
 * @example
 * ```ts
 * import { Metrics } from "./metrics.ts";
 * const m = new Metrics(2);
 * m.record("/a", 200); m.record("/b", 404); m.record("/c", 404);
 * m.snapshot().requests_by_path; // { "/a": 1, "/b": 1, "(other)": 1 }
 * ```
 *
 * @module
 */

/** The bucket that collects paths once the per-path table is full. */
export const OTHER_PATHS = "(other)";

/** What `/metrics` reports about requests. */
export interface RequestCounts {
  /** Requests answered (observability routes excluded). */
  readonly requests_total: number;
  /** Status code → count. */
  readonly requests_by_status: Record<string, number>;
  /** Path → count, highest count first. */
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
}

/** Counters of answered requests and of connections. */
export class Metrics {
  /** How many distinct paths are counted one by one. */
  readonly maxPaths: number;
  #total = 0;
  /**
   * Counts by status, indexed by the status code (every status we send is
   * 100-599): an index per request instead of a map's lookup and store.
   */
  readonly #byStatus = new Float64Array(600);
  /** Counts by path, as counters changed in place: one map lookup per request, no store. */
  readonly #byPath = new Map<string, Counter>();
  #other = 0;
  #open = 0;
  #accepted = 0;
  #refused = 0;

  /**
   * Counters with an empty table.
   *
   * @param maxPaths how many distinct paths to count individually
   */
  constructor(maxPaths: number) {
    this.maxPaths = maxPaths;
  }

  /**
   * Counts one answered request. `path` is null for requests refused before
   * their path was known (malformed heads): they count by status only.
   */
  record(path: string | null, status: number): void {
    this.#total++;
    const byStatus = this.#byStatus;
    if (status >= 0 && status < byStatus.length) byStatus[status] = byStatus[status]! + 1;
    if (path === null) return;
    const counter = this.#byPath.get(path);
    if (counter !== undefined) counter.count++;
    else if (this.#byPath.size < this.maxPaths) this.#byPath.set(path, new Counter());
    else this.#other++;
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

  /** Counts a connection refused over the cap. */
  connectionRefused(): void {
    this.#refused++;
  }

  /** Connection counts right now. */
  connections(): ConnectionStats {
    return { open: this.#open, accepted: this.#accepted, refused: this.#refused };
  }

  /** The request counts now, as plain JSON-ready objects. */
  snapshot(): RequestCounts {
    const byStatus: Record<string, number> = {};
    this.#byStatus.forEach((n, status) => {
      if (n > 0) byStatus[String(status)] = n;
    });
    const paths = [...this.#byPath].map(([path, c]): [string, number] => [path, c.count])
      .sort(busiestFirst);
    if (this.#other > 0) paths.push([OTHER_PATHS, this.#other]);
    return {
      requests_total: this.#total,
      requests_by_status: byStatus,
      requests_by_path: Object.fromEntries(paths),
    };
  }
}

/** One path's count, changed in place. */
class Counter {
  count = 1;
}

/** Path table order: highest count first, then by path, so the order is stable. */
function busiestFirst(a: [string, number], b: [string, number]): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : 1);
}

/**
 * Sums the counts of several servers (the listeners of `--workers N`) into
 * one, with the per-path table bounded by `maxPaths` again: the busiest paths
 * stay, the rest join {@link OTHER_PATHS}.
 */
export function mergeCounts(all: readonly RequestCounts[], maxPaths: number): RequestCounts {
  let total = 0;
  const byStatus = new Map<string, number>();
  const byPath = new Map<string, number>();
  let other = 0;
  for (const counts of all) {
    total += counts.requests_total;
    for (const [status, n] of Object.entries(counts.requests_by_status)) {
      byStatus.set(status, (byStatus.get(status) ?? 0) + n);
    }
    for (const [path, n] of Object.entries(counts.requests_by_path)) {
      if (path === OTHER_PATHS) other += n;
      else byPath.set(path, (byPath.get(path) ?? 0) + n);
    }
  }
  const paths = [...byPath].sort(busiestFirst);
  for (const [, n] of paths.splice(maxPaths)) other += n;
  if (other > 0) paths.push([OTHER_PATHS, other]);
  return {
    requests_total: total,
    requests_by_status: Object.fromEntries(
      [...byStatus].sort((a, b) => Number(a[0]) - Number(b[0])),
    ),
    requests_by_path: Object.fromEntries(paths),
  };
}
