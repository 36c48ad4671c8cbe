/** Tests for laying out and writing response heads (src/protocol/_head_plan.ts). */

import assert from "node:assert/strict";
import {
  asTypeError,
  encodeHead,
  type HeadPlan,
  planHead,
  repeatedPrefix,
  type SerializeOptions,
  writeHead,
} from "../../src/protocol/_head_plan.ts";
import type { RawResponse } from "../../src/protocol/message.ts";

const DATE = "Mon, 01 Jan 2024 00:00:00 GMT";
const KEEP: SerializeOptions = { keepAlive: true, omitBody: false, date: DATE };
const CLOSE: SerializeOptions = { keepAlive: false, omitBody: false, date: DATE };

/** The head's bytes as text. */
function headText(res: RawResponse, options = KEEP, framing: number | "chunked" | "close" = 0) {
  const { bytes, length } = encodeHead(res, options, framing);
  return String.fromCharCode(...bytes.subarray(0, length));
}

Deno.test("encodeHead() lays out status, fields, Server, Date, the framing and Connection, in that order", () => {
  assert.equal(
    headText({ status: 200, headers: { "Content-Type": "text/plain" } }, KEEP, 5),
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nServer: rawhttp\r\n" +
      `Date: ${DATE}\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\n`,
  );
});

Deno.test("encodeHead() frames by length, chunked, or the connection's close", () => {
  assert.match(headText({ status: 200 }, KEEP, 0), /\r\nContent-Length: 0\r\n/);
  const chunked = headText({ status: 200 }, KEEP, "chunked");
  assert.match(chunked, /\r\nTransfer-Encoding: chunked\r\n/);
  assert.doesNotMatch(chunked, /Content-Length/);
  const close = headText({ status: 200 }, CLOSE, "close");
  assert.doesNotMatch(close, /Content-Length|Transfer-Encoding/);
  assert.ok(close.endsWith("Connection: close\r\n\r\n"));
});

Deno.test("encodeHead() gives 204 and 304 neither Content-Length nor Transfer-Encoding", () => {
  for (const status of [204, 304] as const) {
    for (const framing of [0, 12, "chunked"] as const) {
      assert.doesNotMatch(
        headText({ status }, KEEP, framing),
        /Content-Length|Transfer-Encoding/,
        `${status} ${framing}`,
      );
    }
  }
});

Deno.test("encodeHead() reports close when the connection or the handler asks for it", () => {
  assert.equal(encodeHead({ status: 200 }, KEEP, 0).close, false);
  assert.equal(encodeHead({ status: 200 }, CLOSE, 0).close, true);
  const asked = encodeHead({ status: 200, headers: { Connection: "close" } }, KEEP, 0);
  assert.equal(asked.close, true);
  const text = String.fromCharCode(...asked.bytes.subarray(0, asked.length));
  assert.equal(text.match(/Connection/g)?.length, 1, "the handler's line is not repeated");
});

Deno.test("encodeHead() leaves `extra` bytes free after the head for the body", () => {
  const head = encodeHead({ status: 200 }, KEEP, 3, 3);
  assert.ok(head.bytes.length >= head.length + 3);
  assert.equal(head.bytes[head.length - 1], 0x0a);
});

Deno.test("encodeHead() refuses a status outside 200-599 with a TypeError", () => {
  for (const status of [100, 101, 199, 600, 200.5, NaN]) {
    assert.throws(
      () => encodeHead({ status } as unknown as RawResponse, KEEP, 0),
      TypeError,
      `${status}`,
    );
  }
});

Deno.test("planHead() counts the head's size as the sum of its pieces", () => {
  const plan = planHead({ status: 200, headers: [["X-A", "1"], ["X-A", "2"]] }, KEEP, 12);
  let size = plan.last.length + plan.length.length;
  for (let i = 0; i < plan.count; i++) size += plan.parts[i]!.length;
  assert.equal(plan.size, size);
  assert.equal(plan.length, "12");
  assert.equal(plan.close, false);
});

Deno.test("planHead() gives a call nested in a handler's getter a plan of its own", () => {
  let inner: HeadPlan | null = null;
  const res = {
    status: 200,
    get headers() {
      inner = planHead({ status: 404, headers: { "X-Inner": "1" } }, CLOSE, 0);
      return { "X-Outer": "1" };
    },
  } as RawResponse;
  const outer = planHead(res, KEEP, 0);
  assert.ok(inner !== null);
  const nested = inner as HeadPlan;
  assert.notEqual(nested, outer);
  const join = (p: HeadPlan) =>
    p.parts.slice(0, p.count).map((b) => String.fromCharCode(...b)).join("");
  assert.match(join(outer), /^HTTP\/1\.1 200 OK\r\nX-Outer: 1\r\n/);
  assert.match(join(nested), /^HTTP\/1\.1 404 Not Found\r\nX-Inner: 1\r\n/);
  assert.equal(nested.close, true);
});

Deno.test("planHead() turns whatever a handler's getter throws into a TypeError, its cause kept", () => {
  const thrown = new RangeError("boom");
  const res = {
    status: 200,
    get headers(): Record<string, string> {
      throw thrown;
    },
  } as RawResponse;
  assert.throws(() => planHead(res, KEEP, 0), (e: unknown) => {
    return e instanceof TypeError && e.cause === thrown;
  });
  // The shared plan is free again: the next head is laid out as usual.
  assert.equal(planHead({ status: 200 }, KEEP, 0).count > 0, true);
});

Deno.test("asTypeError() keeps a TypeError and wraps anything else as its cause", () => {
  const type = new TypeError("t");
  assert.equal(asTypeError(type), type);
  for (const other of [new Error("e"), "text", 1, null]) {
    const wrapped = asTypeError(other);
    assert.ok(wrapped instanceof TypeError);
    assert.equal(wrapped.cause, other);
  }
});

Deno.test("writeHead() writes the same bytes from the pieces or from their prefix joined", () => {
  const plan = planHead({ status: 201, headers: { "X-P": "1" } }, KEEP, 42);
  const pieces = writeHead(plan, null, 0);
  const joined = new Uint8Array(plan.parts.slice(0, plan.count).flatMap((p) => [...p]));
  const fromPrefix = writeHead(plan, joined, 0);
  assert.equal(fromPrefix.length, pieces.length);
  assert.deepEqual(
    fromPrefix.bytes.subarray(0, fromPrefix.length),
    pieces.bytes.subarray(0, pieces.length),
  );
  const text = String.fromCharCode(...pieces.bytes.subarray(0, pieces.length));
  assert.ok(text.endsWith("Content-Length: 42\r\nConnection: keep-alive\r\n\r\n"), text);
});

Deno.test("repeatedPrefix() joins the pieces only when the same arrays come twice in a row", () => {
  const a = new Uint8Array([1, 2]);
  const b = new Uint8Array([3]);
  const c = new Uint8Array([3]); // equal bytes, another array
  assert.equal(repeatedPrefix([a, b], 2), null, "first time");
  assert.deepEqual(repeatedPrefix([a, b], 2), new Uint8Array([1, 2, 3]), "second time");
  const joined = repeatedPrefix([a, b], 2);
  assert.equal(repeatedPrefix([a, b], 2), joined, "joined once for the run");
  assert.equal(repeatedPrefix([a, c], 2), null, "another array");
  assert.deepEqual(repeatedPrefix([a, c, b], 2), new Uint8Array([1, 2, 3]), "parts[0, count) only");
  assert.equal(repeatedPrefix([a], 1), null, "fewer pieces");
});
