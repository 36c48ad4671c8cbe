/**
 * Conditional and range requests for a file, as pure functions of header
 * values: the preconditions in RFC 9110 §13.2.2's order, `If-Range`, and
 * `Range: bytes=` (RFC 9110 §14).
 *
 * @module
 */

/** What a file's validators are: its entity tag and its modification time in whole seconds. */
export interface Validators {
  /** A strong entity tag, quotes included. */
  readonly etag: string;
  /** Milliseconds since the epoch, truncated to whole seconds; null when unknown. */
  readonly modified: number | null;
}

/** The header values the preconditions read (null when absent). */
export interface Conditions {
  readonly ifMatch: string | null;
  readonly ifUnmodifiedSince: string | null;
  readonly ifNoneMatch: string | null;
  readonly ifModifiedSince: string | null;
}

/**
 * The preconditions in RFC 9110 §13.2.2's order for a GET or HEAD:
 * If-Match, else If-Unmodified-Since (failing: 412); If-None-Match, else
 * If-Modified-Since (failing: 304). "pass" means: answer as usual.
 */
export function evaluate(c: Conditions, v: Validators): "pass" | 304 | 412 {
  if (c.ifMatch !== null) {
    if (!tagListMatches(c.ifMatch, v.etag, true)) return 412;
  } else if (c.ifUnmodifiedSince !== null && v.modified !== null) {
    const since = parseHttpDate(c.ifUnmodifiedSince);
    if (since !== null && v.modified > since) return 412;
  }
  if (c.ifNoneMatch !== null) {
    if (tagListMatches(c.ifNoneMatch, v.etag, false)) return 304;
  } else if (c.ifModifiedSince !== null && v.modified !== null) {
    const since = parseHttpDate(c.ifModifiedSince);
    if (since !== null && v.modified <= since) return 304;
  }
  return "pass";
}

/**
 * Whether a list of entity tags (or `*`) names `etag`: strongly (a `W/` tag
 * never matches, for If-Match and If-Range) or weakly (the `W/` is ignored,
 * for If-None-Match), RFC 9110 §8.8.3.2.
 */
export function tagListMatches(header: string, etag: string, strong: boolean): boolean {
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => {
    const t = tag.trim();
    if (t.startsWith("W/")) return !strong && t.slice(2) === etag;
    return t === etag;
  });
}

/**
 * The three forms of HTTP-date (RFC 9110 §5.6.7): IMF-fixdate
 * (`Sun, 06 Nov 1994 08:49:37 GMT`), the obsolete RFC 850 form
 * (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`).
 */
const HTTP_DATE = new RegExp(
  "^(?:[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT" +
    "|[A-Z][a-z]{5,8}, \\d{2}-[A-Z][a-z]{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} GMT" +
    "|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2} \\d{4})$",
);

/**
 * An HTTP-date in ms, or null for anything else: a value that is not one is
 * to be ignored (RFC 9110 §13.1.3-4), not read as whatever `Date.parse` makes
 * of it (`2000`, `1`).
 */
export function parseHttpDate(value: string): number | null {
  if (!HTTP_DATE.test(value)) return null;
  const ms = Date.parse(value.endsWith("GMT") ? value : `${value} GMT`);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * Whether `If-Range` lets a Range apply (RFC 9110 §13.1.5): absent, or a
 * strong entity tag equal to ours, or a date exactly our modification time.
 */
export function ifRangeHolds(header: string | null, v: Validators): boolean {
  if (header === null) return true;
  const value = header.trim();
  if (value.startsWith('"') || value.startsWith("W/")) return value === v.etag;
  const date = parseHttpDate(value);
  return date !== null && v.modified !== null && date === v.modified;
}

/** A byte range to send: `start` to `end`, both inclusive. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * What a Range header asks of a representation of `size` bytes:
 * - "ignore": not a `bytes=` range we read (syntax), so the whole file, 200;
 * - "unsatisfiable": no range overlaps the file, 416;
 * - "whole": several satisfiable ranges, served as the whole file with 200
 *   (a client may; no `multipart/byteranges`, see docs/static_files.md);
 * - one ByteRange: 206 with that part.
 */
export function parseRange(
  header: string,
  size: number,
): ByteRange | "ignore" | "unsatisfiable" | "whole" {
  const eq = header.indexOf("=");
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== "bytes") return "ignore";
  const ranges: ByteRange[] = [];
  let specs = 0;
  for (const spec of header.slice(eq + 1).split(",")) {
    const s = spec.trim();
    if (s === "") continue; // empty list elements are allowed (RFC 9110 §5.6.1)
    specs++;
    const m = /^(\d*)-(\d*)$/.exec(s);
    if (m === null || (m[1] === "" && m[2] === "")) return "ignore";
    const first = m[1] === "" ? null : Number(m[1]);
    const last = m[2] === "" ? null : Number(m[2]);
    if (first === null) { // suffix: the last `last` bytes
      if (last! > 0 && size > 0) ranges.push({ start: Math.max(0, size - last!), end: size - 1 });
      continue;
    }
    if (last !== null && last < first) return "ignore"; // invalid, RFC 9110 §14.1.1
    if (first >= size) continue; // unsatisfiable on its own
    ranges.push({ start: first, end: last === null ? size - 1 : Math.min(last, size - 1) });
  }
  if (specs === 0) return "ignore";
  if (ranges.length === 0) return "unsatisfiable";
  return ranges.length === 1 ? ranges[0]! : "whole";
}
