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
import { allocate } from "./slab.ts";
import type { RawResponse } from "./response.ts";
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
const SERVER_LINE = `Server: ${SERVER_NAME}\r\n`;

/**
 * Fields the server computes itself; a handler's value for them is ignored,
 * because a wrong Content-Length or Transfer-Encoding would desync the client.
 * A handler's `Connection: close` is honoured (see {@link serializeHead}).
 */
const SERVER_OWNED = new Set(["content-length", "transfer-encoding", "connection", "date"]);

const UTF8 = new TextEncoder();

/** Status lines, encoded once per status on first use. */
const STATUS_LINES = new Map<number, string>();

function statusLine(status: number): string {
  let line = STATUS_LINES.get(status);
  if (line === undefined) {
    const reason = isStatus(status) ? STATUS_TEXT[status] : "";
    line = `HTTP/1.1 ${status} ${reason}\r\n`;
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

/** A serialised head, with what the connection must know about it. */
export interface Head {
  /** The head as latin1 characters, ending in the blank line. */
  readonly text: string;
  /** Whether it says `Connection: close` (asked by the connection or by the handler). */
  readonly close: boolean;
}

/**
 * The response head, ending in the blank line.
 *
 * A handler's `Connection: close` is honoured here, in the one pass over its
 * headers, and reported in {@link Head.close} so the connection closes after.
 *
 * @throws {TypeError} if the status is not a final one (200-599), a header name
 * is not a token, or a value holds CR, LF, NUL or a character above U+00FF
 * (the caller answers 500 instead).
 */
export function serializeHead(
  res: RawResponse,
  options: SerializeOptions,
  framing: BodyFraming,
): Head {
  const status = res.status;
  // Final statuses only: an interim 1xx from a handler would make the client
  // take the next response for this request's answer (a desync).
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    throw new TypeError("response status must be an integer from 200 to 599");
  }
  let head = statusLine(status);
  let hasServer = false;
  let close = !options.keepAlive;
  const headers = res.headers;
  if (headers !== undefined) {
    const pairs = Array.isArray(headers)
      ? headers as ReadonlyArray<readonly [string, string]>
      : Object.entries(headers);
    for (const [name, value] of pairs) {
      checkField(name, value);
      const lower = name.toLowerCase();
      if (SERVER_OWNED.has(lower)) {
        if (lower === "connection" && hasToken(value, "close")) close = true;
        continue;
      }
      if (lower === "server") hasServer = true;
      head += `${name}: ${value}\r\n`;
    }
  }
  if (!hasServer) head += SERVER_LINE;
  head += `Date: ${options.date}\r\n`;
  // 1xx and 204 must not carry Content-Length (RFC 9110 §8.6); for 304 we omit it too.
  if (!isBodyless(status)) {
    if (typeof framing === "number") head += `Content-Length: ${framing}\r\n`;
    else if (framing === "chunked") head += "Transfer-Encoding: chunked\r\n";
  }
  head += close ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n";
  return { text: head, close };
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
 * @throws {TypeError} for an invalid head (see {@link serializeHead}) or a
 * stream body (the response writer sends those).
 */
export function encodeResponse(res: RawResponse, options: SerializeOptions): Encoded {
  const raw = isBodyless(res.status) || res.body === undefined ? EMPTY : res.body;
  if (typeof raw !== "string" && !(raw instanceof Uint8Array)) {
    throw new TypeError("encodeResponse() takes text or bytes; streams go through the writer");
  }
  // Short ASCII text (the usual small body) is written straight into the
  // response array below; anything else is encoded first.
  const text = typeof raw === "string" && raw.length <= SMALL_TEXT_CHARS && !NON_ASCII.test(raw)
    ? raw
    : null;
  const body = text !== null ? null : typeof raw === "string" ? UTF8.encode(raw) : raw;
  const length = text !== null ? text.length : body!.length;
  const head = serializeHead(res, options, length);
  const sendBody = !options.omitBody && length > 0;
  if (sendBody && length >= SEPARATE_BODY_BYTES) {
    return { bytes: headBytes(head), body, close: head.close };
  }
  // A short ASCII body joins the head as one string, copied in one pass.
  const joined = sendBody && text !== null ? head.text + text : head.text;
  const copied = sendBody && text === null ? length : 0;
  const bytes = allocate(joined.length + copied);
  writeLatin1(bytes, joined);
  if (copied > 0) bytes.set(body!, joined.length);
  return { bytes, body: null, close: head.close };
}

/** Up to this length a text body is checked for ASCII and copied by hand. */
const SMALL_TEXT_CHARS = 1024;
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

/** A head as its own array (a streamed response's head goes out before its body). */
export function headBytes(head: Head): Uint8Array {
  const out = allocate(head.text.length);
  writeLatin1(out, head.text);
  return out;
}

/**
 * Writes `s` at the start of `out` as latin1, one byte per character (header
 * text is checked to be <= 0xFF). The native UTF-8 encoder copies an ASCII
 * string about twice as fast as a JavaScript loop (measured: 340 ns against
 * 770 ns for a typical response), and UTF-8 is latin1 up to 0x7F; a head with
 * obs-text (0x80-0xFF) in a value takes the loop.
 */
function writeLatin1(out: Uint8Array, s: string): void {
  const { read, written } = UTF8.encodeInto(s, out);
  if (read === s.length && written === s.length) return;
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
}

const EMPTY = new Uint8Array(0);

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
