/**
 * What the request-head parser produces: a checked request head, the limits
 * it was checked against, and the result of one feed of bytes.
 *
 * @module
 */

import type { RequestHeaders } from "./headers.ts";
import { LIMITS } from "./limits.ts";
import type { RejectionCode } from "./rejections.ts";
import type { Target } from "./target.ts";

/** The size limits the parser enforces, all in bytes or counts. */
export interface HeadLimits {
  /** Longest request line, CRLF excluded; longer gets 414 (or 400 before the target). */
  readonly maxRequestLineBytes: number;
  /** Largest head, request line to the blank line inclusive; larger gets 431. */
  readonly maxHeadBytes: number;
  /** Most header field lines; more gets 431. */
  readonly maxHeaderCount: number;
}

/**
 * Methods we implement (RFC 9110 §9 and RFC 5789 PATCH). Anything else that is
 * a valid token is answered 501, as RFC 9110 §9.1 asks; CONNECT is left out
 * because this server is not a proxy.
 */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "OPTIONS",
  "TRACE",
  "PATCH",
]);

/** The protocol versions this server speaks (RFC 9112 §2.3). */
export type HttpVersion = "HTTP/1.1" | "HTTP/1.0";

/**
 * The header fields the server itself acts on, recorded as they are parsed
 * (as llhttp does), so framing and keep-alive need no second look at the list.
 */
export interface FramingFields {
  /** Every Content-Length value, in order (usually none or one). */
  readonly contentLength: readonly string[];
  /** Every Transfer-Encoding value, in order. */
  readonly transferEncoding: readonly string[];
  /** Connection values joined with ", ", or null. */
  readonly connection: string | null;
  /** Expect values joined with ", ", or null. */
  readonly expect: string | null;
}

/** A parsed and checked request head. */
export interface RequestHead extends Target, FramingFields {
  /** The method, case-sensitive as sent. */
  readonly method: string;
  /** The request-target exactly as sent. */
  readonly target: string;
  /** The protocol version. */
  readonly version: HttpVersion;
  /** Every header field, names lower-cased. */
  readonly headers: RequestHeaders;
}

/** What one feed of bytes produced. */
export type HeadResult =
  | { readonly kind: "incomplete" }
  | { readonly kind: "error"; readonly code: RejectionCode }
  | {
    readonly kind: "head";
    readonly head: RequestHead;
    /** Bytes from the start of the feed through the blank line that ends the head. */
    readonly consumed: number;
  };

/** The limits the parser uses when given none; the server's defaults. */
export const DEFAULT_HEAD_LIMITS: HeadLimits = {
  maxRequestLineBytes: LIMITS.maxRequestLineBytes.default,
  maxHeadBytes: LIMITS.maxHeadBytes.default,
  maxHeaderCount: LIMITS.maxHeaderCount.default,
};
