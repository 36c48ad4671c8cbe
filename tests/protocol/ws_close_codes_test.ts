/** Tests for the close-code table and its checks (src/protocol/ws_close_codes.ts). */

import assert from "node:assert/strict";
import {
  CLOSE,
  closeArguments,
  isClientCloseCode,
  isSendableCloseCode,
} from "../../src/protocol/ws_close_codes.ts";
import { INVALID_CLOSE_CODES, VALID_CLOSE_CODES } from "../fixtures/ws_frames.ts";

Deno.test("isSendableCloseCode() takes 1000-1003, 1007-1014 and 3000-4999 only", () => {
  for (const code of VALID_CLOSE_CODES) assert.equal(isSendableCloseCode(code), true, `${code}`);
  for (const code of INVALID_CLOSE_CODES) assert.equal(isSendableCloseCode(code), false, `${code}`);
  let count = 0;
  for (let code = 0; code <= 65535; code++) if (isSendableCloseCode(code)) count++;
  assert.equal(count, 4 + 8 + 2000);
});

Deno.test("the codes only reported locally (1005, 1006, 1015) are never sendable", () => {
  for (const code of [CLOSE.noStatus, CLOSE.abnormal, CLOSE.tlsHandshake]) {
    assert.equal(isSendableCloseCode(code), false);
  }
});

Deno.test("isClientCloseCode() takes what a browser's close() takes: 1000 and 3000-4999", () => {
  assert.equal(isClientCloseCode(1000), true);
  assert.equal(isClientCloseCode(3000), true);
  assert.equal(isClientCloseCode(4999), true);
  for (const code of [999, 1001, 1011, 2999, 5000]) assert.equal(isClientCloseCode(code), false);
});

Deno.test("CLOSE names each code of RFC 6455 §7.4.1 and the IANA registry once", () => {
  const values = Object.values(CLOSE);
  assert.equal(new Set(values).size, values.length);
  assert.deepEqual(values.slice().sort(), [
    1000,
    1001,
    1002,
    1003,
    1005,
    1006,
    1007,
    1008,
    1009,
    1010,
    1011,
    1012,
    1013,
    1014,
    1015,
  ]);
});

Deno.test("closeArguments() clamps the code and refuses one a close frame may not carry", () => {
  assert.deepEqual(closeArguments(), { reason: "" });
  assert.deepEqual(closeArguments(1001, "bye"), { code: 1001, reason: "bye" });
  assert.deepEqual(closeArguments(3000.2), { code: 3000, reason: "" });
  assert.deepEqual(closeArguments("4000"), { code: 4000, reason: "" }, "converted as a number");
  const invalidAccess = (e: unknown) =>
    e instanceof DOMException && e.name === "InvalidAccessError";
  for (const code of [Number.NaN, -1, 0, 1005, 1006, 1015, 5000, 66536]) {
    assert.throws(() => closeArguments(code), invalidAccess, String(code));
  }
});

Deno.test("closeArguments() takes a reason of 123 UTF-8 bytes, refuses 124, mends lone surrogates, adds 1000 to a lone reason", () => {
  assert.equal(closeArguments(1000, "x".repeat(123)).reason.length, 123);
  const syntax = (e: unknown) => e instanceof DOMException && e.name === "SyntaxError";
  assert.throws(() => closeArguments(1000, "x".repeat(124)), syntax);
  assert.throws(() => closeArguments(1000, "€".repeat(42)), syntax, "126 bytes in 42 characters");
  assert.equal(closeArguments(1000, "a\ud800").reason, "a\ufffd");
  assert.deepEqual(closeArguments(undefined, 42 as unknown as string), {
    code: 1000,
    reason: "42",
  });
  assert.deepEqual(closeArguments(undefined, ""), { reason: "" }, "an empty reason needs no code");
});
