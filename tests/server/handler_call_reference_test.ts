/**
 * Calling a handler with one `then` after an asynchronous one
 * (src/server/handler_call.ts, `callHandler()`) against an async function
 * that awaits it (tests/reference/handler_call.ts): random handlers,
 * synchronous or not, that return a response or something else, throw,
 * reject, or hand back a thenable of another kind, with a permit or none,
 * and answers that keep, close, wait or fail, must call the handler once,
 * give the permit back exactly once and before the answer, answer the same
 * response (a 500 for every failure), and end the same way (a synchronous
 * throw counts as the rejection an async function would give).
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { callHandler } from "../../src/server/handler_call.ts";
import type { Handler, RawResponse } from "../../src/app/response.ts";
import type { Permit } from "../../src/server/pool.ts";
import type { Step } from "../../src/server/step.ts";
import { makeRequest } from "../fixtures/request.ts";
import { referenceCallHandler } from "../reference/handler_call.ts";

/** What a handler gives: a response, or values that are not one. */
const returned: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ status: fc.integer({ min: 200, max: 599 }), body: fc.string() }),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      null,
      undefined,
      42,
      "ok",
      {},
      { status: 200.5 },
      { status: 200, body: 7 },
      { status: 204, headers: null },
    ),
  },
);

/** How a handler gives it. */
const how = fc.constantFrom(
  "returns",
  "throws",
  "resolves",
  "resolves later",
  "rejects",
  "thenable resolves",
  "thenable resolves later",
  "thenable rejects",
  "thenable throws",
);

/** How the connection's answer goes: kept or closed, at once or later, or failing. */
const answerHow = fc.constantFrom("value", "promise", "throws", "rejects");

const call = fc.record({
  returned,
  how,
  permit: fc.boolean(),
  answer: answerHow,
  keep: fc.boolean(),
});

type Call = typeof call extends fc.Arbitrary<infer C> ? C : never;

/** A few microtask turns. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await null;
}

/** The handler `c` describes; each call is logged. */
function handlerOf(c: Call, log: unknown[]): Handler {
  const value = c.returned;
  const fail = () => new Error("handler failed");
  const handler = () => {
    log.push("handler");
    switch (c.how) {
      case "returns":
        return value;
      case "throws":
        throw fail();
      case "resolves":
        return Promise.resolve(value);
      case "resolves later":
        return turns(5).then(() => value);
      case "rejects":
        return Promise.reject(fail());
      case "thenable resolves":
        return { then: (resolve: (v: unknown) => void) => resolve(value) };
      case "thenable resolves later":
        return {
          then: (resolve: (v: unknown) => void) => void turns(3).then(() => resolve(value)),
        };
      case "thenable rejects":
        return { then: (_: unknown, reject: (e: unknown) => void) => reject(fail()) };
      case "thenable throws":
        return {
          then() {
            throw fail();
          },
        };
    }
  };
  return handler as unknown as Handler;
}

/** A permit that logs each release. */
function permitOf(log: unknown[]): Permit {
  return { held: true, release: () => log.push("release"), pause() {}, resume() {} };
}

/** The answer `c` describes; each call is logged with the response and argument it got. */
function answerOf(c: Call, log: unknown[]): (response: RawResponse, arg: string) => Step<boolean> {
  return (response, arg) => {
    log.push({ response, arg });
    switch (c.answer) {
      case "value":
        return c.keep;
      case "promise":
        return Promise.resolve(c.keep);
      case "throws":
        throw new Error("write failed");
      case "rejects":
        return Promise.reject(new Error("write failed"));
    }
  };
}

/** How a call ended: its value, or its error's message. */
async function ending(run: () => Step<boolean>): Promise<{ value: boolean } | { error: string }> {
  try {
    return { value: await run() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

Deno.test("callHandler() releases, answers and ends as the reference's async function does, for random handlers and answers", async () => {
  await fc.assert(
    fc.asyncProperty(call, async (c) => {
      const request = makeRequest("GET", "/");
      const mine: unknown[] = [];
      const theirs: unknown[] = [];
      const myEnding = await ending(() =>
        callHandler(
          handlerOf(c, mine),
          request,
          c.permit ? permitOf(mine) : null,
          answerOf(c, mine),
          "arg",
        )
      );
      const theirEnding = await ending(() =>
        referenceCallHandler(
          handlerOf(c, theirs),
          request,
          c.permit ? permitOf(theirs) : null,
          answerOf(c, theirs),
          "arg",
        )
      );
      assert.deepEqual(mine, theirs);
      assert.deepEqual(myEnding, theirEnding);
      assert.equal(mine.filter((e) => e === "release").length, c.permit ? 1 : 0);
    }),
    { numRuns: 300 },
  );
});
