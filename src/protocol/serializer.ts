/**
 * Turns a response into the bytes of an HTTP/1.1 message (RFC 9112 §4, §6).
 *
 * The head is status line, the handler's fields, then the fields the server
 * owns (`Date`, `Server`, `Content-Length`, `Connection`), then the blank line;
 * head and body go out as one `Uint8Array`, so one response is one write.
 * Header names and values are checked here, so a handler cannot split the
 * response by putting CR or LF in a value (response splitting).
 *
 * @module
 */

import { FIELD_VALUE, TOKEN } from "./chars.ts";
import { hasToken } from "./headers.ts";
import { allocate, Slabs } from "./slab.ts";
import type { RawResponse } from "./message.ts";
import { isBodyless, isStatus, STATUS_TEXT } from "./status.ts";

/** What the connection knows that the response does not. */
export interface SerializeOptions {
  /** Whether the connection stays open after this response. */
  readonly keepAlive: boolean;
  /** A response to HEAD: the same head, no content (RFC 9110 §9.3.2). */
  readonly omitBody: boolean;
  /** The `Date` value (see http_date.ts). */
  readonly date: string;
}

/** The `Server` field, unless the handler sets its own. No version: it helps only attackers. */
export const SERVER_NAME = "rawhttp";

/**
 * Fields the server computes itself; a handler's value for them is ignored,
 * because a wrong Content-Length or Transfer-Encoding would desync the client.
 * A handler's `Connection: close` is honoured (see {@link encodeHead}).
 */
const SERVER_OWNED = new Set(["content-length", "transfer-encoding", "connection", "date"]);

const UTF8 = new TextEncoder();

/** Status lines, encoded once per status on first use. */
const STATUS_LINES = new Map<number, Uint8Array>();

function statusLine(status: number): Uint8Array {
  let line = STATUS_LINES.get(status);
  if (line === undefined) {
    const reason = isStatus(status) ? STATUS_TEXT[status] : "";
    line = latin1Bytes(`HTTP/1.1 ${status} ${reason}\r\n`);
    STATUS_LINES.set(status, line);
  }
  return line;
}

/**
 * How the body after a head is delimited: a length, the chunked coding
 * (HTTP/1.1 streams), or the connection's close (HTTP/1.0 streams, and HEAD
 * answers to streams whose length is unknown).
 */
export type BodyFraming = number | "chunked" | "close";

/** A response head as bytes, with what the connection must know about it. */
export interface EncodedHead {
  /** The head, ending in the blank line, with room for `extra` more bytes after it. */
  readonly bytes: Uint8Array;
  /** Where the head ends in `bytes`. */
  readonly length: number;
  /** Whether it says `Connection: close` (asked by the connection or by the handler). */
  readonly close: boolean;
}

/**
 * The response head as bytes, ending in the blank line, in an array with
 * `extra` bytes to spare after it (for the body, when it is copied behind).
 *
 * A handler's `Connection: close` is honoured here, in the one pass over its
 * headers, and reported in {@link EncodedHead.close} so the connection closes after.
 *
 * @throws {TypeError} if the status is not a final one (200-599), a header name
 * is not a token, or a value holds CR, LF, NUL or a character above U+00FF
 * (the caller answers 500 instead).
 */
export function encodeHead(
  res: RawResponse,
  options: SerializeOptions,
  framing: BodyFraming,
  extra = 0,
): EncodedHead {
  const plan = planHead(res, options, framing);
  return writeHead(plan, repeatedPrefix(plan.parts, plan.count), extra);
}

/**
 * A head laid out by {@link planHead}, for {@link writeHead}: its pieces are
 * `parts[0, count)` (the array is reused: only that range is current).
 */
class HeadPlan {
  /**
   * The pieces, reused from one head to the next: with Object.keys for
   * entries, measured 0.55 → 0.38 µs per small response.
   */
  readonly parts: Uint8Array[] = [];
  count = 0;
  /** The whole head's size in bytes. */
  size = 0;
  /** The Content-Length value, or "" for none. */
  length = "";
  /** The head's last piece: the Connection line and the blank line. */
  last: Uint8Array = new Uint8Array(0);
  close = false;
}

/** The plan every head is laid out in, unless one is being laid out already (see {@link planHead}). */
const SHARED_PLAN = new HeadPlan();
/** Whether {@link SHARED_PLAN} is being laid out: handler code runs meanwhile (getters, proxies). */
let planning = false;

