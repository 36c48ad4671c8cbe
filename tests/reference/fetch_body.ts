/**
 * The plain reference path for `servedFetchHandler()`'s body probe in
 * src/fetch/adapter.ts (`serve()`'s fetch handler reads what the
 * `Response` body has ready, in the handler's own async frame, and hands
 * the connection bytes when the body ended there, the rest of the stream
 * when it did not): the body read whole with `await response.arrayBuffer()`.
 *
 * Compared against in tests/fetch/adapter_reference_test.ts, timed against
 * in bench/fetch_body_bench.ts.
 *
 * @module
 */

import { defaultOnError, type FetchHandler } from "../../src/fetch/adapter.ts";
import type { RawRequest } from "../../src/app/request.ts";
import { referenceToRequest } from "./fetch_request.ts";

/** What the client is sent: status, header fields (one per Set-Cookie) and body. */
export interface ReferenceAnswer {
  readonly status: number;
  readonly headers: Array<[string, string]>;
  /** The whole body; null when the Response has none; "failed" when reading it failed. */
  readonly body: Uint8Array | null | "failed";
}

/**
 * Runs `handler` (a throw, a rejection or something that is not a Response
 * answered by `defaultOnError`), then reads its response's body whole: what
 * `servedFetchHandler(handler)` stands for. The handler's `Request` is made
 * by `toRequest`: a real one unless told (a benchmark of the body alone
 * passes the adapter's own).
 */
export function referenceServedFetchHandler(
  handler: FetchHandler,
  toRequest: (raw: RawRequest) => Request = referenceToRequest,
): (raw: RawRequest) => Promise<ReferenceAnswer> {
  return async (raw) => {
    const { hostname, port } = raw.remoteAddr;
    const info = {
      remoteAddr: { transport: "tcp" as const, hostname, port },
      completed: Promise.resolve(),
    };
    let response: Response;
    try {
      const returned: unknown = await handler(toRequest(raw), info);
      if (!(returned instanceof Response)) {
        throw new TypeError("the handler must return a Response");
      }
      response = returned;
    } catch (error) {
      response = defaultOnError(error);
    }
    const { status, headers } = response;
    if (response.body === null) return { status, headers: [...headers], body: null };
    try {
      return { status, headers: [...headers], body: new Uint8Array(await response.arrayBuffer()) };
    } catch {
      return { status, headers: [...headers], body: "failed" };
    }
  };
}
