/**
 * The shape of a response as the wire knows it: a status, header fields and a
 * body that is text, bytes or a stream. The serializer turns it into bytes;
 * the helpers of `app/response.ts` build it.
 *
 * The status is a literal type: a 204 or 304 response has no `body` field in
 * its type, so giving it one is a compile error, not a framing bug.
 *
 * @module
 */

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
