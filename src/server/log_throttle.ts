/**
 * At most one log line a second for one kind of event a client can cause at
 * will (a failed TLS handshake): a flood costs a line a second, not a line
 * per connection, and the line says how many were not logged since.
 *
 * @module
 */

/** Decides which events of one kind are logged; the others are counted. */
export class LogThrottle {
  readonly #everyMs: number;
  #last = -Infinity;
  #skipped = 0;

  /** At most one logged event every `everyMs` (default 1000). */
  constructor(everyMs = 1000) {
    this.#everyMs = everyMs;
  }

  /**
   * Whether to log this event, given the time now: null when it is to be
   * skipped, else the number skipped since the last one logged.
   */
  take(now: number = performance.now()): number | null {
    if (now - this.#last < this.#everyMs) {
      this.#skipped++;
      return null;
    }
    this.#last = now;
    const skipped = this.#skipped;
    this.#skipped = 0;
    return skipped;
  }
}
