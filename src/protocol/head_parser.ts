/**
 * The request-head parser: bytes in, a request head or a refusal code out.
 *
 * It is incremental: the connection feeds it the bytes buffered so far, as
 * often as new bytes arrive, and it resumes its scan where the last feed
 * stopped, so a head split across any number of reads parses the same and a
 * slow client costs O(n), not O(n²). Each line is checked the moment its LF
 * arrives, so garbage is refused early instead of after a timeout, and every
 * limit is enforced before more bytes are buffered. It never throws on client
 * input and never touches `Deno.*`.
 *
 * Grammar (RFC 9112 §2.1):
 *
 * ```
 * HTTP-message = start-line CRLF *( field-line CRLF ) CRLF [ message-body ]
 * request-line = method SP request-target SP HTTP-version
 * field-line   = field-name ":" OWS field-value OWS
 * ```
 *
 * @module
 */

import { CR, isDigit, LF, SP, TARGET, TOKEN } from "./chars.ts";
import type { RejectionCode } from "./rejections.ts";
import { RequestHeaders } from "./headers.ts";
import { parseTarget } from "./target.ts";
import { hashStep } from "./interner.ts";
import { FIELD_LINES, isValidHost, parseFieldLine, VALUES } from "./_field_lines.ts";
import { HeadReplay } from "./head_replay.ts";
import {
  DEFAULT_HEAD_LIMITS,
  type HeadLimits,
  type HeadResult,
  type HttpVersion,
  KNOWN_METHODS,
} from "./request_head.ts";

export {
  DEFAULT_HEAD_LIMITS,
  type FramingFields,
  type HeadLimits,
  type HeadResult,
  type HttpVersion,
  type RequestHead,
} from "./request_head.ts";

const NONE: readonly string[] = Object.freeze([]);

const INCOMPLETE = { kind: "incomplete" } as const;

/** The result of a refusal, as a value. */
function fail(code: RejectionCode): HeadResult {
  return { kind: "error", code };
}

/**
 * Parses one request head at a time, resuming across feeds.
 *
 * Feed it the whole buffered region each time (the same start, a later end);
 * after a `head` or `error` result, call {@link HeadParser.reset} before the
 * next request.
 *
 * @example
 * ```ts
 * import { HeadParser } from "./head_parser.ts";
 * const p = new HeadParser({ maxRequestLineBytes: 8192, maxHeadBytes: 16384, maxHeaderCount: 100 });
 * const bytes = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
 * const r = p.feed(bytes, 0, bytes.length);
 * if (r.kind === "head") r.head.path; // "/"
 * ```
 */
export class HeadParser {
  readonly #limits: HeadLimits;
  /** Offset (from the feed's start) of the next byte to scan. */
  #scanned = 0;
  /** Offset where the current line begins. */
  #lineStart = 0;
  /** {@link hashStep} over the current line's bytes scanned so far (for {@link FIELD_LINES}). */
  #lineHash = 0;
  /** Whether the current line is still the request line, and where its first SP is (or -1). */
  #firstSpace = -1;
  #method = "";
  #target = "";
  #version: HttpVersion | null = null;
  #headers = new RequestHeaders();
  #host: string | null = null;
  #hosts = 0;
  #contentLength: string[] | null = null;
  #transferEncoding: string[] | null = null;
  #connection: string | null = null;
  #expect: string | null = null;
  /** The last head, answered again from its bytes when they come again. */
  readonly #replay = new HeadReplay();
  constructor(limits: HeadLimits) {
    this.#limits = limits;
  }

  /** Forgets the last head so the parser can read the next one. */
  reset(): void {
    this.#scanned = 0;
    this.#lineStart = 0;
    this.#lineHash = 0;
    this.#firstSpace = -1;
    this.#method = "";
    this.#target = "";
    this.#version = null;
    this.#headers = new RequestHeaders();
    this.#host = null;
    this.#hosts = 0;
    this.#contentLength = null;
    this.#transferEncoding = null;
    this.#connection = null;
    this.#expect = null;
  }

