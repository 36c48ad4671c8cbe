/**
 * The plain reference path for `callHandler()` in
 * src/server/handler_call.ts (an asynchronous handler's promise gets one
 * `then`, which gives back the pool permit, checks the response and hands
 * it on; a synchronous handler's response is handed on at once): an async
 * function that awaits the handler, then does the same steps one by one.
 *
 * Compared against in tests/server/handler_call_reference_test.ts, timed
 * against in bench/handler_call_bench.ts.
 *
 * @module
 */

import { type Handler, isRawResponse, type RawResponse } from "../../src/app/response.ts";
import type { Permit } from "../../src/server/pool.ts";
import type { RawRequest } from "../../src/app/request.ts";
import { rejection } from "../../src/protocol/rejections.ts";

/**
 * Awaits `handler` on `request`; gives back `permit` (when there is one)
 * once it is done, whatever it did; then hands its response to `answer`
 * with `arg`, or a 500 when it threw, rejected or gave something that is not
 * a response. What `callHandler(handler, request, permit, answer, arg)`
 * stands for.
 */
export async function referenceCallHandler<A, R>(
  handler: Handler,
  request: RawRequest,
  permit: Permit | null,
  answer: (response: RawResponse, arg: A) => R | Promise<R>,
  arg: A,
): Promise<R> {
  let response: RawResponse;
  try {
    const returned: unknown = await handler(request);
    response = isRawResponse(returned) ? returned : rejection("handler_error");
  } catch {
    response = rejection("handler_error");
  } finally {
    permit?.release();
  }
  return await answer(response, arg);
}
