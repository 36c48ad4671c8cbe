import assert from "node:assert/strict";
import type { BodylessStatus, ContentStatus, Status } from "../../src/protocol/status.ts";
import { isBodyless, isStatus, STATUS_TEXT } from "../../src/protocol/status.ts";

Deno.test("STATUS_TEXT holds the RFC 9110 reason phrases the server sends", () => {
  const expected: Record<number, string> = {
    100: "Continue",
    200: "OK",
    204: "No Content",
    304: "Not Modified",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    413: "Content Too Large",
    414: "URI Too Long",
    422: "Unprocessable Content",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
    505: "HTTP Version Not Supported",
  };
  for (const [code, reason] of Object.entries(expected)) {
    assert.equal(STATUS_TEXT[Number(code) as Status], reason, code);
  }
});

Deno.test("STATUS_TEXT has only three-digit codes with non-empty reason phrases", () => {
  const codes = Object.keys(STATUS_TEXT).map(Number);
  assert.ok(codes.length >= 30);
  for (const code of codes) {
    assert.ok(Number.isInteger(code) && code >= 100 && code <= 599, String(code));
    const reason = STATUS_TEXT[code as Status];
    // A reason phrase goes on the status line: no CR, LF or non-latin1 characters.
    assert.match(reason, /^[A-Za-z][A-Za-z' -]*[A-Za-z]$/, String(code));
  }
});

Deno.test("isBodyless() is true for 1xx, 204 and 304 only", () => {
  for (const s of [100, 101, 102, 199, 204, 304]) assert.equal(isBodyless(s), true, String(s));
  for (const s of [200, 201, 203, 205, 206, 301, 302, 303, 400, 404, 500, 503]) {
    assert.equal(isBodyless(s), false, String(s));
  }
});

Deno.test("isStatus() knows the codes of STATUS_TEXT and nothing else", () => {
  assert.equal(isStatus(200), true);
  assert.equal(isStatus(505), true);
  for (const s of [0, 199, 299, 418, 599, 1000, 200.5, NaN]) {
    assert.equal(isStatus(s), false, String(s));
  }
  // Not fooled by Object.prototype keys.
  assert.equal(isStatus("toString" as unknown as number), false);
});

Deno.test("BodylessStatus and ContentStatus split Status with no overlap (compile-time check)", () => {
  const bodyless: BodylessStatus[] = [204, 304];
  for (const s of bodyless) assert.equal(isBodyless(s), true);
  // @ts-expect-error: 100 is interim; a handler's response must be final.
  const interim: BodylessStatus = 100;
  assert.equal(isBodyless(interim), true);
  const content: ContentStatus = 200;
  assert.equal(isBodyless(content), false);
  // @ts-expect-error: 204 is not a status that may carry content.
  const wrong: ContentStatus = 204;
  assert.equal(isBodyless(wrong), true);
});
