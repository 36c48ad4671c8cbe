/**
 * One header field line parsed (RFC 9112 §5), and the caches that make a
 * recurring line cheap: header names and values interned (decoded once,
 * found by a hash from the validating scan) and whole field lines cached.
 * Shared by the head parser and the chunked decoder's trailers.
 *
 * Private to the protocol layer (the `_` prefix, as Deno std marks its
 * private modules): the caches are module state, safe because parsing runs no
 * code but this (a value is handed out only once it is whole).
 *
 * @module
 */

import { COLON, FIELD_VALUE, HTAB, SP, TOKEN } from "./chars.ts";
import { hashStep, Interner, LineCache, LOWER } from "./interner.ts";
import type { RejectionCode } from "./rejections.ts";

// Header names, methods, targets and values recur request after request;
// decoding them once saves two allocations each (see interner.ts).
const NAMES = new Interner(256, true);
/** Methods, targets and values, interned (the head parser's request line uses it too). */
export const VALUES: Interner = new Interner(1024, false);
/** Whole field lines: a client sends the same lines request after request. */
export const FIELD_LINES: LineCache<readonly [name: string, value: string]> = new LineCache(1024);

/**
 * field-line = field-name ":" OWS field-value OWS (RFC 9112 §5), for one line
 * without its CRLF; the name comes back lower-cased. Shared with chunked trailers.
 */
export function parseFieldLine(
  buf: Uint8Array,
  s: number,
  e: number,
): [name: string, value: string] | RejectionCode {
  const first = buf[s]!;
  // A line that starts with whitespace continues the previous one: obs-fold,
  // which a server must refuse or unfold (RFC 9112 §5.2). We refuse.
  if (first === SP || first === HTAB) return "obs_fold";
  let i = s;
  let h = 0;
  for (let b: number; i < e && TOKEN[b = buf[i]!] === 1; i++) h = hashStep(h, LOWER[b]!);
  if (i === e) return "missing_colon";
  const stop = buf[i]!;
  if (stop !== COLON) {
    // No whitespace is allowed between name and colon (RFC 9112 §5.1).
    return stop === SP || stop === HTAB ? "space_before_colon" : "invalid_header_name";
  }
  if (i === s) return "invalid_header_name";
  const name = NAMES.get(buf, s, i, h);
  let vs = i + 1;
  let ve = e;
  while (vs < ve && (buf[vs] === SP || buf[vs] === HTAB)) vs++;
  while (ve > vs && (buf[ve - 1] === SP || buf[ve - 1] === HTAB)) ve--;
  h = 0;
  for (let j = vs; j < ve; j++) {
    const b = buf[j]!;
    if (FIELD_VALUE[b] === 0) return "invalid_header_value";
    h = hashStep(h, b);
  }
  return [name, VALUES.get(buf, vs, ve, h)];
}

/**
 * Host = uri-host [ ":" port ] (RFC 9110 §7.2): reg-name, IPv4 or an IP-literal
 * in brackets. An empty value is allowed for targets without an authority.
 */
const HOST = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=%]*|\[[0-9A-Fa-f:.]+\])(?::[0-9]*)?$/;

/** The last Host value found valid: usually the next request's too (interned, so one compare). */
let lastValidHost = "";

export function isValidHost(value: string): boolean {
  if (value === lastValidHost) return true;
  if (!HOST.test(value)) return false;
  lastValidHost = value;
  return true;
}