  /** Whether any byte of a request has been seen (leading empty lines do not count). */
  get started(): boolean {
    return this.#scanned > this.#lineStart || this.#version !== null;
  }

  /** The length of the head kept for a repeat, or 0 if none is kept (for tests). */
  get remembered(): number {
    return this.#replay.remembered;
  }

  /**
   * Scans `buf[start, end)`, the bytes buffered for this head so far.
   * `start` must be the same in every feed of one head; `end` may only grow.
   */
  feed(buf: Uint8Array, start: number, end: number): HeadResult {
    if (this.#scanned === 0) {
      const again = this.#replay.match(buf, start, end);
      if (again !== null) {
        this.#scanned = again.consumed;
        return again;
      }
    }
    const result = this.#scan(buf, start, end);
    if (result.kind === "head") this.#replay.remember(result.head, buf, start, this.#scanned);
    return result;
  }

  /** {@link feed}'s scan, apart so that its byte loop is compiled on its own (with hashStep inlined). */
  #scan(buf: Uint8Array, start: number, end: number): HeadResult {
    const limits = this.#limits;
    const len = end - start;
    // Bytes past the head budget are never scanned: reaching one is a refusal.
    const stop = Math.min(len, limits.maxHeadBytes);
    // Kept in locals: this loop runs once per byte of every head.
    let inRequestLine = this.#version === null;
    let i = this.#scanned;
    let h = this.#lineHash;
    for (; i < stop; i++) {
      const b = buf[start + i]!;
      if (b === CR) {
        if (i + 1 === len) break; // decide when the next byte arrives
        if (buf[start + i + 1] !== LF) return fail("bare_cr");
        continue;
      }
      if (b !== LF) {
        h = hashStep(h, b);
        if (inRequestLine) {
          // Still in the request line: refuse garbage and overlong lines early.
          if (b === SP) {
            if (this.#firstSpace === -1) this.#firstSpace = i;
          } else if (this.#firstSpace === -1 && TOKEN[b] === 0) {
            return fail("invalid_method");
          }
          if (i - this.#lineStart >= limits.maxRequestLineBytes) {
            return fail(this.#firstSpace === -1 ? "invalid_method" : "uri_too_long");
          }
        }
        continue;
      }
      // An LF: it must end a CRLF (RFC 9112 §2.2; we do not accept bare LF).
      if (i === this.#lineStart || buf[start + i - 1] !== CR) return fail("bare_lf");
      const lineStart = start + this.#lineStart;
      const lineEnd = start + i - 1;
      this.#lineStart = i + 1;
      if (lineEnd === lineStart) {
        // An empty line: before the request line it is ignored (RFC 9112 §2.2),
        // after it the head is complete.
        if (inRequestLine) continue;
        this.#scanned = i + 1;
        return this.#finish(i + 1);
      }
      const lineHash = h;
      h = 0;
      const code = inRequestLine
        ? this.#requestLine(buf, lineStart, lineEnd)
        : this.#fieldLine(buf, lineStart, lineEnd, lineHash);
      if (code !== null) return fail(code);
      inRequestLine = false;
      if (this.#headers.size > limits.maxHeaderCount) return fail("too_many_headers");
    }
    if (i === limits.maxHeadBytes && i < len) {
      // Past the head budget: name the request-target only if we are in it.
      return fail(inRequestLine && this.#firstSpace !== -1 ? "uri_too_long" : "head_too_large");
    }
    this.#scanned = i;
    this.#lineHash = h;
    return INCOMPLETE;
  }

  /** request-line = method SP request-target SP HTTP-version (RFC 9112 §3). */
  #requestLine(buf: Uint8Array, s: number, e: number): RejectionCode | null {
    let i = s;
    let h = 0;
    for (let b: number; i < e && TOKEN[b = buf[i]!] === 1; i++) h = hashStep(h, b);
    if (i === s || i === e || buf[i] !== SP) return "invalid_request_line";
    const method = VALUES.get(buf, s, i, h);
    const targetStart = ++i;
    h = 0;
    for (let b: number; i < e && TARGET[b = buf[i]!] === 1; i++) h = hashStep(h, b);
    if (i === targetStart || i === e || buf[i] !== SP) {
      return i < e && buf[i] !== SP ? "invalid_target" : "invalid_request_line";
    }
    const target = VALUES.get(buf, targetStart, i, h);
    const v = i + 1;
    // HTTP-version = "HTTP/" DIGIT "." DIGIT, exactly eight bytes (RFC 9112 §2.3).
    if (
      e - v !== 8 || buf[v] !== 0x48 || buf[v + 1] !== 0x54 || buf[v + 2] !== 0x54 ||
      buf[v + 3] !== 0x50 || buf[v + 4] !== 0x2f || !isDigit(buf[v + 5]!) ||
      buf[v + 6] !== 0x2e || !isDigit(buf[v + 7]!)
    ) {
      return "invalid_version";
    }
    if (buf[v + 5] !== 0x31 || (buf[v + 7] !== 0x31 && buf[v + 7] !== 0x30)) {
      return "unsupported_version";
    }
    if (!KNOWN_METHODS.has(method)) return "unknown_method";
    this.#method = method;
    this.#target = target;
    this.#version = buf[v + 7] === 0x31 ? "HTTP/1.1" : "HTTP/1.0";
    return null;
  }

  /** A field line, `buf[s, e)`; `hash` is {@link hashStep} over its bytes. */
  #fieldLine(buf: Uint8Array, s: number, e: number, hash: number): RejectionCode | null {
    let field = FIELD_LINES.get(buf, s, e, hash);
    if (field === undefined) {
      const parsed = parseFieldLine(buf, s, e);
      if (typeof parsed === "string") return parsed;
      FIELD_LINES.set(buf, s, e, hash, parsed);
      field = parsed;
    }
    const [name, value] = field;
    this.#headers.add(name, value);
    switch (name) {
      case "host":
        this.#hosts++;
        this.#host = value;
        break;
      case "content-length":
        (this.#contentLength ??= []).push(value);
        break;
      case "transfer-encoding":
        (this.#transferEncoding ??= []).push(value);
        break;
      case "connection":
        this.#connection = this.#connection === null ? value : `${this.#connection}, ${value}`;
        break;
      case "expect":
        this.#expect = this.#expect === null ? value : `${this.#expect}, ${value}`;
        break;
    }
    return null;
  }

  /** Checks what needs the whole head, then builds the result. */
  #finish(consumed: number): HeadResult {
    const headers = this.#headers;
    const version = this.#version!;
    // Host (RFC 9112 §3.2): exactly one in HTTP/1.1, at most one in HTTP/1.0.
    const hosts = this.#hosts;
    if (hosts > 1) return fail("duplicate_host");
    if (hosts === 0 && version === "HTTP/1.1") return fail("missing_host");
    if (hosts === 1 && !isValidHost(this.#host!)) return fail("invalid_host");
    const target = parseTarget(this.#target, this.#method);
    if (typeof target === "string") return fail(target);
    return {
      kind: "head",
      consumed,
      head: {
        method: this.#method,
        target: this.#target,
        version,
        headers,
        path: target.path,
        rawPath: target.rawPath,
        query: target.query,
        contentLength: this.#contentLength ?? NONE,
        transferEncoding: this.#transferEncoding ?? NONE,
        connection: this.#connection,
        expect: this.#expect,
      },
    };
  }
}

/**
 * Parses one complete head in one call, for tests and tools.
 *
 * @example
 * ```ts
 * import { parseHead } from "./head_parser.ts";
 * const r = parseHead(new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n"));
 * r.kind; // "head"
 * ```
 */
export function parseHead(
  bytes: Uint8Array,
  limits: HeadLimits = DEFAULT_HEAD_LIMITS,
): HeadResult {
  return new HeadParser(limits).feed(bytes, 0, bytes.length);
}
