/**
 * Tests for the WebSocket opening handshake (src/protocol/ws_handshake.ts):
 * the accept key of RFC 6455's example, every refusal with its status and
 * fixed text, the 426's version field, keys that are and are not 16 bytes of
 * base64, the subprotocol list and choice, and a head from the real parser.
 */

import assert from "node:assert/strict";
import {
  acceptKey,
  checkUpgrade,
  chooseProtocol,
  isKey,
  offeredProtocols,
  switchingHeaders,
  type UpgradeRequest,
  wantsWebSocket,
  WS_REFUSALS,
  type WsRefusalCode,
} from "../../src/protocol/ws_handshake.ts";
import { RequestHeaders } from "../../src/protocol/headers.ts";
import { DEFAULT_HEAD_LIMITS } from "../../src/protocol/head_parser.ts";
import { bytes } from "../fixtures/requests.ts";
import { feedHead } from "../fixtures/split.ts";

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";

/** An upgrade request with the valid fields, overridden by `fields` (null removes one). */
function request(
  fields: Record<string, string | null | string[]> = {},
  method = "GET",
  version = "HTTP/1.1",
): UpgradeRequest {
  const all: Record<string, string | null | string[]> = {
    host: "example.com",
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-key": KEY,
    "sec-websocket-version": "13",
    ...fields,
  };
  const headers = new RequestHeaders();
  for (const [name, value] of Object.entries(all)) {
    if (value === null) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.add(name, v);
  }
  return { method, version, headers };
}

function refusal(r: UpgradeRequest): WsRefusalCode | "accept" {
  const result = checkUpgrade(r);
  return result.kind === "accept" ? "accept" : result.code;
}

Deno.test("acceptKey() gives RFC 6455 §1.3's answer to its example key", () => {
  assert.equal(acceptKey(KEY), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  assert.equal(acceptKey("x3JJHMbDL1EzLkh9GBhXDw=="), "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
});

Deno.test("checkUpgrade() accepts a valid upgrade and answers with the accept key", () => {
  assert.deepEqual(checkUpgrade(request()), {
    kind: "accept",
    accept: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
  });
});

Deno.test("checkUpgrade() compares Upgrade and Connection as case-insensitive token lists", () => {
  for (
    const fields of [
      { upgrade: "WebSocket" },
      { upgrade: "h2c, websocket" },
      { connection: "keep-alive, Upgrade" },
      { connection: "UPGRADE" },
      { connection: ["keep-alive", "upgrade"] },
      { "content-length": "0" },
    ]
  ) {
    assert.equal(refusal(request(fields)), "accept", JSON.stringify(fields));
  }
});

Deno.test("checkUpgrade() names each flaw of a request", () => {
  const cases: Array<[UpgradeRequest, WsRefusalCode]> = [
    [request({}, "POST"), "ws_method"],
    [request({}, "get"), "ws_method"],
    [request({}, "GET", "HTTP/1.0"), "ws_http_version"],
    [request({ upgrade: null }), "ws_upgrade"],
    [request({ upgrade: "websockets" }), "ws_upgrade"],
    [request({ upgrade: "h2c" }), "ws_upgrade"],
    [request({ connection: null }), "ws_connection"],
    [request({ connection: "keep-alive" }), "ws_connection"],
    [request({ connection: "upgraded" }), "ws_connection"],
    [request({ "content-length": "5" }), "ws_body"],
    [request({ "transfer-encoding": "chunked" }), "ws_body"],
    [request({ "sec-websocket-version": null }), "ws_version"],
    [request({ "sec-websocket-version": "8" }), "ws_version"],
    [request({ "sec-websocket-version": ["13", "13"] }), "ws_version"],
    [request({ "sec-websocket-key": null }), "ws_key"],
    [request({ "sec-websocket-key": "" }), "ws_key"],
    [request({ "sec-websocket-key": [KEY, KEY] }), "ws_key"],
    [request({ "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ" }), "ws_key"], // unpadded
    [request({ "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZSE=" }), "ws_key"], // 17 bytes
    [request({ "sec-websocket-key": "dGhlIHNhbXBsZSBub25j" }), "ws_key"], // 15 bytes
    [request({ "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ-=" }), "ws_key"],
  ];
  for (const [r, code] of cases) assert.equal(refusal(r), code, code);
});

Deno.test("checkUpgrade() answers a wrong version with 426 and Sec-WebSocket-Version: 13", () => {
  const r = checkUpgrade(request({ "sec-websocket-version": "8" }));
  assert.deepEqual(r, {
    kind: "refuse",
    code: "ws_version",
    status: 426,
    text: WS_REFUSALS.ws_version.text,
    headers: [["sec-websocket-version", "13"]],
  });
  const other = checkUpgrade(request({ upgrade: null }));
  assert.ok(other.kind === "refuse" && other.status === 400 && other.headers.length === 0);
});

Deno.test("refusal texts are fixed: no input is echoed", () => {
  const hostile = "<script>x</script>";
  for (
    const fields of [{ upgrade: hostile }, { "sec-websocket-key": hostile }, {
      "sec-websocket-version": hostile,
    }]
  ) {
    const r = checkUpgrade(request(fields));
    assert.ok(r.kind === "refuse");
    assert.equal(r.text, WS_REFUSALS[r.code].text);
    assert.ok(!r.text.includes("script"));
  }
});

Deno.test("isKey() takes 22 base64 characters and '==', and nothing else", () => {
  assert.equal(isKey(KEY), true);
  assert.equal(isKey("AAAAAAAAAAAAAAAAAAAAAA=="), true);
  assert.equal(isKey("/+/+/+/+/+/+/+/+/+/+/+=="), true);
  assert.equal(
    isKey(btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))))),
    true,
  );
  for (const key of [" " + KEY.slice(1), KEY + " ", KEY.replace("==", "=A"), "A".repeat(24)]) {
    assert.equal(isKey(key), false, key);
  }
});

