/**
 * The plain reference path for `src/protocol/http_date.ts`'s date cache
 * (`DateCache`, `currentHttpDate()`): the `Date` value formatted afresh
 * from the clock for every response, as an IMF-fixdate (RFC 9110 §5.6.7)
 * built from its parts. What the cache gives must equal this for the
 * current second (tests/protocol/http_date_reference_test.ts); what it
 * saves is timed in bench/http_date_bench.ts.
 *
 * @module
 */

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** The second that contains `ms` (ms since the epoch), as an IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`. */
export function referenceHttpDate(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate(), 2)} ${MONTHS[d.getUTCMonth()]} ` +
    `${pad(d.getUTCFullYear(), 4)} ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:` +
    `${pad(d.getUTCSeconds(), 2)} GMT`;
}
