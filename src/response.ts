/**
 * What a native handler returns, and helpers that build it.
 *
 * The status is a literal type: a 204 or 304 response has no `body` field in
 * its type, so giving it one is a compile error, not a framing bug.
 *
 * @example
 * ```ts
 * import { json, text } from "./response.ts";
 * text("hi"); // { status: 200, headers: { "Content-Type": "text/plain; charset=utf-8" }, body: "hi" }
 * json({ ok: true }, { status: 201 });
 * ```
 *
 * @module
 */

import type { RawRequest } from "./request.ts";
import type { BodylessStatus, ContentStatus } from "./status.ts";

/** Response header fields, as an object or as pairs (pairs allow repeats such as Set-Cookie). */
export type HeaderList =
  | Readonly<Record<string, string>>
  | ReadonlyArray<readonly [string, string]>;

/** A body whose length is known: text (sent as UTF-8) or bytes. */
export type FixedBody = string | Uint8Array;

/** A body produced over time; sent chunked (RFC 9112 §7.1) unless it turns out to be short. */
export type StreamBody = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** A response body. */
export type ResponseBody = FixedBody | StreamBody;

/** Whether `body` is a stream rather than text or bytes. */
export function isStreamBody(body: ResponseBody): body is StreamBody {
  return typeof body !== "string" && !(body instanceof Uint8Array);
}

/** A response of the native path. */
export type RawResponse =
  | {
    readonly status: BodylessStatus;
    readonly headers?: HeaderList;
    readonly body?: undefined;
  }
  | {
    readonly status: ContentStatus;
    readonly headers?: HeaderList;
    readonly body?: ResponseBody;
  };

/** A native request handler. It may throw: the server answers 500 and logs the error. */
export type Handler = (req: RawRequest) => RawResponse | Promise<RawResponse>;

/** Status and extra headers for the helpers below. */
export interface ResponseInit {
  /** The status (default 200). */
  readonly status?: ContentStatus;
  /** Extra header fields; a Content-Type here replaces the helper's. */
  readonly headers?: Readonly<Record<string, string>>;
}

function withType(type: string, body: FixedBody, init: ResponseInit): RawResponse {
  const extra = init.headers ?? {};
  const ownType = Object.keys(extra).some((k) => k.toLowerCase() === "content-type");
  return {
    status: init.status ?? 200,
    headers: ownType ? extra : { "Content-Type": type, ...extra },
    body,
  };
}

/** A `text/plain; charset=utf-8` response. */
export function text(body: string, init: ResponseInit = {}): RawResponse {
  return withType("text/plain; charset=utf-8", body, init);
}

/** An `application/json` response of `JSON.stringify(value)`. */
export function json(value: unknown, init: ResponseInit = {}): RawResponse {
  return withType("application/json", JSON.stringify(value), init);
}

/** A `text/html; charset=utf-8` response. */
export function html(body: FixedBody, init: ResponseInit = {}): RawResponse {
  return withType("text/html; charset=utf-8", body, init);
}

/**
 * Whether `value` has the shape of a {@link RawResponse}: what a handler
 * written in JavaScript, without the type checker, might get wrong.
 */
export function isRawResponse(value: unknown): value is RawResponse {
  if (typeof value !== "object" || value === null) return false;
  const { status, headers, body } = value as Record<string, unknown>;
  if (typeof status !== "number" || !Number.isInteger(status)) return false;
  if (headers !== undefined && (typeof headers !== "object" || headers === null)) return false;
  return body === undefined || typeof body === "string" || body instanceof Uint8Array ||
    body instanceof ReadableStream ||
    (typeof body === "object" && body !== null && Symbol.asyncIterator in body);
}
