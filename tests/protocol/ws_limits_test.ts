/** Tests for the WebSocket limits (src/protocol/ws_limits.ts). */

import assert from "node:assert/strict";
import { WS_LIMITS, type WsLimitName } from "../../src/protocol/ws_limits.ts";

const NAMES = Object.keys(WS_LIMITS) as WsLimitName[];

Deno.test("every WebSocket limit's name starts with ws and ends with its unit, default in range, with a reason", () => {
  for (const name of NAMES) {
    const spec = WS_LIMITS[name];
    assert.ok(name.startsWith("ws"), name);
    assert.equal(spec.unit, name.endsWith("Ms") ? "ms" : "bytes", name);
    assert.ok(spec.min <= spec.default && spec.default <= spec.max, name);
    assert.ok(spec.doc.length > 40, `${name}: no reason given`);
  }
});

Deno.test("the WebSocket defaults are Deno's where Deno has one", () => {
  assert.equal(WS_LIMITS.wsMaxMessageBytes.default, 64 * 1024 * 1024, "fastwebsockets' default");
  assert.equal(WS_LIMITS.wsIdleTimeoutMs.default, 30_000, "Deno.upgradeWebSocket's idleTimeout");
  assert.equal(WS_LIMITS.wsIdleTimeoutMs.min, 0, "0 turns the pings off, as in Deno");
});
