/** Tests for the parser's default limits in src/protocol/request_head.ts. */

import assert from "node:assert/strict";
import { DEFAULT_HEAD_LIMITS } from "../../src/protocol/request_head.ts";
import { LIMITS } from "../../src/protocol/limits.ts";

Deno.test("DEFAULT_HEAD_LIMITS are 8 KiB line, 16 KiB head, 100 fields", () => {
  assert.deepEqual(DEFAULT_HEAD_LIMITS, {
    maxRequestLineBytes: 8192,
    maxHeadBytes: 16384,
    maxHeaderCount: 100,
  });
});

Deno.test("DEFAULT_HEAD_LIMITS take each value from the LIMITS table's default, so the two cannot drift", () => {
  for (const name of ["maxRequestLineBytes", "maxHeadBytes", "maxHeaderCount"] as const) {
    assert.equal(DEFAULT_HEAD_LIMITS[name], LIMITS[name].default, name);
  }
  assert.ok(DEFAULT_HEAD_LIMITS.maxRequestLineBytes < DEFAULT_HEAD_LIMITS.maxHeadBytes);
});
