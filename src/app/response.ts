/**
 * What a native handler returns, and helpers that build it.
 *
 * The response's shape (`RawResponse`) is `protocol/message.ts`'s, re-exported here.
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

import type { FixedBody, RawResponse } from "../protocol/message.ts";
import type { ContentStatus } from "../protocol/status.ts";
import type { RawRequest } from "./request.ts";

export {
  type FixedBody,
  type HeaderList,
  isRawResponse,
  isStreamBody,
  type RawResponse,
  type ResponseBody,
  type StreamBody,
} from "../protocol/message.ts";

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
