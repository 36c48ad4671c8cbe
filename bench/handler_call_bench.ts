/**
 * Micro-benchmarks of calling a handler (`deno task bench:micro`): an
 * asynchronous handler's response, with a pool permit, handed to the
 * connection's answer by `callHandler()` (src/server/handler_call.ts: one
 * `then` that releases the permit, checks the response and answers),
 * against an async function that awaits the handler and then does the same
 * steps (tests/reference/handler_call.ts, the baseline).
 *
 * @module
 */

import { callHandler } from "../src/server/handler_call.ts";
import type { Permit } from "../src/server/pool.ts";
import type { RawResponse } from "../src/app/response.ts";
import { makeRequest } from "../tests/fixtures/request.ts";
import { referenceCallHandler } from "../tests/reference/handler_call.ts";

const OK: RawResponse = { status: 200, body: "Hello, world!\n" };
const request = makeRequest("GET", "/");
const handler = () => Promise.resolve(OK);
let released = 0;
const permit: Permit = {
  held: true,
  release: () => void released++,
  pause() {},
  resume() {},
};
let sink = 0;
const answer = (response: RawResponse, keep: boolean): boolean => {
  sink += response.status;
  return keep;
};

Deno.bench({
  name: "async handler: reference, awaited in an async function",
  group: "async handler",
  baseline: true,
  async fn() {
    await referenceCallHandler(handler, request, permit, answer, true);
  },
});
Deno.bench({
  name: "async handler: optimised, one then (callHandler)",
  group: "async handler",
  async fn() {
    await callHandler(handler, request, permit, answer, true);
  },
});

globalThis.addEventListener("unload", () => {
  if (sink + released < 0) console.log(""); // keeps the counters read
});
