/**
 * Laying out a response head from its pieces (`_head_pieces.ts`) and writing
 * it as bytes: the serializer's inner loop. The pieces array is reused from
 * one head to the next, and a run of heads alike but for their length reuses
 * the last one's pieces joined.
 *
 * Private to the serializer (the `_` prefix, as Deno std marks its private
 * modules). Reading a response may run a handler's code (a getter, a proxy);
 * a serialization nested in it gets a plan of its own (see {@link planHead}).
 *
 * @module
 */

import type { RawResponse } from "./message.ts";
import { allocate } from "./slab.ts";
import { isBodyless } from "./status.ts";
import {
  CHUNKED_LINE,
  CLOSE_END,
  CLOSE_END_AFTER_VALUE,
  CONTENT_LENGTH,
  dateLine,
  fieldLine,
  KEEP_ALIVE_END,
  KEEP_ALIVE_END_AFTER_VALUE,
  SERVER_LINE,
  statusLine,
} from "./_head_pieces.ts";

/** What the connection knows that the response does not. */
export interface SerializeOptions {
  /** Whether the connection stays open after this response. */
  readonly keepAlive: boolean;
  /** A response to HEAD: the same head, no content (RFC 9110 §9.3.2). */
  readonly omitBody: boolean;
  /** The `Date` value (see http_date.ts). */
  readonly date: string;
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
export class HeadPlan {
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
export function planHead(
  res: RawResponse,
  options: SerializeOptions,
  framing: BodyFraming,
): HeadPlan {
  if (planning) return planNested(res, options, framing);
  planning = true;
  try {
    const plan = layOut(SHARED_PLAN, res, options, framing);
    planning = false;
    return plan;
  } catch (error) {
    planning = false;
    throw asTypeError(error);
  }
}

/** {@link planHead} re-entered from a handler's code: a plan of its own. */
function planNested(res: RawResponse, options: SerializeOptions, framing: BodyFraming): HeadPlan {
  try {
    return layOut(new HeadPlan(), res, options, framing);
  } catch (error) {
    throw asTypeError(error);
  }
}

/** What a handler's code threw while its response was read, as the TypeError of an invalid response. */
export function asTypeError(error: unknown): TypeError {
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
    if (fields === 0 && names !== null) refuseHeadersObject(headers);
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
export function writeHead(plan: HeadPlan, prefix: Uint8Array | null, extra: number): EncodedHead {
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
export function repeatedPrefix(parts: readonly Uint8Array[], count: number): Uint8Array | null {
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

/**
 * Throws for a `Headers` object given as a native response's headers (a
 * fetch `Response` returned from a native route has one): it holds no own
 * keys, so it would be served as no header field at all, without a word.
 * Checked only when the headers show no field, off the usual path.
 */
function refuseHeadersObject(headers: object): void {
  if (headers instanceof Headers) {
    throw new TypeError(
      "response headers are a Headers object (a fetch Response from a native route?): " +
        "give an object or pairs, or serve fetch handlers with serve() or fetchHandler()",
    );
  }
}
