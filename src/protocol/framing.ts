/**
 * Decides how a request's body is delimited, from its head (RFC 9112 §6).
 *
 * Ambiguous framing is how requests get smuggled past a proxy, so every case
 * a peer server tolerates but the RFC does not bless is refused here.
 *
 * @module
 */

import type { RejectionCode } from "./rejections.ts";
import type { RequestHead } from "./head_parser.ts";

/** How the body of one request is delimited. */
export type Framing =
  | { readonly kind: "none" }
  | { readonly kind: "length"; readonly length: number }
  | { readonly kind: "chunked" };

const NO_BODY: Framing = { kind: "none" };

/** More digits than this could exceed Number.MAX_SAFE_INTEGER; no limit is that large. */
const MAX_CONTENT_LENGTH_DIGITS = 15;

/**
 * The framing of the body that follows `head`, or why it cannot be trusted.
 *
 * @example
 * ```ts
 * import { bodyFraming } from "./framing.ts";
 * import { parseHead } from "./head_parser.ts";
 * const r = parseHead(new TextEncoder().encode("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n"));
 * if (r.kind === "head") bodyFraming(r.head); // { kind: "length", length: 5 }
 * ```
 */
export function bodyFraming(head: RequestHead): Framing | RejectionCode {
  const te = head.transferEncoding;
  const cl = head.contentLength;
  if (te.length > 0) {
    // HTTP/1.0 has no Transfer-Encoding: its framing is faulty (RFC 9112 §6.1).
    if (head.version === "HTTP/1.0") return "invalid_transfer_encoding";
    // Both headers: the classic smuggling vector; RFC 9112 §6.1 lets a server
    // refuse it, and we do (as Node and nginx do; Go lets TE win).
    if (cl.length > 0) return "conflicting_framing";
    return transferCoding(te.join(","));
  }
  if (cl.length === 0) return NO_BODY; // RFC 9112 §6.3 item 7: no body
  // Content-Length = 1*DIGIT (RFC 9110 §8.6). A repeated field, even with the
  // same value, or a list ("5, 5"), is refused rather than deduplicated.
  if (cl.length > 1) return "invalid_content_length";
  const value = cl[0]!;
  if (value.length === 0 || value.length > MAX_CONTENT_LENGTH_DIGITS) {
    return "invalid_content_length";
  }
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return "invalid_content_length";
  }
  const length = Number(value);
  return length === 0 ? NO_BODY : { kind: "length", length };
}

/**
 * Reads a Transfer-Encoding list. Only a lone `chunked` is served:
 * chunked must be last (RFC 9112 §6.3 item 4: else 400), applied once
 * (§7: else 400), and other codings are not implemented (§6.1: 501).
 */
function transferCoding(value: string): Framing | RejectionCode {
  const codings = value.split(",").map((c) => c.trim().toLowerCase());
  if (codings.some((c) => c === "")) return "invalid_transfer_encoding";
  if (codings.at(-1) !== "chunked") return "invalid_transfer_encoding";
  if (codings.length === 1) return { kind: "chunked" };
  if (codings.filter((c) => c === "chunked").length > 1) return "invalid_transfer_encoding";
  return "unsupported_transfer_encoding";
}