/**
 * Checks the response's head and lays out its pieces; see {@link encodeHead}.
 *
 * Reading the handler's response may run the handler's code (a getter, a
 * proxy), and that code may serialize a response of its own: such a nested
 * call gets a fresh plan, so it cannot overwrite the pieces of the head being
 * laid out. Whatever that code throws becomes a TypeError (the caller answers
 * 500 for a TypeError, where any other error would pass for a socket's).
 */
function planHead(res: RawResponse, options: SerializeOptions, framing: BodyFraming): HeadPlan {
  const nested = planning;
  planning = true;
  try {
    return layOut(nested ? new HeadPlan() : SHARED_PLAN, res, options, framing);
  } catch (error) {
    throw asTypeError(error);
  } finally {
    planning = nested;
  }
}

/** What a handler's code threw while its response was read, as the TypeError of an invalid response. */
function asTypeError(error: unknown): TypeError {
  if (error instanceof TypeError) return error;
  return new TypeError("reading the response threw", { cause: error });
}

function layOut(
  plan: HeadPlan,
  res: RawResponse,
  options: SerializeOptions,
  framing: BodyFraming,
): HeadPlan {
  const status = res.status;
  // Final statuses only: an interim 1xx from a handler would make the client
  // take the next response for this request's answer (a desync).
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    throw new TypeError("response status must be an integer from 200 to 599");
  }
  // The head is copied from byte pieces, most of them made once and reused:
  // building and encoding it as a string each time cost a quarter of the
  // server's CPU in the pipelined benchmark.
  const parts = plan.parts;
  let count = 0;
  parts[count++] = statusLine(status);
  let size = parts[0]!.length;
  let hasServer = false;
  let close = !options.keepAlive;
  const headers = res.headers;
  if (headers !== undefined) {
    // Object.keys, not Object.entries: no array per field.
    const names = Array.isArray(headers) ? null : Object.keys(headers);
    const pairs = headers as ReadonlyArray<readonly [string, string]>;
    const record = headers as Readonly<Record<string, string>>;
    const fields = names === null ? pairs.length : names.length;
    for (let i = 0; i < fields; i++) {
      const line = names === null
        ? fieldLine(pairs[i]![0], pairs[i]![1])
        : fieldLine(names[i]!, record[names[i]!]!);
      if (line.role === "owned") continue;
      if (line.role === "close") {
        close = true;
        continue;
      }
      if (line.role === "server") hasServer = true;
      parts[count++] = line.bytes;
      size += line.bytes.length;
    }
  }
  if (!hasServer) {
    parts[count++] = SERVER_LINE;
    size += SERVER_LINE.length;
  }
  const date = dateLine(options.date);
  parts[count++] = date;
  size += date.length;
  // 1xx and 204 must not carry Content-Length (RFC 9110 §8.6); for 304 we omit it too.
  let length = "";
  if (!isBodyless(status)) {
    if (typeof framing === "number") {
      length = String(framing);
      parts[count++] = CONTENT_LENGTH;
      size += CONTENT_LENGTH.length + length.length;
    } else if (framing === "chunked") {
      parts[count++] = CHUNKED_LINE;
      size += CHUNKED_LINE.length;
    }
  }
  const last = endPiece(length !== "", close);
  plan.count = count;
  plan.size = size + last.length;
  plan.length = length;
  plan.last = last;
  plan.close = close;
  return plan;
}

/**
 * The head's last piece, made once: the Connection line and the blank line,
 * after a Content-Length value if there is one.
 */
function endPiece(afterValue: boolean, close: boolean): Uint8Array {
  if (afterValue) return close ? CLOSE_END_AFTER_VALUE : KEEP_ALIVE_END_AFTER_VALUE;
  return close ? CLOSE_END : KEEP_ALIVE_END;
}

/** The planned head as bytes, with `extra` bytes to spare; `prefix` is its pieces joined, if known. */
function writeHead(plan: HeadPlan, prefix: Uint8Array | null, extra: number): EncodedHead {
  const { parts, count, size, length, last } = plan;
  const bytes = allocate(size + extra);
  let at = 0;
  if (prefix !== null) {
    bytes.set(prefix);
    at = prefix.length;
  } else {
    for (let i = 0; i < count; i++) {
      const part = parts[i]!;
      bytes.set(part, at);
      at += part.length;
    }
  }
  for (let i = 0; i < length.length; i++) bytes[at++] = length.charCodeAt(i);
  bytes.set(last, at);
  return { bytes, length: size, close: plan.close };
}

