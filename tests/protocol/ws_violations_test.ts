/** Tests for the violation table (src/protocol/ws_violations.ts). */

import assert from "node:assert/strict";
import { violation, WS_VIOLATIONS, type WsViolation } from "../../src/protocol/ws_violations.ts";
import { isSendableCloseCode } from "../../src/protocol/ws_close_codes.ts";
import { INVALID_STREAMS } from "../fixtures/ws_frames.ts";

const NAMES = Object.keys(WS_VIOLATIONS) as WsViolation[];

Deno.test("every violation answers with a sendable code and a short fixed reason", () => {
  for (const name of NAMES) {
    const { code, reason } = WS_VIOLATIONS[name];
    assert.ok(isSendableCloseCode(code), name);
    assert.ok(reason.length > 5 && new TextEncoder().encode(reason).length <= 123, name);
  }
});

Deno.test("1007 is for bad UTF-8, 1009 for size, 1002 for every other violation", () => {
  for (const name of NAMES) {
    const expected = name.startsWith("invalid_utf8") || name === "invalid_close_reason"
      ? 1007
      : name === "message_too_big"
      ? 1009
      : 1002;
    assert.equal(WS_VIOLATIONS[name].code, expected, name);
  }
});

Deno.test("violation() builds the parser's error event from the table", () => {
  assert.deepEqual(violation("reserved_bits"), {
    kind: "error",
    violation: "reserved_bits",
    code: 1002,
    reason: "reserved bits set",
  });
});

Deno.test("every violation but the client role's has a fixture that leads to it", () => {
  const covered = new Set(INVALID_STREAMS.map((f) => f.violation));
  for (const name of NAMES) {
    if (name === "masked_frame") continue; // the client role's; its own parser test
    assert.ok(covered.has(name), `no fixture for ${name}`);
  }
});
