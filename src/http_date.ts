/**
 * The `Date` header value (RFC 9110 §6.6.1, IMF-fixdate), cached per second.
 *
 * Formatting a date for every response is measurable work; the value only
 * changes once a second, so it is formatted at most once a second.
 *
 * @module
 */

let cachedSecond = -1;
let cachedValue = "";

/**
 * The current time as an IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
 *
 * @example
 * ```ts
 * import { httpDate } from "./http_date.ts";
 * httpDate().endsWith(" GMT"); // true
 * ```
 */
export function httpDate(now: number = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedValue = new Date(second * 1000).toUTCString();
  }
  return cachedValue;
}
