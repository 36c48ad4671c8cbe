/**
 * Tests for how a connection closes (src/server/closing.ts): the bytes of a
 * refusal, and which closes linger. Refusals on real sockets, shutdown and
 * the linger itself are tested through the connection (connection_test.ts,
 * lingering_test.ts).
 */

import assert from "node:assert/strict";
import type { Framing } from "../../src/protocol/framing.ts";
import { lingersAfterRefusal, refusalBytes } from "../../src/server/closing.ts";
import { bodyReader, parsedHead } from "../fixtures/exchange.ts";

const GET = parsedHead("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
const HEAD = parsedHead("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
const EXPECTING = parsedHead(
  "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
);

const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("refusalBytes() is the refusal's status and fixed text, with Connection: close", () => {
  const sent = text(refusalBytes("body_too_large", GET));
  assert.match(sent, /^HTTP\/1\.1 413 Content Too Large\r\n/);
  assert.match(sent, /\r\nConnection: close\r\n/i);
  assert.ok(sent.endsWith("\r\n\r\nContent Too Large\n"), sent);
  assert.equal(text(refusalBytes("invalid_request_line", null)).split(" ")[1], "400");
});

Deno.test("refusalBytes() sends no body to HEAD, and adds the given fields", () => {
  const sent = text(refusalBytes("shutting_down", HEAD, { "Retry-After": "1" }));
  assert.match(sent, /^HTTP\/1\.1 503 /);
  assert.match(sent, /\r\nRetry-After: 1\r\n/);
  assert.ok(sent.endsWith("\r\n\r\n"), "a head only");
});

const body = (framing: Framing, expecting = false) => bodyReader(framing, { expecting });

Deno.test("lingersAfterRefusal(): a close lingers when the client may still be sending", () => {
  assert.equal(lingersAfterRefusal("invalid_request_line", null, null), true);
  assert.equal(
    lingersAfterRefusal("body_too_large", GET, body({ kind: "length", length: 5 })),
    true,
  );
  assert.equal(
    lingersAfterRefusal("body_too_large", EXPECTING, body({ kind: "length", length: 5 }, true)),
    false,
    "a client waiting for 100 Continue sends nothing more",
  );
  assert.equal(
    lingersAfterRefusal("body_too_large", EXPECTING, body({ kind: "length", length: 5 })),
    true,
    "once the 100 went out (the body was read), the client is sending",
  );
});

Deno.test("lingersAfterRefusal(): no linger after a timeout, the client is slow anyway", () => {
  assert.equal(lingersAfterRefusal("header_timeout", null, null), false);
  assert.equal(lingersAfterRefusal("body_timeout", GET, body({ kind: "chunked" })), false);
});
