/**
 * Tests for calling handlers (src/server/handler_call.ts): whatever a handler
 * does, one response comes out, at once from a synchronous handler, and its
 * permit is given back before the answer goes on.
 */

import assert from "node:assert/strict";
import { callHandler, checked, routeMiss } from "../../src/server/handler_call.ts";
import type { Permit } from "../../src/server/pool.ts";
import type { RawRequest } from "../../src/app/request.ts";
import type { RawResponse } from "../../src/app/response.ts";
import { bodyText, makeRequest } from "../fixtures/request.ts";
import { exchangeOf } from "../fixtures/exchange.ts";

const OK: RawResponse = { status: 200, body: "ok" };

/** A permit that records when it is released. */
function permit(log: string[]): Permit {
  return {
    held: true,
    release: () => log.push("release"),
    pause() {},
    resume() {},
  };
}

/** An answer function that records what it got, and keeps the connection. */
function answerer(log: string[]): (response: RawResponse, arg: string) => boolean {
  return (response, arg) => {
    log.push(`answer ${response.status} ${arg}`);
    return true;
  };
}

Deno.test("callHandler() answers a synchronous handler at once, after releasing its permit", () => {
  const log: string[] = [];
  const result = callHandler(() => OK, makeRequest("GET", "/"), permit(log), answerer(log), "x");
  assert.equal(result, true, "a value, not a promise");
  assert.deepEqual(log, ["release", "answer 200 x"]);
});

Deno.test("callHandler() answers an asynchronous handler in one then, after releasing its permit", async () => {
  const log: string[] = [];
  const result = callHandler(
    () => Promise.resolve(OK),
    makeRequest("GET", "/"),
    permit(log),
    answerer(log),
    "x",
  );
  assert.ok(result instanceof Promise);
  assert.deepEqual(log, [], "nothing before the handler settles");
  assert.equal(await result, true);
  assert.deepEqual(log, ["release", "answer 200 x"]);
});

Deno.test("callHandler() adopts any thenable, as await would", async () => {
  const log: string[] = [];
  const thenable = { then: (resolve: (r: RawResponse) => void) => resolve(OK) };
  const handler = (() => thenable) as unknown as (req: RawRequest) => RawResponse;
  assert.equal(await callHandler(handler, makeRequest("GET", "/"), null, answerer(log), "x"), true);
  assert.deepEqual(log, ["answer 200 x"]);
});

Deno.test("callHandler() answers a throw, a rejection or a non-response with 500, the permit given back", async () => {
  const failing: Array<(req: RawRequest) => RawResponse | Promise<RawResponse>> = [
    () => {
      throw new Error("boom");
    },
    () => Promise.reject(new Error("boom")),
    () => undefined as unknown as RawResponse,
    () => Promise.resolve(42 as unknown as RawResponse),
  ];
  for (const handler of failing) {
    const log: string[] = [];
    await callHandler(handler, makeRequest("GET", "/"), permit(log), answerer(log), "x");
    assert.deepEqual(log, ["release", "answer 500 x"], String(handler));
  }
});

Deno.test("checked() passes a response through and turns anything else into a 500", () => {
  const req = makeRequest("GET", "/");
  assert.equal(checked(req, OK), OK);
  assert.equal(checked(req, { body: "no status" }).status, 500);
  assert.equal(checked(req, null).status, 500);
});

const exchange = () => exchangeOf("GET / HTTP/1.1\r\nHost: a\r\n\r\n");

Deno.test("routeMiss() answers 404 counted as unmatched, or 405 with Allow counted under the route", () => {
  const missed = exchange();
  const counted = missed.counted;
  const notFound = routeMiss({ kind: "not_found" }, missed);
  assert.equal(notFound.status, 404);
  assert.equal(missed.counted, counted, "counted under the one unmatched row");

  const wrong = exchange();
  const match = {
    kind: "method_not_allowed",
    allow: "GET, HEAD",
    pattern: "/a",
    metered: true,
  } as const;
  const notAllowed = routeMiss(match, wrong);
  assert.equal(notAllowed.status, 405);
  assert.equal((notAllowed.headers as Record<string, string>)["Allow"], "GET, HEAD");
  assert.equal(bodyText(notAllowed), "Method Not Allowed\n");
  assert.equal(wrong.counted, "/a");

  const unmetered = exchange();
  routeMiss({ ...match, metered: false }, unmetered);
  assert.equal(unmetered.counted, null);
});
