/**
 * Request ids, for joining access log lines with traces and with the
 * client's own logs: the client's `X-Request-Id` when well-formed (1 to 128
 * of `A-Z a-z 0-9 . _ -`), else one made here, cheaply: a random prefix
 * drawn once per process (per listener thread), then a counter.
 *
 * @example
 * ```ts
 * import { isRequestId, newRequestId } from "./request_id.ts";
 * isRequestId("abc-123"); // true
 * isRequestId("a b"); // false
 * newRequestId(); // e.g. "k3v9q2x1-1"
 * ```
 *
 * @module
 */

import type { RawResponse } from "../app/response.ts";
import type { Exchange } from "./exchange.ts";

/** The response (and request) header that carries the id. */
export const REQUEST_ID_HEADER = "X-Request-Id";

const WELL_FORMED = /^[A-Za-z0-9._-]{1,128}$/;

/** Whether `value` is an id we accept from a client: 1-128 of `A-Z a-z 0-9 . _ -`. */
export function isRequestId(value: string): boolean {
  return WELL_FORMED.test(value);
}

const PREFIX = (() => {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return [...bytes].map((b) => (b % 36).toString(36)).join("") +
    crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36).padStart(7, "0") + "-";
})();
let counter = 0;

/** A fresh id: this process's random prefix and a counter. */
export function newRequestId(): string {
  return PREFIX + (++counter).toString(36);
}

/** The id of a request with headers `headers`: the client's when well-formed, else a fresh one. */
export function requestIdOf(headers: { get(name: string): string | null } | null): string {
  const sent = headers?.get("x-request-id") ?? null;
  return sent !== null && WELL_FORMED.test(sent) ? sent : newRequestId();
}

/**
 * `response` with `X-Request-Id`: the id `exchange` keeps (the client's when
 * well-formed, else a new one), unless the handler set its own, which the
 * access log then shows, since it is the one the client got.
 */
export function withRequestId(response: RawResponse, exchange: Exchange): RawResponse {
  const headers = response.headers;
  const own = headerValue(headers, "x-request-id");
  if (own !== null) {
    exchange.requestId ??= own;
    return response;
  }
  const id = exchange.requestId ??= requestIdOf(exchange.head.headers);
  const added: [string, string] = [REQUEST_ID_HEADER, id];
  return {
    ...response,
    headers: headers === undefined
      ? { [REQUEST_ID_HEADER]: id }
      : Array.isArray(headers)
      ? [...(headers as ReadonlyArray<readonly [string, string]>), added]
      : { ...(headers as Readonly<Record<string, string>>), [REQUEST_ID_HEADER]: id },
  } as RawResponse;
}

/** The value of field `lower` (a lower-case name) in a native response's headers, or null. */
function headerValue(headers: RawResponse["headers"], lower: string): string | null {
  if (headers === undefined) return null;
  const pairs = Array.isArray(headers)
    ? headers as ReadonlyArray<readonly [string, string]>
    : Object.entries(headers as Readonly<Record<string, string>>);
  return pairs.find(([name]) => name.toLowerCase() === lower)?.[1] ?? null;
}
