/**
 * The plain reference path for `src/protocol/head_parser.ts` and
 * `src/protocol/interner.ts`: the same request heads, read the obvious way.
 * It is what the parser's tricks are compared against
 * (tests/protocol/head_parser_reference_test.ts) and timed against
 * (bench/parser_bench.ts): the incremental byte scan with its running
 * hash, the interned names and values (`Interner`), the field-line cache
 * (`LineCache`), and the same-head replay with its word-at-a-time compare.
 *
 * Here the whole input is decoded to text at once, cut into lines at CR and
 * LF, and each line is checked with regular expressions, by the rules of
 * RFC 9112 §2-§5 and with the real parser's limits and refusal codes. Where
 * the real parser finds two faults, it names the one it reaches first in
 * the bytes, and so does this one (a fault inside a line before the line's
 * end, a line's end before the next line). It keeps nothing between calls.
 *
 * The decode is one character per byte (latin1 in the true sense), not
 * `TextDecoder("latin1")`: that label means windows-1252, which turns the
 * obs-text bytes 0x80-0x9F into other characters (0x80 would read "€").
 *
 * @module
 */

import type { HeadLimits } from "../../src/protocol/head_parser.ts";
import type { RejectionCode } from "../../src/protocol/rejections.ts";
import type { HeadSnapshot } from "../fixtures/split.ts";

/** The fields the server acts on, as plain data (the parser's `FramingFields`). */
export interface FramingView {
  contentLength: string[];
  transferEncoding: string[];
  connection: string | null;
  expect: string | null;
}

/**
 * What the reference makes of an input: plain data, to compare with
 * deepEqual. A head is the tests' usual snapshot of one plus its framing fields.
 */
export type ReferenceHead =
  | Exclude<HeadSnapshot, { kind: "head" }>
  | (Extract<HeadSnapshot, { kind: "head" }> & FramingView);

/** tchar (RFC 9110 §5.6.2). */
const TCHAR = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]";
const TOKEN_CHARS = new RegExp(`^${TCHAR}*`);
const NOT_TOKEN = new RegExp(`[^${TCHAR.slice(1, -1)}]`);
/** What may stand in a request-target: visible ASCII but `#`. */
const TARGET_CHARS = /^[\x21\x22\x24-\x7e]*/;
const VERSION = /^HTTP\/([0-9])\.([0-9])$/;
/** field-value: HTAB, SP, VCHAR, obs-text (RFC 9110 §5.5). */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Host = uri-host [ ":" port ]: reg-name or IPv4, or an IP-literal in brackets (RFC 9110 §7.2). */
const HOST = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=%]*|\[[0-9A-Fa-f:.]+\])(?::[0-9]*)?$/;
const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH"];

/**
 * One character per byte: the reference for `Interner.get()` (which gives
 * the same string, made once and reused), lower-cased for header names.
 */
export function latin1(bytes: Uint8Array, lower = false): string {
  const text = Array.from(bytes, (b) => String.fromCharCode(b)).join("");
  return lower ? text.toLowerCase() : text;
}

/**
 * Reads the request head at the start of `bytes` (all the bytes received so
 * far): the head, a refusal, or "incomplete" when more bytes may still make
 * it one. The reference for `HeadParser.feed()` and `parseHead()`.
 */
export function referenceParseHead(bytes: Uint8Array, limits: HeadLimits): ReferenceHead {
  const text = latin1(bytes);
  // Bytes past the head budget are never read; reaching one is a refusal.
  const budget = Math.min(text.length, limits.maxHeadBytes);
  let request: RequestLine | null = null;
  const fields: Array<[string, string]> = [];
  let pos = 0;
  for (;;) {
    let end = text.slice(pos, budget).search(/[\r\n]/);
    end = end === -1 ? -1 : pos + end;
    const line = text.slice(pos, end === -1 ? budget : end);
    if (request === null) {
      const early = overlongOrBadMethod(line, limits.maxRequestLineBytes);
      if (early !== null) return { kind: "error", code: early };
    }
    const overBudget = () => ({
      kind: "error" as const,
      code: request === null && line.includes(" ")
        ? "uri_too_long" as const
        : "head_too_large" as const,
    });
    if (end === -1) return budget < text.length ? overBudget() : { kind: "incomplete" };
    if (text[end] === "\n") return { kind: "error", code: "bare_lf" };
    if (end + 1 === text.length) return { kind: "incomplete" }; // a CR: is LF next?
    if (text[end + 1] !== "\n") return { kind: "error", code: "bare_cr" };
    if (end + 1 >= limits.maxHeadBytes) return overBudget();
    pos = end + 2;
    if (line === "") {
      if (request === null) continue; // empty lines before the request line are ignored
      return finish(request, fields, pos);
    }
    if (request === null) {
      const parsed = requestLine(line);
      if (typeof parsed === "string") return { kind: "error", code: parsed };
      request = parsed;
    } else {
      const field = fieldLine(line);
      if (typeof field === "string") return { kind: "error", code: field };
      fields.push(field);
      if (fields.length > limits.maxHeaderCount) return { kind: "error", code: "too_many_headers" };
    }
  }
}