/**
 * The pieces of the last head before its Content-Length value, and once the
 * next head has the same pieces, them joined: a run of responses alike but
 * for their length (the usual case) then costs one copy instead of five
 * (measured 0.38 → 0.30 µs per small response). The pieces are never
 * changed once made, so the same arrays mean the same bytes.
 */
const lastParts: Uint8Array[] = [];
let lastCount = 0;
let lastJoined: Uint8Array | null = null;

/** `parts[0, count)` joined if the last head had the same pieces, else null. */
function repeatedPrefix(parts: readonly Uint8Array[], count: number): Uint8Array | null {
  let same = count === lastCount;
  for (let i = 0; same && i < count; i++) same = parts[i] === lastParts[i];
  if (!same) {
    for (let i = 0; i < count; i++) lastParts[i] = parts[i]!;
    lastCount = count;
    lastJoined = null;
    return null;
  }
  if (lastJoined === null) {
    let size = 0;
    for (let i = 0; i < count; i++) size += parts[i]!.length;
    lastJoined = new Uint8Array(size);
    for (let i = 0, at = 0; i < count; at += parts[i]!.length, i++) lastJoined.set(parts[i]!, at);
  }
  return lastJoined;
}

/** A whole response as bytes, and whether its head says the connection closes. */
export interface Encoded {
  /** The head, with the body appended unless the body is large. */
  readonly bytes: Uint8Array;
  /** A large body, kept apart so it is written as it is, without a copy; else null. */
  readonly body: Uint8Array | null;
  readonly close: boolean;
}

/**
 * From this size on a body is not copied behind its head: a second write
 * costs less than copying it (the 64 KiB benchmark showed the copy).
 */
export const SEPARATE_BODY_BYTES = 16 * 1024;

/**
 * The whole response message as one array (head and body: one write), for a
 * response whose body is text or bytes (or absent).
 *
 * @throws {TypeError} for an invalid head (see {@link encodeHead}) or a
 * stream body (the response writer sends those).
 */
export function encodeResponse(res: RawResponse, options: SerializeOptions): Encoded {
  let raw: unknown;
  try {
    raw = isBodyless(res.status) || res.body === undefined ? EMPTY : res.body;
  } catch (error) {
    throw asTypeError(error); // a getter of the handler's
  }
  if (typeof raw !== "string" && !(raw instanceof Uint8Array)) {
    throw new TypeError("encodeResponse() takes text or bytes; streams go through the writer");
  }
  const text = shortAscii(raw);
  const body = text !== null ? null : typeof raw === "string" ? UTF8.encode(raw) : raw;
  const length = text !== null ? text.length : body!.length;
  const sendBody = !options.omitBody && length > 0;
  if (sendBody && length >= SEPARATE_BODY_BYTES) return encodeApart(res, options, body!);
  const plan = planHead(res, options, length);
  const prefix = repeatedPrefix(plan.parts, plan.count);
  const memo = lastBody;
  if (prefix !== null && sendBody) {
    const again = memo.replay(prefix, plan.last, text, body);
    if (again !== null) return again;
  }
  const head = writeHead(plan, prefix, sendBody ? length : 0);
  if (sendBody) copyBody(head.bytes, head.length, text, body);
  const encoded = { bytes: head.bytes, body: null, close: head.close };
  if (prefix !== null && sendBody && length <= SMALL_TEXT_CHARS) {
    memo.keep(prefix, plan.last, text, encoded, head.length);
  }
  return encoded;
}

/**
 * `raw` itself if it is text of at most {@link SMALL_TEXT_CHARS} ASCII
 * characters (written straight into the response array, one byte each),
 * else null (encoded first). The last such text is known to be ASCII.
 */
function shortAscii(raw: string | Uint8Array): string | null {
  return typeof raw === "string" && raw.length <= SMALL_TEXT_CHARS &&
      (raw === lastBody.text || !NON_ASCII.test(raw))
    ? raw
    : null;
}

