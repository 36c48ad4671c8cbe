/**
 * Gives memory back after a burst: once a listener has been idle for a
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
 * does (a library never should: `src/main.ts` and the cluster's listeners
 * start this, not `Server`). It needs V8's `gc()`, which the `--expose-gc`
 * V8 flag provides: `deno task start`, the compiled binary and the image pass
 * it. A collection runs only when the heap grew by {@link MIN_GROWTH_BYTES}
 * since the last, so a health probe every few seconds does not cost one each.
 * A listener counts as idle while nothing new happens, even with a long
 * response still streaming: that response then waits out one collection.
 *
 * @module
 */

/**
 * Collect only when this isolate's heap grew by this much since the last
 * collection (or the start): 16 MiB. The heap, not RSS: under `--workers N`
 * each listener has its own isolate, and one listener's collection lowers
 * the process's RSS for all of them.
 */
export const MIN_GROWTH_BYTES = 16 * 1024 * 1024;

/** What {@link collectWhenIdle} watches and calls. */
export interface IdleCollectorOptions {
  /** How long the listener must be idle after work before collecting, ms (IDLE_GC_AFTER). */
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
 * per delay with the clock, and collects once activity has stood still for
 * `afterMs` after a change, if the heap grew by {@link MIN_GROWTH_BYTES}
 * since the last collection (or the start).
 */
export class IdleCollector {
  readonly #options: IdleCollectorOptions;
  readonly #heap: () => number;
  readonly #collect: () => void;
  #seen: number;
  #changedAt: number;
  #pending = false;
  #floor: number;
  #collections = 0;

  constructor(options: IdleCollectorOptions, now: number) {
    this.#options = options;
    this.#heap = options.heap ?? (() => Deno.memoryUsage().heapTotal);
    this.#collect = options.collect ?? reduceMemory;
    this.#seen = options.activity();
    this.#changedAt = now;
    this.#floor = this.#heap();
  }

  /** Collections run so far. */
  get collections(): number {
    return this.#collections;
  }

  /** Looks at the activity at time `now` (ms), and collects if it is time to. */
  check(now: number): void {
    const activity = this.#options.activity();
    if (activity !== this.#seen) {
      this.#seen = activity;
      this.#changedAt = now;
      this.#pending = true;
      return;
    }
    if (!this.#pending || now - this.#changedAt < this.#options.afterMs) return;
    this.#pending = false;
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