/**
 * The refusal the request line earns byte by byte, before its end: a
 * non-token byte in the method, or a byte past the longest request line.
 */
function overlongOrBadMethod(line: string, maxBytes: number): RejectionCode | null {
  const space = line.indexOf(" ");
  const bad = (space === -1 ? line : line.slice(0, space)).search(NOT_TOKEN);
  const overlong = line.length > maxBytes ? maxBytes : -1;
  if (bad !== -1 && (overlong === -1 || bad <= overlong)) return "invalid_method";
  if (overlong !== -1) return space !== -1 && space <= overlong ? "uri_too_long" : "invalid_method";
  return null;
}

interface RequestLine {
  method: string;
  target: string;
  version: string;
}

/** request-line = method SP request-target SP HTTP-version (RFC 9112 §3). */
function requestLine(line: string): RequestLine | RejectionCode {
  const method = TOKEN_CHARS.exec(line)![0];
  if (method === "" || line[method.length] !== " ") return "invalid_request_line";
  const rest = line.slice(method.length + 1);
  const target = TARGET_CHARS.exec(rest)![0];
  const after = rest[target.length];
  if (after !== undefined && after !== " ") return "invalid_target";
  if (target === "" || after === undefined) return "invalid_request_line";
  const version = VERSION.exec(rest.slice(target.length + 1));
  if (version === null) return "invalid_version";
  if (version[1] !== "1" || (version[2] !== "0" && version[2] !== "1")) {
    return "unsupported_version";
  }
  if (!METHODS.includes(method)) return "unknown_method";
  return { method, target, version: `HTTP/1.${version[2]}` };
}

/** field-line = field-name ":" OWS field-value OWS (RFC 9112 §5); the name lower-cased. */
function fieldLine(line: string): [string, string] | RejectionCode {
  if (line[0] === " " || line[0] === "\t") return "obs_fold";
  const name = TOKEN_CHARS.exec(line)![0];
  const stop = line[name.length];
  if (stop === undefined) return "missing_colon";
  if (stop === " " || stop === "\t") return "space_before_colon";
  if (stop !== ":" || name === "") return "invalid_header_name";
  const value = line.slice(name.length + 1).replace(/^[ \t]+|[ \t]+$/g, "");
  if (!FIELD_VALUE.test(value)) return "invalid_header_value";
  return [name.toLowerCase(), value];
}

/** The checks that need the whole head (Host, the target's form), then the head. */
function finish(
  request: RequestLine,
  fields: Array<[string, string]>,
  consumed: number,
): ReferenceHead {
  const valuesOf = (name: string) => fields.filter(([n]) => n === name).map(([, v]) => v);
  const joined = (name: string) => valuesOf(name).length === 0 ? null : valuesOf(name).join(", ");
  const hosts = valuesOf("host");
  if (hosts.length > 1) return { kind: "error", code: "duplicate_host" };
  if (hosts.length === 0 && request.version === "HTTP/1.1") {
    return { kind: "error", code: "missing_host" };
  }
  if (hosts.length === 1 && !HOST.test(hosts[0]!)) return { kind: "error", code: "invalid_host" };
  const target = targetParts(request.target, request.method);
  if (typeof target === "string") return { kind: "error", code: target };
  return {
    kind: "head",
    consumed,
    ...request,
    ...target,
    headers: fields,
    contentLength: valuesOf("content-length"),
    transferEncoding: valuesOf("transfer-encoding"),
    connection: joined("connection"),
    expect: joined("expect"),
  };
}

/**
 * A request-target's path (percent-decoded), raw path and query: origin-form,
 * absolute-form or, for OPTIONS, `*` (RFC 9112 §3.2).
 */
function targetParts(
  target: string,
  method: string,
): { path: string; rawPath: string; query: string } | RejectionCode {
  if (target === "*") {
    return method === "OPTIONS" ? { path: "*", rawPath: "*", query: "" } : "invalid_target";
  }
  const form = /^(?:https?:\/\/[^/?]*)?(.*)$/i.exec(target)!;
  if (form[1] === target && !target.startsWith("/")) return "invalid_target";
  const rest = form[1]!.startsWith("/") ? form[1]! : "/" + form[1];
  const [rawPath, ...query] = rest.split("?");
  let path = rawPath!;
  if (path.includes("%")) {
    try {
      path = decodeURIComponent(path);
    } catch {
      return "invalid_path_escape";
    }
    if (path.includes("\0")) return "invalid_path_escape";
  }
  return { path, rawPath: rawPath!, query: query.join("?") };
}
