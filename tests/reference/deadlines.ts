/**
 * The plain reference path for `src/io/deadlines.ts`: a list of deadlines,
 * each kept as the time it is due, as a `setTimeout` per read and write
 * would keep them. It is what the timing wheel (one timer, slots of
 * RESOLUTION_MS, a watchdog's entry kept while its deadline moves later) and
 * `Watchdog.setAfter` (a timeout fixed at the wheel's next tick) are compared
 * against (tests/io/deadlines_reference_test.ts) and timed against
 * (bench/deadlines_bench.ts, with real timers).
 *
 * @module
 */

/** One deadline per owner: set, moved, cleared, and due once its time has come. */
export class ReferenceDeadlines<K> {
  readonly #due = new Map<K, number>();

  /** Sets `owner`'s deadline to `at` (replacing any). */
  set(owner: K, at: number): void {
    this.#due.set(owner, at);
  }

  /** Unsets `owner`'s deadline. */
  clear(owner: K): void {
    this.#due.delete(owner);
  }

  /** `owner`'s deadline, or null when none is set. */
  get(owner: K): number | null {
    return this.#due.get(owner) ?? null;
  }

  /** Every owner whose deadline has come at `now`, with its deadline. */
  due(now: number): Array<[K, number]> {
    return [...this.#due].filter(([, at]) => at <= now);
  }
}
