/**
 * The byte pieces response heads are copied from, each made once and reused:
 * status lines, the server's own lines, the `Date` line of the current second,
 * and the handler's field lines, checked once and cached by name and value.
 * Building and encoding a head as a string each time cost a quarter of the
 * server's CPU in the pipelined benchmark.
 *
 * Private to the serializer (the `_` prefix, as Deno std marks its private
 * modules): its caches are module state, safe because nothing here runs a
 * handler's code (the serializer checks names and values are strings first).
 *
 * @module
 */

import { FIELD_VALUE, TOKEN } from "./chars.ts";
import { hasToken } from "./headers.ts";
import { Slabs } from "./slab.ts";
import { isStatus, STATUS_TEXT } from "./status.ts";

/** The `Server` field, unless the handler sets its own. No version: it helps only attackers. */
export const SERVER_NAME = "rawhttp";

/**
 * Fields the server computes itself; a handler's value for them is ignored,
 * because a wrong Content-Length or Transfer-Encoding would desync the client.
 * A handler's `Connection: close` is honoured (see {@link encodeHead}).
 */
export const SERVER_OWNED = new Set(["content-length", "transfer-encoding", "connection", "date"]);

/** Status lines, encoded once per status on first use. */
const STATUS_LINES = new Map<number, Uint8Array>();

export function statusLine(status: number): Uint8Array {
  let line = STATUS_LINES.get(status);
  if (line === undefined) {
    const reason = isStatus(status) ? STATUS_TEXT[status] : "";
    line = latin1Bytes(`HTTP/1.1 ${status} ${reason}\r\n`);
    STATUS_LINES.set(status, line);
  }
  return line;
}

/**
 * Arrays kept for the life of the process or of the field-line cache, apart
 * from responses' slabs: a cached line cut from a response slab would keep
 * that whole 64 KiB alive (1024 lines could pin 64 MiB).
 */
const KEPT = new Slabs();

/** Text that is latin1 by construction (checked, or our own), as kept bytes: one per character. */
export function latin1Bytes(s: string): Uint8Array {
  const out = KEPT.allocate(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export const EMPTY = new Uint8Array(0);
export const SERVER_LINE = latin1Bytes(`Server: ${SERVER_NAME}\r\n`);
export const CHUNKED_LINE = latin1Bytes("Transfer-Encoding: chunked\r\n");
export const CONTENT_LENGTH = latin1Bytes("Content-Length: ");
export const KEEP_ALIVE_END = latin1Bytes("Connection: keep-alive\r\n\r\n");
export const CLOSE_END = latin1Bytes("Connection: close\r\n\r\n");
export const KEEP_ALIVE_END_AFTER_VALUE = latin1Bytes("\r\nConnection: keep-alive\r\n\r\n");
export const CLOSE_END_AFTER_VALUE = latin1Bytes("\r\nConnection: close\r\n\r\n");

/** The `Date` line, made once per second (the value changes once a second). */
let lastDate = "";
let lastDateLine: Uint8Array = EMPTY;

export function dateLine(date: string): Uint8Array {
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
export interface FieldLine {
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

export function fieldLine(name: string, value: string): FieldLine {
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
