/**
 * Tests for the connection's record of one request and its answer
 * (src/server/exchange.ts): what it takes from the plan, and whether the
 * client may still be sending when the connection closes after it.
 */

import assert from "node:assert/strict";
import { exchangeOf } from "../fixtures/exchange.ts";

Deno.test("an exchange starts from its plan: kept alive as planned, HEAD without a body, the request's version", () => {
  const get = exchangeOf("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  assert.equal(get.keepAlive, true);
  assert.equal(get.omitBody, false);
  assert.equal(get.version, "HTTP/1.1");
  const head = exchangeOf("HEAD / HTTP/1.0\r\n\r\n");
  assert.equal(head.keepAlive, false);
  assert.equal(head.omitBody, true);
  assert.equal(head.version, "HTTP/1.0");
  assert.equal(exchangeOf("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 10).keepAlive, false);
});

Deno.test("mayStillSend(): the client may still send if it meant to keep the connection or sent more", () => {
  assert.equal(exchangeOf("GET / HTTP/1.1\r\nHost: a\r\n\r\n").mayStillSend(0), true);
  assert.equal(
    exchangeOf("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 10).mayStillSend(0),
    true,
    "the last allowed request: the client's next may be on its way",
  );
  const closing = exchangeOf("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  assert.equal(closing.mayStillSend(0), false);
  assert.equal(closing.mayStillSend(1), true, "bytes beyond the request came already");
});

Deno.test("mayStillSend(): a body not read yet is still coming, unless the client waits for 100 Continue", () => {
  const upload = exchangeOf(
    "POST / HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Length: 5\r\n\r\n",
  );
  assert.equal(upload.mayStillSend(0), true);
  const waiting = exchangeOf(
    "POST / HTTP/1.1\r\nHost: a\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
  );
  assert.equal(waiting.mayStillSend(0), false, "it never got its 100: it sends nothing");
});

Deno.test("an exchange is the response writer's options: the closing signal comes from the connection's streams", () => {
  const signal = new AbortController().signal;
  const exchange = exchangeOf("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 1, () => signal);
  assert.equal(exchange.closingSignal(), signal);
});
