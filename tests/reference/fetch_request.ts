/**
 * The plain reference paths for `src/fetch/fetch_request.ts`:
 *
 * - {@link referenceRequestUrl} for `requestUrl()`'s memo of the last
 *   request's URL (keyed on Host and target): the URL parsed afresh for
 *   every request;
 * - {@link referenceToRequest} for `toRequest()`'s lazy `NativeRequest` (a
 *   `Proxy` in its prototype chain builds the real `Request` on first
 *   need): a real `new Request(url, { method, headers, signal, body })`
 *   built at once from the same `RawRequest`.
 *
 * Compared against in tests/fetch/fetch_request_reference_test.ts, timed
 * against in bench/fetch_request_bench.ts.
 *
 * @module
 */

import type { RawRequest } from "../../src/app/request.ts";

/**
 * The request's absolute URL, parsed now (RFC 9112 §3.3): an absolute-form
 * target as it is, `*` as the server itself, else `http://` + Host (or
 * "localhost" when empty) + the target. Joined as text, not resolved against a
 * base: an origin-form target "//x" is a path, not another host. Throws a
 * TypeError when it does not parse.
 */
export function referenceRequestUrl(raw: RawRequest): string {
  const target = raw.target;
  if (target === "*") return new URL("http://localhost/").href;
  if (!target.startsWith("/")) return new URL(target).href;
  return new URL(`http://${raw.headers.get("host") || "localhost"}${target}`).href;
}

/** The real `Request` for `raw`, built at once: what `toRequest(raw)` stands for. */
export function referenceToRequest(raw: RawRequest): Request {
  const init: RequestInit & { duplex?: "half" } = {
    method: raw.method,
    headers: raw.headers.pairs(),
  };
  if (raw.signal !== null) init.signal = raw.signal;
  // GET and HEAD carry no body in the fetch API.
  if (raw.bodyStream !== null && raw.method !== "GET" && raw.method !== "HEAD") {
    init.body = raw.bodyStream;
    init.duplex = "half";
  }
  return new Request(referenceRequestUrl(raw), init);
}
