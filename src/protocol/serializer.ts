/**
 * Turns a response into the bytes of an HTTP/1.1 message (RFC 9112 §4, §6).
 *
 * The head is status line, the handler's fields, then the fields the server
 * owns (`Date`, `Server`, `Content-Length`, `Connection`), then the blank line;
 * head and a body under {@link SEPARATE_BODY_BYTES} go out as one
 * `Uint8Array`, so such a response is one write. Header names and values are
 * checked here, so a handler cannot split the response by putting CR or LF in
 * a value (response splitting). The head is laid out in `_head_plan.ts` from
 * the pieces of `_head_pieces.ts`.
 *
 * @module
 */

import type { RawResponse } from "./message.ts";
import { isBodyless } from "./status.ts";
import { EMPTY } from "./_head_pieces.ts";
import {
  asTypeError,
  encodeHead,
  planHead,
  repeatedPrefix,
  type SerializeOptions,
  writeHead,
} from "./_head_plan.ts";

export { SERVER_NAME } from "./_head_pieces.ts";
export {
  type BodyFraming,
  type EncodedHead,
  encodeHead,
  type SerializeOptions,
} from "./_head_plan.ts";

const UTF8 = new TextEncoder();

/** A whole response as bytes, and whether its head says the connection closes. */
export interface Encoded {
  /** The head, with the body appended unless the body is large. */
  readonly bytes: Uint8Array;
  /** A large body, kept apart so it is written as it is, without a copy; else null. */
  readonly body: Uint8Array | null;
  readonly close: boolean;
  /** The body's bytes, in `bytes` or in `body` (0 when none is sent: HEAD, 204, 304). */
  readonly bodyBytes: number;
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
  const encoded = {
    bytes: head.bytes,
    body: null,
    close: head.close,
    bodyBytes: sendBody ? length : 0,
  };
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
  return { bytes: head.bytes, body, close: head.close, bodyBytes: body.length };
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

/** The interim `100 Continue` response (RFC 9110 §15.2.1), sent before a body is read. */
export const CONTINUE_BYTES: Uint8Array = UTF8.encode("HTTP/1.1 100 Continue\r\n\r\n");
