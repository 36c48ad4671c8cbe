/**
 * Gives memory back after a burst: once a listener has been quiet for a
 * while after work, it asks V8 for a memory-reducing collection.
 *
 * V8 collects garbage when it allocates, so a server that just went quiet
 * keeps whatever a burst of connections took, however little of it is still
 * live: its young generation, grown to its maximum under load, and the pages
 * of its old generation. Measured after 30 s of new connections on the demo
 * program: 124 MiB held indefinitely (47 MiB before the load); one such
 * collection brought it to 63 MiB in 37 ms. Deno.serve stays flat because its
 * per-connection state lives in Rust, not in the JavaScript heap.
 *
 * Browsers run such collections in idle time; Deno does not, so the program
 * does (a library never should: `src/program/main.ts` and the cluster's listeners
 * start this, not `Server`). It needs V8's `gc()`, which the `--expose-gc`
 * V8 flag provides: `deno task start`, the compiled binary and the image pass
 * it. "Quiet" means fewer than {@link QUIET_EVENTS_PER_SECOND} connections
 * and requests a second over the whole delay, not none: a load balancer's
 * health probe every second must not keep the memory of a burst forever.
 * A collection runs only when the heap grew by {@link MIN_GROWTH_BYTES}
 * since the last, so a quiet server's probes do not cost one each. A long
 * response still streaming may wait out one collection.
 *
 * @module
 */

/**
 * Collect only when this isolate's heap grew by this much since the last
 * collection (or the start): 16 MiB. The heap, not RSS: under `--listeners N`
 * each listener has its own isolate, and one listener's collection lowers
 * the process's RSS for all of them.
 */
export const MIN_GROWTH_BYTES = 16 * 1024 * 1024;

/**
 * Below this many connections plus requests a second, a listener is quiet:
 * 10, which a health probe (two a probe) every 200 ms stays under, and
 * traffic that would grow the heap 16 MiB does not.
 */
export const QUIET_EVENTS_PER_SECOND = 10;

/** What {@link collectWhenIdle} watches and calls. */
export interface IdleCollectorOptions {
  /** How long the listener must be quiet before collecting, ms (IDLE_GC_AFTER). */
  readonly afterMs: number;
  /** A number that changes whenever the listener works (connections accepted plus requests). */
  readonly activity: () => number;
  /** This isolate's heap size now, in bytes (default: `Deno.memoryUsage().heapTotal`). */
  readonly heap?: () => number;
  /** The collection (default: V8's `gc()` in its memory-reducing form). */
  readonly collect?: () => void;
}

/** V8's `gc()`, when the `--expose-gc` flag exposed it; null otherwise. */
export function exposedGc(): ((options?: unknown) => void) | null {
  const gc = (globalThis as { gc?: unknown }).gc;
  return typeof gc === "function" ? gc as (options?: unknown) => void : null;
}

/** V8's most thorough collection: it also shrinks the young generation and returns free pages. */
function reduceMemory(): void {
  exposedGc()?.({ type: "major", execution: "sync", flavor: "last-resort" });
}

/**
 * The decision, apart from the timer: {@link check} is called a few times
 * per delay with the clock, and collects once the listener has been quiet
 * for `afterMs` (fewer than {@link QUIET_EVENTS_PER_SECOND} events a second
 * over that whole time), if the heap grew by {@link MIN_GROWTH_BYTES} since
 * the last collection (or the start).
 */
export class IdleCollector {
  readonly #options: IdleCollectorOptions;
  readonly #heap: () => number;
  readonly #collect: () => void;
  /** (time, activity) readings, oldest first, reaching back at least `afterMs`. */
  readonly #readings: Array<{ readonly at: number; readonly activity: number }> = [];
  #floor: number;
  #collections = 0;

  constructor(options: IdleCollectorOptions, now: number) {
    this.#options = options;
    this.#heap = options.heap ?? (() => Deno.memoryUsage().heapTotal);
    this.#collect = options.collect ?? reduceMemory;
    this.#readings.push({ at: now, activity: options.activity() });
    this.#floor = this.#heap();
  }

  /** Collections run so far. */
  get collections(): number {
    return this.#collections;
  }

  /** Looks at the activity at time `now` (ms), and collects if it is time to. */
  check(now: number): void {
    const { afterMs, activity } = this.#options;
    const readings = this.#readings;
    readings.push({ at: now, activity: activity() });
    // Keep one reading at or before the window's start, and none older.
    while (readings.length > 2 && readings[1]!.at <= now - afterMs) readings.shift();
    const first = readings[0]!;
    if (now - first.at < afterMs) return; // not watched that long yet
    const events = readings[readings.length - 1]!.activity - first.activity;
    if (events >= QUIET_EVENTS_PER_SECOND * (now - first.at) / 1000) return;
    if (this.#heap() - this.#floor < MIN_GROWTH_BYTES) return;
    this.#collect();
    this.#collections++;
    this.#floor = this.#heap();
  }
}

/**
 * Starts an {@link IdleCollector} on a timer that never keeps the process
 * alive; `stop()` ends it (at shutdown).
 *
 * @example
 * ```ts ignore
 * const collector = collectWhenIdle({ afterMs: 2000, activity: () => requests });
 * // at shutdown:
 * collector.stop();
 * ```
 */
export function collectWhenIdle(options: IdleCollectorOptions): { stop(): void } {
  const collector = new IdleCollector(options, performance.now());
  // Checked a few times per delay (at most once a second): the collection
  // comes between one and about 1.25 delays after the last activity.
  const timer = setInterval(
    () => collector.check(performance.now()),
    Math.min(1000, Math.max(10, options.afterMs / 4)),
  );
  Deno.unrefTimer(timer);
  return { stop: () => clearInterval(timer) };
}