Deno.test("a head from the real parser is checked as it stands", () => {
  const text = `GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n` +
    `Sec-WebSocket-Protocol: chat, superchat\r\n\r\n`;
  const result = feedHead(bytes(text), DEFAULT_HEAD_LIMITS, [text.length]);
  assert.ok(result.kind === "head");
  assert.equal(wantsWebSocket(result.head), true);
  assert.equal(checkUpgrade(result.head).kind, "accept");
  assert.deepEqual(offeredProtocols(result.head), ["chat", "superchat"]);
});

Deno.test("a fetch Headers object serves as the headers accessor too", () => {
  const headers = new Headers({
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-key": KEY,
    "sec-websocket-version": "13",
  });
  assert.equal(checkUpgrade({ method: "GET", version: "HTTP/1.1", headers }).kind, "accept");
});

Deno.test("offeredProtocols() reads the token list, across repeated fields, or null if malformed", () => {
  assert.deepEqual(offeredProtocols(request()), []);
  assert.deepEqual(offeredProtocols(request({ "sec-websocket-protocol": "a,b ,  c" })), [
    "a",
    "b",
    "c",
  ]);
  assert.deepEqual(
    offeredProtocols(request({ "sec-websocket-protocol": ["chat", "v2.json"] })),
    ["chat", "v2.json"],
  );
  for (const bad of ["", "a,,b", "a b", "a;b", "chät", "a/b"]) {
    assert.equal(offeredProtocols(request({ "sec-websocket-protocol": bad })), null, bad);
  }
});

Deno.test("chooseProtocol() takes an offered protocol or none, and refuses any other", () => {
  const r = request({ "sec-websocket-protocol": "chat, superchat" });
  assert.deepEqual(chooseProtocol(r), { ok: true, protocol: "" });
  assert.deepEqual(chooseProtocol(r, ""), { ok: true, protocol: "" });
  assert.deepEqual(chooseProtocol(r, "superchat"), { ok: true, protocol: "superchat" });
  assert.equal(chooseProtocol(r, "Chat").ok, false, "protocols are case-sensitive");
  assert.equal(chooseProtocol(request(), "chat").ok, false, "none offered");
  assert.equal(chooseProtocol(request({ "sec-websocket-protocol": "a b" }), "a").ok, false);
});

Deno.test("switchingHeaders() lists the 101's fields, the protocol only when chosen", () => {
  assert.deepEqual(switchingHeaders("abc"), [
    ["upgrade", "websocket"],
    ["connection", "Upgrade"],
    ["sec-websocket-accept", "abc"],
  ]);
  assert.deepEqual(switchingHeaders("abc", "chat").at(-1), ["sec-websocket-protocol", "chat"]);
});
