/** Tests for the byte pieces response heads are copied from (src/protocol/_head_pieces.ts). */

import assert from "node:assert/strict";
import {
  CHUNKED_LINE,
  CLOSE_END,
  CLOSE_END_AFTER_VALUE,
  CONTENT_LENGTH,
  dateLine,
  fieldLine,
  KEEP_ALIVE_END,
  KEEP_ALIVE_END_AFTER_VALUE,
  latin1Bytes,
  SERVER_LINE,
  SERVER_NAME,
  SERVER_OWNED,
  statusLine,
} from "../../src/protocol/_head_pieces.ts";

const text = (b: Uint8Array) => String.fromCharCode(...b);

Deno.test("statusLine() writes the status and its reason, once per status (the same bytes after)", () => {
  assert.equal(text(statusLine(200)), "HTTP/1.1 200 OK\r\n");
  assert.equal(text(statusLine(404)), "HTTP/1.1 404 Not Found\r\n");
  assert.equal(statusLine(200), statusLine(200), "cached");
});

Deno.test("statusLine() leaves the reason empty for a status without one", () => {
  assert.equal(text(statusLine(299)), "HTTP/1.1 299 \r\n");
});

Deno.test("latin1Bytes() writes one byte per character", () => {
  assert.deepEqual([...latin1Bytes("a\xe9\xff ")], [0x61, 0xe9, 0xff, 0x20]);
  assert.equal(latin1Bytes("").length, 0);
});

Deno.test("the server's own pieces are the lines they name, each ending in CRLF", () => {
  assert.equal(SERVER_NAME, "rawhttp");
  assert.equal(text(SERVER_LINE), "Server: rawhttp\r\n");
  assert.equal(text(CHUNKED_LINE), "Transfer-Encoding: chunked\r\n");
  assert.equal(text(CONTENT_LENGTH), "Content-Length: ");
  assert.equal(text(KEEP_ALIVE_END), "Connection: keep-alive\r\n\r\n");
  assert.equal(text(CLOSE_END), "Connection: close\r\n\r\n");
  assert.equal(text(KEEP_ALIVE_END_AFTER_VALUE), "\r\nConnection: keep-alive\r\n\r\n");
  assert.equal(text(CLOSE_END_AFTER_VALUE), "\r\nConnection: close\r\n\r\n");
});

Deno.test("dateLine() makes a new line when the date changes, and reuses it within the second", () => {
  const a = dateLine("Mon, 01 Jan 2024 00:00:00 GMT");
  assert.equal(text(a), "Date: Mon, 01 Jan 2024 00:00:00 GMT\r\n");
  assert.equal(dateLine("Mon, 01 Jan 2024 00:00:00 GMT"), a);
  const b = dateLine("Mon, 01 Jan 2024 00:00:01 GMT");
  assert.notEqual(b, a);
  assert.equal(text(b), "Date: Mon, 01 Jan 2024 00:00:01 GMT\r\n");
});

Deno.test("fieldLine() encodes a handler's field as its line, with no role", () => {
  assert.deepEqual(fieldLine("Content-Type", "text/plain"), {
    role: null,
    bytes: latin1Bytes("Content-Type: text/plain\r\n"),
  });
  assert.equal(text(fieldLine("X-Latin", "caf\xe9").bytes), "X-Latin: caf\xe9\r\n");
});

Deno.test("fieldLine() drops the fields the server owns, whatever their case", () => {
  assert.deepEqual([...SERVER_OWNED].toSorted(), [
    "connection",
    "content-length",
    "date",
    "transfer-encoding",
  ]);
  for (const name of ["Content-Length", "TRANSFER-ENCODING", "date", "Connection"]) {
    const line = fieldLine(name, "5");
    assert.equal(line.role, "owned", name);
    assert.equal(line.bytes.length, 0, name);
  }
});

Deno.test("fieldLine() marks Connection: close (a token in a list, any case) to be honoured, keep-alive not", () => {
  for (const value of ["close", "Close", "keep-alive, close", "upgrade,CLOSE"]) {
    assert.equal(fieldLine("Connection", value).role, "close", value);
  }
  for (const value of ["keep-alive", "closed", "x-close"]) {
    assert.equal(fieldLine("connection", value).role, "owned", value);
  }
});

Deno.test("fieldLine() marks a handler's own Server line and keeps its bytes", () => {
  const line = fieldLine("server", "mine");
  assert.equal(line.role, "server");
  assert.equal(text(line.bytes), "server: mine\r\n");
});

Deno.test("fieldLine() throws TypeError for a name or value that could split the response", () => {
  const bad: [unknown, unknown][] = [
    ["", "v"],
    ["X Y", "v"],
    ["X:", "v"],
    ["X-\u00e9", "v"],
    ["X", "a\r\nInjected: 1"],
    ["X", "a\nb"],
    ["X", "a\x00"],
    ["X", "\u0100"],
    [1, "v"],
    ["X", { toString: () => "v" }],
  ];
  for (const [name, value] of bad) {
    assert.throws(
      () => fieldLine(name as string, value as string),
      TypeError,
      JSON.stringify([name, String(value)]),
    );
  }
});

Deno.test("fieldLine() refuses a bad value every time, even once good values of that name are cached", () => {
  for (let i = 0; i < 3; i++) {
    assert.equal(fieldLine("X-Cached", "good").role, null);
    assert.throws(() => fieldLine("X-Cached", "bad\r\n"), TypeError);
  }
});

Deno.test("fieldLine() caches a short line (the same object again) but not a value over 256 chars", () => {
  assert.equal(fieldLine("X-Short", "v"), fieldLine("X-Short", "v"));
  const at = "a".repeat(256);
  assert.equal(fieldLine("X-Long", at), fieldLine("X-Long", at));
  const over = "a".repeat(257);
  const first = fieldLine("X-Long", over);
  const second = fieldLine("X-Long", over);
  assert.notEqual(first, second);
  assert.deepEqual(first, second);
});

Deno.test("fieldLine() stays right past the cache's bound of 1024 lines", () => {
  for (let i = 0; i < 2100; i++) {
    const line = fieldLine("X-Many", String(i));
    assert.equal(text(line.bytes), `X-Many: ${i}\r\n`);
  }
  assert.equal(text(fieldLine("X-Many", "7").bytes), "X-Many: 7\r\n");
});