/**
 * The head alone, with a large body ({@link SEPARATE_BODY_BYTES} and up)
 * kept apart to be written as it is: a second write costs less than a copy.
 */
function encodeApart(res: RawResponse, options: SerializeOptions, body: Uint8Array): Encoded {
  const head = encodeHead(res, options, body.length);
  return { bytes: head.bytes, body, close: head.close };
}

/**
 * Writes the body into `bytes` from `at`: bytes as they are, short ASCII
 * `text` by hand (cheaper than a call into the encoder), other text through it.
 */
function copyBody(
  bytes: Uint8Array,
  at: number,
  text: string | null,
  body: Uint8Array | null,
): void {
  if (body !== null) bytes.set(body, at);
  else if (text!.length <= LOOP_COPY_CHARS) {
    for (let i = 0; i < text!.length; i++) bytes[at + i] = text!.charCodeAt(i);
  } else UTF8.encodeInto(text!, bytes.subarray(at));
}

/**
 * The last response with a short body encoded whole, and what made it. A
 * run of equal responses (the same head pieces, which {@link planHead}
 * checks each time, and the same body) is then answered with the same
 * bytes: no allocation, no copy and no ASCII scan (measured in memory: 1.86
 * → 1.56 µs per kept-alive request; a fetch request, whose body comes as
 * bytes, 7.72 → 7.47 µs). Sharing them is safe because response bytes are
 * never changed once made (nor handed to user code). A text body is the
 * same when it is the same string; a byte body when its bytes are (compared
 * one by one: an array can change under the same identity).
 */
class BodyMemo {
  /** The joined head pieces up to Content-Length ({@link repeatedPrefix}'s array). */
  prefix: Uint8Array | null = null;
  last: Uint8Array | null = null;
  /** The text body, or null when the body was bytes (then in {@link body}). */
  text: string | null = "";
  /** A byte body, as it is in {@link encoded}'s bytes; null for text. */
  body: Uint8Array | null = null;
  encoded: Encoded | null = null;

  /**
   * The last bytes again if they were made from the same joined head
   * pieces, the same last piece and the same body (`text`, or `body`
   * compared byte by byte), else null.
   */
  replay(
    prefix: Uint8Array,
    last: Uint8Array,
    text: string | null,
    body: Uint8Array | null,
  ): Encoded | null {
    if (prefix !== this.prefix || last !== this.last) return null;
    const same = text !== null
      ? text === this.text
      : this.text === null && sameBytes(body!, this.body);
    return same ? this.encoded : null;
  }

  /** Remembers `encoded`, made from these pieces and body, for {@link replay}; its body starts at `at`. */
  keep(
    prefix: Uint8Array,
    last: Uint8Array,
    text: string | null,
    encoded: Encoded,
    at: number,
  ): void {
    this.prefix = prefix;
    this.last = last;
    this.text = text;
    this.body = text === null ? encoded.bytes.subarray(at) : null;
    this.encoded = encoded;
  }
}

const lastBody = new BodyMemo();

