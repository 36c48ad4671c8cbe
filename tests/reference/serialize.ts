/**
 * The plain reference path for `src/protocol/serializer.ts`: the same
 * messages, built the obvious way. It is what the serializer's tricks are
 * compared against (tests/protocol/serializer_reference_test.ts) and timed
 * against (bench/serializer_bench.ts): the head made from byte pieces, the
 * reused pieces and the joined prefix (`repeatedPrefix`), the same-response
 * replay (`BodyMemo`), the field-line cache, and large bodies kept apart.
 *
 * Here the head is one string, built line by line by the rules the real
 * serializer follows (RFC 9112 §4 and §6, RFC 9110 §6.6 and §8.6), checked
 * with regular expressions, then encoded one byte per character. No cache,
 * no module state, no slab.
 *
 * @module
 */

import type { RawResponse } from "../../src/protocol/message.ts";
import {
  type BodyFraming,
  type Encoded,
  type EncodedHead,
  SEPARATE_BODY_BYTES,
  type SerializeOptions,
  SERVER_NAME,
} from "../../src/protocol/serializer.ts";
import { STATUS_TEXT } from "../../src/protocol/status.ts";
import { referenceBody } from "./byte_arrays.ts";

/** field-name = token (RFC 9110 §5.1, §5.6.2). */
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** field-value: HTAB, SP, VCHAR and obs-text, nothing else (no CR, LF, NUL; RFC 9110 §5.5). */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** The fields the server computes itself; a handler's are dropped. */
const SERVER_OWNED = ["content-length", "transfer-encoding", "connection", "date"];
const UTF8 = new TextEncoder();

/** Whether a response with this status has no content: 1xx, 204 and 304 (RFC 9110 §6.4.1). */
function noContent(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}

/** Whether a Connection value lists `close` (comma-separated, any case). */
function asksClose(value: string): boolean {
  return value.split(",").some((option) => option.trim().toLowerCase() === "close");
}

/**
 * The head as text, ending in the blank line, and whether it says
 * `Connection: close`; throws the real serializer's TypeError for what it refuses.
 */
export function referenceHeadText(
  res: RawResponse,
  options: SerializeOptions,
  framing: BodyFraming,
): { text: string; close: boolean } {
  const status = res.status;
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    throw new TypeError("response status must be an integer from 200 to 599");
  }
  const reason = (STATUS_TEXT as Record<number, string>)[status] ?? "";
  let text = `HTTP/1.1 ${status} ${reason}\r\n`;
  let close = !options.keepAlive;
  let ownServer = false;
  const headers = res.headers ?? [];
  const fields = Array.isArray(headers) ? headers : Object.entries(headers);
  for (const [name, value] of fields) {
    if (typeof name !== "string" || typeof value !== "string") {
      throw new TypeError("response header names and values must be strings");
    }
    if (name === "") throw new TypeError("empty response header name");
    if (!FIELD_NAME.test(name)) throw new TypeError("invalid response header name");
    if (!FIELD_VALUE.test(value)) {
      throw new TypeError("invalid character in response header value");
    }
    const lower = name.toLowerCase();
    if (lower === "connection" && asksClose(value)) close = true;
    if (SERVER_OWNED.includes(lower)) continue;
    if (lower === "server") ownServer = true;
    text += `${name}: ${value}\r\n`;
  }
  if (!ownServer) text += `Server: ${SERVER_NAME}\r\n`;
  text += `Date: ${options.date}\r\n`;
  if (!noContent(status)) {
    if (typeof framing === "number") text += `Content-Length: ${framing}\r\n`;
    else if (framing === "chunked") text += "Transfer-Encoding: chunked\r\n";
  }
  text += close ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n";
  return { text, close };
}

/** Text whose characters are all at most U+00FF, one byte each. */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** The reference for `encodeHead()`: the head's bytes, with `extra` bytes to spare after it. */
export function referenceEncodeHead(
  res: RawResponse,
  options: SerializeOptions,
  framing: BodyFraming,
  extra = 0,
): EncodedHead {
  const { text, close } = referenceHeadText(res, options, framing);
  const bytes = new Uint8Array(text.length + extra);
  bytes.set(latin1Bytes(text));
  return { bytes, length: text.length, close };
}

/**
 * The reference for `encodeResponse()`: the head with the body behind it in
 * one array, or, for a body of SEPARATE_BODY_BYTES and up, the head alone
 * and the body apart (the caller's own array when it gave bytes).
 */
export function referenceEncodeResponse(res: RawResponse, options: SerializeOptions): Encoded {
  const raw = noContent(res.status) || res.body === undefined ? "" : res.body;
  if (typeof raw !== "string" && !(raw instanceof Uint8Array)) {
    throw new TypeError("encodeResponse() takes text or bytes; streams go through the writer");
  }
  const body = typeof raw === "string" ? UTF8.encode(raw) : raw;
  const { text, close } = referenceHeadText(res, options, body.length);
  const head = latin1Bytes(text);
  const sent = options.omitBody ? new Uint8Array(0) : body;
  const bodyBytes = sent.length;
  if (bodyBytes >= SEPARATE_BODY_BYTES) return { bytes: head, body: sent, close, bodyBytes };
  return { bytes: referenceBody([head, sent]), body: null, close, bodyBytes };
}

/** The reference for `serializeResponse()`: the whole message as one array. */
export function referenceSerialize(res: RawResponse, options: SerializeOptions): Uint8Array {
  const { bytes, body } = referenceEncodeResponse(res, options);
  return body === null ? bytes : referenceBody([bytes, body]);
}
