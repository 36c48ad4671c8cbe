/**
 * The names, units, buckets and attribute values of rawhttp's OpenTelemetry
 * output, as `Deno.serve` emits them with `OTEL_DENO=true` (Deno 2.9.6,
 * `ext/http` and `ext/telemetry`), which follows the HTTP semantic
 * conventions: the server span's request attributes and the four
 * `http.server.*` instruments. telemetry.ts uses them; docs/telemetry.md
 * lists them and says where rawhttp differs from Deno.
 *
 * Only types come from the OpenTelemetry API here (erased when compiled):
 * this module loads nothing.
 *
 * @module
 */

import type { Attributes, Histogram, Meter, TextMapGetter, UpDownCounter } from "./_otel_api.ts";
import type { RequestHead } from "../protocol/request_head.ts";
import type { RequestHeaders } from "../protocol/headers.ts";
import type { Match } from "../app/router.ts";
import { type RejectionCode, REJECTIONS } from "../protocol/rejections.ts";
import { DURATION_BUCKETS } from "./metrics.ts";

/** The instrumentation scope of rawhttp's spans and metrics (Deno.serve's is `deno`). */
export const SCOPE = { name: "rawhttp", version: "0.1.0" } as const;

/** `http.server.request.duration`'s bucket bounds in seconds: Deno's, which are semconv's advice. */
export const DURATION_BOUNDS_S: readonly number[] = DURATION_BUCKETS;

/** The body-size histograms' bucket bounds in bytes, as Deno's. */
export const SIZE_BOUNDS_BYTES: readonly number[] = [0, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/** The four instruments of the HTTP server semantic conventions. */
export interface Instruments {
  readonly duration: Histogram;
  readonly active: UpDownCounter;
  readonly requestSize: Histogram;
  readonly responseSize: Histogram;
}

/** Makes the instruments on `meter`, with Deno's names, units, descriptions and buckets. */
export function createInstruments(meter: Meter): Instruments {
  const sizes = { explicitBucketBoundaries: [...SIZE_BOUNDS_BYTES] };
  return {
    duration: meter.createHistogram("http.server.request.duration", {
      unit: "s",
      description: "Duration of HTTP server requests.",
      advice: { explicitBucketBoundaries: [...DURATION_BOUNDS_S] },
    }),
    // Deno's is an integer counter; Deno's JS API makes only doubles (values are equal).
    active: meter.createUpDownCounter("http.server.active_requests", {
      unit: "{request}",
      description: "Number of active HTTP server requests.",
    }),
    requestSize: meter.createHistogram("http.server.request.body.size", {
      unit: "By",
      description: "Size of HTTP server request bodies.",
      advice: sizes,
    }),
    responseSize: meter.createHistogram("http.server.response.body.size", {
      unit: "By",
      description: "Size of HTTP server response bodies.",
      advice: sizes,
    }),
  };
}

/**
 * An integer attribute value. Deno exports a BigInt attribute as OTLP
 * `intValue` and a number as `doubleValue`; Deno.serve's metrics carry the
 * status code as an integer. (The API's types know no BigInt, hence the cast.)
 */
export function intAttr(n: number): number {
  return BigInt(n) as unknown as number;
}

/** The propagators' view of a request's headers (W3C `traceparent`, `tracestate`, `baggage`). */
export const HEADER_GETTER: TextMapGetter<RequestHeaders> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => headers.pairs().map(([name]) => name),
};

/** `network.protocol.version` of a request: "1.1" or "1.0". */
export function protocolVersion(head: RequestHead): string {
  return head.version === "HTTP/1.0" ? "1.0" : "1.1";
}

/** The server span's request attributes, as Deno.serve sets them. */
export function requestAttributes(head: RequestHead, scheme: string): Attributes {
  const target = head.target;
  // The URL a fetch handler's Request has (fetch_request.ts): Host + target, or
  // the absolute-form target as sent.
  const href = target.startsWith("/")
    ? `${scheme}://${head.headers.get("host") || "localhost"}${target}`
    : target === "*"
    ? `${scheme}://localhost/`
    : target;
  let full = href, path = head.rawPath, query = head.query;
  try {
    const url = new URL(href);
    full = url.href;
    path = url.pathname; // Deno's: new URL(request.url).pathname
    query = url.search.slice(1);
  } catch {
    // A Host the URL parser refuses (Deno.serve would not have served it): as sent.
  }
  return {
    "http.request.method": head.method,
    "url.full": full,
    "url.scheme": scheme,
    "url.path": path,
    "url.query": query, // "" when there is none, as Deno's
  };
}

/**
 * The route pattern the router matched, for `http.route`: a found route's
 * or a 405's path pattern; none for a 404, `serve()`'s fallback handler
 * (whose handler may set `http.route` on the span itself) or `OPTIONS *`.
 */
export function routeOf(match: Match): string | undefined {
  const pattern = match.kind === "found"
    ? match.route.pattern
    : match.kind === "method_not_allowed"
    ? match.pattern
    : undefined;
  return pattern !== undefined && pattern.startsWith("/") ? pattern : undefined;
}

/** The body bytes of the refusal for `code` (its fixed text and a newline; none to HEAD). */
export function refusalBodyBytes(code: RejectionCode, head: RequestHead | null): number {
  return head?.method === "HEAD" ? 0 : REJECTIONS[code].text.length + 1;
}