/** Whether `b` holds the same bytes as `a`. */
function sameBytes(a: Uint8Array, b: Uint8Array | null): boolean {
  if (b === null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Up to this length a text body is checked for ASCII and copied by hand. */
const SMALL_TEXT_CHARS = 1024;
/** Up to this length a loop copies ASCII faster than a call into the native encoder. */
const LOOP_COPY_CHARS = 64;
/** Matches text with a character above U+007F (so not one byte per character in UTF-8). */
const NON_ASCII = /[^\p{ASCII}]/u;

/**
 * The whole response message as bytes; see {@link encodeResponse}.
 *
 * @example
 * ```ts
 * import { serializeResponse } from "./serializer.ts";
 * const bytes = serializeResponse(
 *   { status: 200, body: "hi" },
 *   { keepAlive: true, omitBody: false, date: "Thu, 01 Jan 1970 00:00:00 GMT" },
 * );
 * new TextDecoder().decode(bytes).startsWith("HTTP/1.1 200 OK\r\n"); // true
 * ```
 */
export function serializeResponse(res: RawResponse, options: SerializeOptions): Uint8Array {
  const { bytes, body } = encodeResponse(res, options);
  if (body === null) return bytes;
  const whole = new Uint8Array(bytes.length + body.length);
  whole.set(bytes);
  whole.set(body, bytes.length);
  return whole;
}

/**
 * Arrays kept for the life of the process or of the field-line cache, apart
 * from responses' slabs: a cached line cut from a response slab would keep
 * that whole 64 KiB alive (1024 lines could pin 64 MiB).
 */
const KEPT = new Slabs();

/** Text that is latin1 by construction (checked, or our own), as kept bytes: one per character. */
function latin1Bytes(s: string): Uint8Array {
  const out = KEPT.allocate(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const EMPTY = new Uint8Array(0);
const SERVER_LINE = latin1Bytes(`Server: ${SERVER_NAME}\r\n`);
const CHUNKED_LINE = latin1Bytes("Transfer-Encoding: chunked\r\n");
const CONTENT_LENGTH = latin1Bytes("Content-Length: ");
const KEEP_ALIVE_END = latin1Bytes("Connection: keep-alive\r\n\r\n");
const CLOSE_END = latin1Bytes("Connection: close\r\n\r\n");
const KEEP_ALIVE_END_AFTER_VALUE = latin1Bytes("\r\nConnection: keep-alive\r\n\r\n");
const CLOSE_END_AFTER_VALUE = latin1Bytes("\r\nConnection: close\r\n\r\n");

/** The `Date` line, made once per second (the value changes once a second). */
let lastDate = "";
let lastDateLine: Uint8Array = EMPTY;

function dateLine(date: string): Uint8Array {
  if (date !== lastDate) {
    lastDateLine = latin1Bytes(`Date: ${date}\r\n`);
    lastDate = date;
  }
  return lastDateLine;
}

/**
 * A handler's field, checked and encoded: `owned` for a field the server
 * computes (dropped), `close` for a Connection that asks for it (dropped and
 * honoured), `server` for the handler's own Server line.
 */
interface FieldLine {
  readonly role: "owned" | "close" | "server" | null;
  readonly bytes: Uint8Array;
}

/**
 * Checked field lines by name and value. Handlers send the same few fields
 * again and again (`Content-Type: application/json`), usually from string
 * constants whose hashes V8 keeps, so a lookup is cheaper than checking and
 * encoding. Bounded: it starts afresh once it holds {@link MAX_CACHED_LINES}.
 */
const LINES = new Map<string, Map<string, FieldLine>>();
let cachedLines = 0;
/** How many field lines the cache holds before it starts afresh. */
const MAX_CACHED_LINES = 1024;
/** Longer values are encoded each time: they are rarely repeated (tokens, cookies). */
const MAX_CACHED_VALUE_CHARS = 256;

function fieldLine(name: string, value: string): FieldLine {
  // A handler in JavaScript may give anything: an object's toString could
  // return CR LF after the check below (response splitting).
  if (typeof name !== "string" || typeof value !== "string") {
    throw new TypeError("response header names and values must be strings");
  }
  let byValue = LINES.get(name);
  const known = byValue?.get(value);
  if (known !== undefined) return known;
  checkField(name, value);
  const lower = name.toLowerCase();
  const role = SERVER_OWNED.has(lower)
    ? (lower === "connection" && hasToken(value, "close") ? "close" : "owned")
    : lower === "server"
    ? "server"
    : null;
  const line: FieldLine = {
    role,
    bytes: role === "owned" || role === "close" ? EMPTY : latin1Bytes(`${name}: ${value}\r\n`),
  };
  if (value.length > MAX_CACHED_VALUE_CHARS) return line;
  if (cachedLines >= MAX_CACHED_LINES) {
    LINES.clear();
    cachedLines = 0;
    byValue = undefined;
  }
  if (byValue === undefined) LINES.set(name, byValue = new Map());
  byValue.set(value, line);
  cachedLines++;
  return line;
}

/** Checks a response field; throws for what could split the response. */
function checkField(name: string, value: string): void {
  if (name.length === 0) throw new TypeError("empty response header name");
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c > 0x7f || TOKEN[c] === 0) throw new TypeError("invalid response header name");
  }
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0xff || FIELD_VALUE[c] === 0) {
      throw new TypeError("invalid character in response header value");
    }
  }
}

/** The interim `100 Continue` response (RFC 9110 §15.2.1), sent before a body is read. */
export const CONTINUE_BYTES: Uint8Array = UTF8.encode("HTTP/1.1 100 Continue\r\n\r\n");
