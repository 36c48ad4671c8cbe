/** Tests for the response shape checks of src/protocol/message.ts. */

import assert from "node:assert/strict";
import { isRawResponse, isStreamBody } from "../../src/protocol/message.ts";

async function* chunks(): AsyncGenerator<Uint8Array> {
  yield new Uint8Array([1]);
}

Deno.test("isStreamBody() is true for a ReadableStream or an async iterable, false for text or bytes", () => {
  assert.equal(isStreamBody(new ReadableStream<Uint8Array>()), true);
  assert.equal(isStreamBody(chunks()), true);
  assert.equal(isStreamBody("text"), false);
  assert.equal(isStreamBody(""), false);
  assert.equal(isStreamBody(new Uint8Array(3)), false);
  assert.equal(isStreamBody(new Uint8Array(new ArrayBuffer(8), 2, 3)), false);
});

Deno.test("isRawResponse() accepts an integer status with optional headers and any body kind", () => {
  const good: unknown[] = [
    { status: 204 },
    { status: 200, body: "ok" },
    { status: 200, body: new Uint8Array(1) },
    { status: 200, body: new ReadableStream() },
    { status: 200, body: chunks() },
    { status: 200, headers: { "x-a": "1" }, body: "ok" },
    { status: 200, headers: [["set-cookie", "a=1"], ["set-cookie", "b=2"]] },
    { status: 999 }, // the range is the serializer's check, not the shape's
  ];
  for (const value of good) assert.equal(isRawResponse(value), true, String(JSON.stringify(value)));
});

Deno.test("isRawResponse() refuses what a JavaScript handler might return by mistake", () => {
  const bad: [string, unknown][] = [
    ["null", null],
    ["undefined", undefined],
    ["a string", "ok"],
    ["a number", 200],
    ["no status", { body: "ok" }],
    ["a status as text", { status: "200" }],
    ["a fractional status", { status: 200.5 }],
    ["a NaN status", { status: NaN }],
    ["null headers", { status: 200, headers: null }],
    ["headers as text", { status: 200, headers: "x-a: 1" }],
    ["a number body", { status: 200, body: 1 }],
    ["a null body", { status: 200, body: null }],
    ["a plain object body", { status: 200, body: { a: 1 } }],
    ["a sync iterable body", { status: 200, body: [new Uint8Array(1)] }],
  ];
  for (const [what, value] of bad) assert.equal(isRawResponse(value), false, what);
});

// Found while writing these tests: a fetch Response has an integer status, an
// object for headers (a Headers, whose fields Object.keys does not see) and a
// ReadableStream body, so it passes as a RawResponse. A native handler that
// returns one by mistake is then served with its header fields silently
// dropped (handler_call.ts checked()), where a 500 naming the mistake was meant.
