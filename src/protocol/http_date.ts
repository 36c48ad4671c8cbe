/**
 * The `Date` header value (RFC 9110 §6.6.1, IMF-fixdate), cached per second.
 *
 * Formatting a date for every response is measurable work, and so is reading
 * the clock (`Date.now()` costs about 55 ns here, 2-3% of a small keep-alive
 * request's JavaScript). The value only changes once a second, so, as Node
 * does, {@link currentHttpDate} keeps it until a timer says the second is
 * over: responses read a variable, and the clock is read once a second.
 *
 * @module
 */

/**
 * The time `now` (ms since the epoch) as an IMF-fixdate, e.g.
 * `Sun, 06 Nov 1994 08:49:37 GMT`.
 *
 * @example
 * ```ts
 * import { httpDate } from "./http_date.ts";
 * httpDate(0); // "Thu, 01 Jan 1970 00:00:00 GMT"
 * ```
 */
export function httpDate(now: number): string {
  // Rounded down: a time inside a second names that second. (Only
  // DateCache calls this on the serving path, once a second.)
  return new Date(Math.floor(now / 1000) * 1000).toUTCString();
}

/** Runs `expire` after `ms` without keeping the process alive. */
export type Scheduler = (expire: () => void, ms: number) => void;

function unrefTimeout(expire: () => void, ms: number): void {
  Deno.unrefTimer(setTimeout(expire, ms));
}

/**
 * The current time as an IMF-fixdate, formatted when first asked in a second
 * and kept until a timer set for the end of that second clears it. A timer
 * that runs late (a busy event loop) keeps the value that much longer, as
 * Node's does; a clock step shows at the next second.
 */
export class DateCache {
  #value: string | null = null;
  readonly #now: () => number;
  readonly #schedule: Scheduler;
  readonly #expire = (): void => {
    this.#value = null;
  };

  constructor(now: () => number = Date.now, schedule: Scheduler = unrefTimeout) {
    this.#now = now;
    this.#schedule = schedule;
  }

  /** The current second's value. */
  get(): string {
    if (this.#value === null) {
      const now = this.#now();
      this.#value = httpDate(now);
      this.#schedule(this.#expire, 1000 - (now % 1000));
    }
    return this.#value;
  }
}

const current = new DateCache();

/**
 * The current time as an IMF-fixdate, for a response's `Date` header.
 *
 * @example
 * ```ts
 * import { currentHttpDate } from "./http_date.ts";
 * currentHttpDate().endsWith(" GMT"); // true
 * ```
 */
export function currentHttpDate(): string {
  return current.get();
}
