/**
 * Tests for the request-head parser (src/protocol/head_parser.ts): every fixture on the
 * whole input, at every split point and byte by byte; the limits just below,
 * at and just above; early refusal; pipelining.
 */

import assert from "node:assert/strict";
import { latin1 } from "../../src/protocol/chars.ts";
import { REJECTIONS } from "../../src/protocol/rejections.ts";
import {
  DEFAULT_HEAD_LIMITS,
  type HeadLimits,
  HeadParser,
  type HeadResult,
  parseHead,
} from "../../src/protocol/head_parser.ts";
import {
  bytes,
  INCOMPLETE_HEADS,
  INVALID_HEADS,
  SMALL_LIMITS,
  VALID_HEADS,
} from "../fixtures/requests.ts";
import { byteByByte, everySplit, feedHead, snapshot } from "../fixtures/split.ts";

/** Asserts that `result` is a head and returns it, for typed access. */
function expectHead(result: HeadResult): Extract<HeadResult, { kind: "head" }> {
  assert.equal(result.kind, "head", `expected a head, got ${JSON.stringify(result)}`);
  return result as Extract<HeadResult, { kind: "head" }>;
}

/** Asserts that `result` is a refusal with `code`. */
function expectError(result: HeadResult, code: string): void {
  assert.deepEqual(result, { kind: "error", code });
}

/** Asserts every split and byte-by-byte replay of `input` gives what the whole input gives. */
function assertSplitInvariant(input: Uint8Array, limits: HeadLimits): void {
  const whole = snapshot(feedHead(input, limits, [input.length]));
  for (const { label, ends } of everySplit(input.length)) {
    assert.deepEqual(snapshot(feedHead(input, limits, ends)), whole, label);
  }
  // The same input behind unrelated bytes, fed from a non-zero start.
  const junk = bytes("\x00\xffjunk\r\n\n");
  const shifted = new Uint8Array(junk.length + input.length);
  shifted.set(junk);
  shifted.set(input, junk.length);
  assert.deepEqual(
    snapshot(feedHead(shifted, limits, byteByByte(input.length), junk.length)),
    whole,
    "byte by byte from a non-zero start",
  );
}

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

for (const f of VALID_HEADS) {
  Deno.test(`parseHead() accepts ${f.name}`, () => {
    const r = expectHead(parseHead(bytes(f.head + f.rest), f.limits));
    assert.equal(r.consumed, f.head.length, "consumed must stop at the end of the head");
    assert.equal(r.head.method, f.method);
    assert.equal(r.head.target, f.target);
    assert.equal(r.head.version, f.version);
    assert.equal(r.head.path, f.path);
    assert.equal(r.head.rawPath, f.rawPath);
    assert.equal(r.head.query, f.query);
    assert.deepEqual([...r.head.headers.entries()], f.headers);
    assert.equal(r.head.headers.size, f.headers.length);
    for (const [name, value] of Object.entries(f.joined)) {
      assert.equal(r.head.headers.get(name), value, `headers.get(${name})`);
    }
  });

  Deno.test(`HeadParser.feed() parses ${f.name} the same at every split point`, () => {
    assertSplitInvariant(bytes(f.head + f.rest), f.limits);
  });
}

for (const f of INVALID_HEADS) {
  Deno.test(`HeadParser.feed() rejects ${f.name} with ${f.code} (${f.status})`, () => {
    const r = parseHead(bytes(f.raw), f.limits ?? DEFAULT_HEAD_LIMITS);
    expectError(r, f.code);
    assert.equal(REJECTIONS[f.code].status, f.status);
  });

  Deno.test(`HeadParser.feed() rejects ${f.name} the same at every split point`, () => {
    assertSplitInvariant(bytes(f.raw), f.limits ?? DEFAULT_HEAD_LIMITS);
  });
}

for (const f of INCOMPLETE_HEADS) {
  Deno.test(`HeadParser.feed() asks for more after ${f.name}, at every split point`, () => {
    const input = bytes(f.raw);
    assert.deepEqual(parseHead(input), { kind: "incomplete" });
    for (const { label, ends } of everySplit(input.length)) {
      assert.deepEqual(feedHead(input, DEFAULT_HEAD_LIMITS, ends), { kind: "incomplete" }, label);
    }
  });
}

Deno.test("HeadParser.feed() completes each incomplete fixture once the rest arrives", () => {
  // Each incomplete fixture is a prefix of one of these heads.
  const completions = [
    "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
    "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
  ];
  for (const f of INCOMPLETE_HEADS) {
    const whole = completions.find((c) => c.startsWith(f.raw));
    assert.ok(whole !== undefined, `no completion for ${f.name}`);
    const input = bytes(whole);
    const r = expectHead(feedHead(input, DEFAULT_HEAD_LIMITS, [f.raw.length, input.length]));
    assert.equal(r.consumed, input.length, f.name);
  }
});

// ---------------------------------------------------------------------------
// Limits: just below, at and just above (SMALL_LIMITS: line 64, head 256, 5 lines)
// ---------------------------------------------------------------------------

/** A request line of exactly `length` bytes (CRLF excluded). */
function requestLine(length: number): string {
  const fixed = "GET / HTTP/1.1".length;
  assert.ok(length >= fixed);
  return `GET /${"a".repeat(length - fixed)} HTTP/1.1`;
}

Deno.test("HeadParser.feed() accepts a request line of maxRequestLineBytes - 1 and maxRequestLineBytes", () => {
  for (const length of [63, 64]) {
    const line = requestLine(length);
    assert.equal(line.length, length);
    const r = expectHead(parseHead(bytes(`${line}\r\nHost: a\r\n\r\n`), SMALL_LIMITS));
    assert.equal(r.head.target.length, length - "GET  HTTP/1.1".length);
  }
});

Deno.test("HeadParser.feed() rejects a request line of maxRequestLineBytes + 1 with 414", () => {
  const line = requestLine(65);
  assert.equal(line.length, 65);
  expectError(parseHead(bytes(`${line}\r\nHost: a\r\n\r\n`), SMALL_LIMITS), "uri_too_long");
  assert.equal(REJECTIONS.uri_too_long.status, 414);
});

Deno.test("HeadParser.feed() excludes the CRLF and leading empty lines from maxRequestLineBytes", () => {
  const input = bytes(`\r\n\r\n${requestLine(64)}\r\nHost: a\r\n\r\n`);
  expectHead(parseHead(input, SMALL_LIMITS));
  // Byte by byte, the CR at offset 64 of the line must not count either.
  expectHead(feedHead(input, SMALL_LIMITS, byteByByte(input.length)));
});

Deno.test("HeadParser.feed() refuses an overlong request line before its CRLF arrives", () => {
  const line = bytes(requestLine(65)); // no CRLF: the client is still sending
  expectError(new HeadParser(SMALL_LIMITS).feed(line, 0, line.length), "uri_too_long");
  const atLimit = bytes(requestLine(64));
  assert.deepEqual(new HeadParser(SMALL_LIMITS).feed(atLimit, 0, atLimit.length), {
    kind: "incomplete",
  });
});

Deno.test("HeadParser.feed() refuses a method longer than maxRequestLineBytes as invalid_method", () => {
  const at = bytes("A".repeat(64));
  assert.deepEqual(parseHead(at, SMALL_LIMITS), { kind: "incomplete" });
  expectError(parseHead(bytes("A".repeat(65)), SMALL_LIMITS), "invalid_method");
});

Deno.test("HeadParser.feed() reports uri_too_long when maxHeadBytes cuts the request line", () => {
  // With a request-line limit above the head limit, the head limit fires first.
  const limits = { maxRequestLineBytes: 1000, maxHeadBytes: 100, maxHeaderCount: 5 };
  const line = requestLine(101);
  expectError(parseHead(bytes(line), limits), "uri_too_long");
  assert.deepEqual(parseHead(bytes(requestLine(100)), limits), { kind: "incomplete" });
});

/** A head of exactly `length` bytes, blank line included. */
function headOfLength(length: number, prefix = ""): string {
  const fixed = `${prefix}GET / HTTP/1.1\r\nHost: a\r\nX: \r\n\r\n`.length;
  assert.ok(length >= fixed);
  return `${prefix}GET / HTTP/1.1\r\nHost: a\r\nX: ${"v".repeat(length - fixed)}\r\n\r\n`;
}

Deno.test("HeadParser.feed() accepts a head of maxHeadBytes - 1 and maxHeadBytes", () => {
  for (const length of [255, 256]) {
    const head = headOfLength(length);
    assert.equal(head.length, length);
    const r = expectHead(parseHead(bytes(head), SMALL_LIMITS));
    assert.equal(r.consumed, length);
  }
});

Deno.test("HeadParser.feed() rejects a head of maxHeadBytes + 1 with 431", () => {
  const head = headOfLength(257);
  assert.equal(head.length, 257);
  expectError(parseHead(bytes(head), SMALL_LIMITS), "head_too_large");
  assert.equal(REJECTIONS.head_too_large.status, 431);
});

Deno.test("HeadParser.feed() counts leading empty lines toward maxHeadBytes", () => {
  expectHead(parseHead(bytes(headOfLength(256, "\r\n\r\n")), SMALL_LIMITS));
  expectError(parseHead(bytes(headOfLength(257, "\r\n\r\n")), SMALL_LIMITS), "head_too_large");
});

Deno.test("HeadParser.feed() refuses leading empty lines alone once they pass maxHeadBytes", () => {
  // 128 empty lines fill the 256-byte budget; the next byte is over it.
  assert.deepEqual(parseHead(bytes("\r\n".repeat(128)), SMALL_LIMITS), { kind: "incomplete" });
  // Regression: this was 414 URI Too Long although no target had been sent.
  expectError(parseHead(bytes("\r\n".repeat(128) + "G"), SMALL_LIMITS), "head_too_large");
});

Deno.test("HeadParser.feed() refuses a head over maxHeadBytes before its blank line arrives", () => {
  const full = bytes(headOfLength(300));
  // The first 257 bytes hold no blank line yet; the 257th byte is over the limit.
  expectError(new HeadParser(SMALL_LIMITS).feed(full, 0, 257), "head_too_large");
  assert.deepEqual(new HeadParser(SMALL_LIMITS).feed(full, 0, 256), { kind: "incomplete" });
});

Deno.test("HeadParser.feed() does not count bytes after the head toward maxHeadBytes", () => {
  const input = bytes(headOfLength(256) + "x".repeat(1000));
  const r = expectHead(parseHead(input, SMALL_LIMITS));
  assert.equal(r.consumed, 256);
});

/** A head with `count` field lines (Host included). */
function headWithFields(count: number): string {
  let head = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (let i = 1; i < count; i++) head += `X-${i}: ${i}\r\n`;
  return head + "\r\n";
}

Deno.test("HeadParser.feed() accepts maxHeaderCount - 1 and maxHeaderCount field lines", () => {
  for (const count of [4, 5]) {
    const r = expectHead(parseHead(bytes(headWithFields(count)), SMALL_LIMITS));
    assert.equal(r.head.headers.size, count);
  }
});

Deno.test("HeadParser.feed() rejects maxHeaderCount + 1 field lines with 431", () => {
  expectError(parseHead(bytes(headWithFields(6)), SMALL_LIMITS), "too_many_headers");
  assert.equal(REJECTIONS.too_many_headers.status, 431);
  // Repeats of one name count one per line.
  const repeats = "GET / HTTP/1.1\r\nHost: a\r\n" + "A: 1\r\n".repeat(5) + "\r\n";
  expectError(parseHead(bytes(repeats), SMALL_LIMITS), "too_many_headers");
});

Deno.test("HeadParser.feed() refuses too many headers before the blank line arrives", () => {
  const noBlank = headWithFields(6).slice(0, -2);
  expectError(parseHead(bytes(noBlank), SMALL_LIMITS), "too_many_headers");
});

Deno.test("parseHead() without limits enforces DEFAULT_HEAD_LIMITS at their edges", () => {
  expectHead(parseHead(bytes(`${requestLine(8192)}\r\nHost: a\r\n\r\n`)));
  expectError(parseHead(bytes(`${requestLine(8193)}\r\nHost: a\r\n\r\n`)), "uri_too_long");
  expectHead(parseHead(bytes(headOfLength(16384))));
  expectError(parseHead(bytes(headOfLength(16385))), "head_too_large");
  expectHead(parseHead(bytes(headWithFields(100))));
  expectError(parseHead(bytes(headWithFields(101))), "too_many_headers");
});

// ---------------------------------------------------------------------------
// Early refusal and incomplete input
// ---------------------------------------------------------------------------

Deno.test("HeadParser.feed() refuses a TLS ClientHello on its first byte", () => {
  const hello = bytes("\x16\x03\x01");
  for (let end = 1; end <= hello.length; end++) {
    expectError(new HeadParser(DEFAULT_HEAD_LIMITS).feed(hello, 0, end), "invalid_method");
  }
});

Deno.test("HeadParser.feed() refuses garbage without a line end on the first feed", () => {
  for (const garbage of ["\x00", "\x00\x01\x02", '{"json":1}', "G\x00", "\xff\xfe"]) {
    expectError(parseHead(bytes(garbage)), "invalid_method");
  }
});

Deno.test("HeadParser.feed() refuses a bad field line before the blank line arrives", () => {
  expectError(parseHead(bytes("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n")), "obs_fold");
  expectError(parseHead(bytes("GET / HTTP/1.1\r\nX: \x00\r\n")), "invalid_header_value");
  expectError(parseHead(bytes("GET / HTTP/1.1\r\nX: a\rb")), "bare_cr");
  expectError(parseHead(bytes("GET / HTTP/1.1\n")), "bare_lf");
  expectError(parseHead(bytes("GET / HTTP/9.9\r\n")), "unsupported_version");
});

Deno.test("HeadParser.feed() waits for the byte after a CR before judging it", () => {
  const input = bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  const parser = new HeadParser(DEFAULT_HEAD_LIMITS);
  // Cut right after each CR: each must be incomplete, not bare_cr.
  for (let end = 1; end < input.length; end++) {
    assert.deepEqual(parser.feed(input, 0, end), { kind: "incomplete" }, `end ${end}`);
  }
  expectHead(parser.feed(input, 0, input.length));
});

Deno.test("HeadParser.feed() returns incomplete for a head without its blank line", () => {
  assert.deepEqual(parseHead(bytes("GET / HTTP/1.1\r\nHost: a\r\n")), { kind: "incomplete" });
});

Deno.test("HeadParser.started is false until a byte of the request line arrives", () => {
  const input = bytes("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
  const parser = new HeadParser(DEFAULT_HEAD_LIMITS);
  assert.equal(parser.started, false);
  for (const end of [0, 1, 2, 3, 4]) {
    parser.feed(input, 0, end);
    assert.equal(parser.started, false, `after ${end} bytes`);
  }
  parser.feed(input, 0, 5);
  assert.equal(parser.started, true);
  parser.feed(input, 0, input.length);
  assert.equal(parser.started, true);
  parser.reset();
  assert.equal(parser.started, false);
});

// ---------------------------------------------------------------------------
// Pipelining and reset
// ---------------------------------------------------------------------------

const FIRST = "POST /one HTTP/1.1\r\nHost: a\r\nX-Only-First: 1\r\nContent-Length: 0\r\n\r\n";
const SECOND = "GET /two?q HTTP/1.1\r\nHost: b\r\n\r\n";
const THIRD = "\r\nDELETE /three HTTP/1.0\r\n\r\n";

Deno.test("HeadParser.feed() stops at the first head so consumed points at the next request", () => {
  const input = bytes(FIRST + SECOND);
  const parser = new HeadParser(DEFAULT_HEAD_LIMITS);
  const first = expectHead(parser.feed(input, 0, input.length));
  assert.equal(first.consumed, FIRST.length);
  assert.equal(latin1(input, first.consumed, first.consumed + 4), "GET ");
  parser.reset();
  const second = expectHead(parser.feed(input, first.consumed, input.length));
  assert.equal(second.consumed, SECOND.length);
  assert.equal(second.head.method, "GET");
  assert.equal(second.head.path, "/two");
  assert.equal(second.head.query, "q");
  assert.deepEqual([...second.head.headers.entries()], [["host", "b"]]);
  // The first head's fields are its own, not shared with the next request.
  assert.deepEqual([...first.head.headers.entries()], [
    ["host", "a"],
    ["x-only-first", "1"],
    ["content-length", "0"],
  ]);
});

Deno.test("HeadParser.feed() parses repeated field lines from its line cache the same, even lines whose hashes collide", () => {
  // "Aa" and "BB" hash alike, so X-Aa and X-BB lines share a cache slot; the
  // rest differ only in case or in one byte, as a prober would send them.
  const heads = [
    "GET / HTTP/1.1\r\nHost: a\r\nX-Aa: 1\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\r\nX-BB: 1\r\n\r\n",
    "GET / HTTP/1.1\r\nHOST: a\r\nx-aa: 2\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: b\r\nX-Aa:1 \r\n\r\n",
  ];
  const expected = [
    [["host", "a"], ["x-aa", "1"]],
    [["host", "a"], ["x-bb", "1"]],
    [["host", "a"], ["x-aa", "2"]],
    [["host", "b"], ["x-aa", "1"]],
  ];
  for (let round = 0; round < 4; round++) {
    heads.forEach((head, i) => {
      const parsed = expectHead(parseHead(bytes(head)));
      assert.deepEqual([...parsed.head.headers], expected[i], `round ${round}, head ${i}`);
    });
  }
  // A line refused once is refused every time, after the same name with a good value.
  for (let i = 0; i < 3; i++) {
    expectHead(parseHead(bytes("GET / HTTP/1.1\r\nHost: a\r\nX-V: ok\r\n\r\n")));
    expectError(
      parseHead(bytes("GET / HTTP/1.1\r\nHost: a\r\nX-V: o\x00k\r\n\r\n")),
      "invalid_header_value",
    );
  }
});

Deno.test("HeadParser.reset() lets one parser read three pipelined requests, split anywhere", () => {
  const input = bytes(FIRST + SECOND + THIRD);
  const expected = [
    ["POST", "/one", FIRST.length],
    ["GET", "/two", SECOND.length],
    ["DELETE", "/three", THIRD.length],
  ];
  for (let cut = 0; cut <= input.length; cut++) {
    const parser = new HeadParser(DEFAULT_HEAD_LIMITS);
    let start = 0;
    const seen: (string | number)[][] = [];
    // The buffer first holds [0, cut), then everything.
    for (const end of [cut, input.length]) {
      while (start < end) {
        const r = parser.feed(input, start, end);
        if (r.kind === "incomplete") break;
        const h = expectHead(r);
        seen.push([h.head.method, h.head.path, h.consumed]);
        start += h.consumed;
        parser.reset();
      }
    }
    assert.deepEqual(seen, expected, `cut at ${cut}`);
    assert.equal(start, input.length);
  }
});

Deno.test("HeadParser.reset() after a refusal lets the parser read a fresh request", () => {
  const parser = new HeadParser(DEFAULT_HEAD_LIMITS);
  const bad = bytes("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
  expectError(parser.feed(bad, 0, bad.length), "duplicate_host");
  parser.reset();
  const good = bytes("GET /ok HTTP/1.1\r\nHost: a\r\n\r\n");
  const r = expectHead(parser.feed(good, 0, good.length));
  assert.equal(r.head.path, "/ok");
  assert.equal(r.head.headers.count("host"), 1);
});

Deno.test("HeadParser.feed() refuses a bad second pipelined request without touching the first", () => {
  const input = bytes(SECOND + "GET / HTTP/1.1\r\nHost : a\r\n\r\n");
  const parser = new HeadParser(DEFAULT_HEAD_LIMITS);
  const first = expectHead(parser.feed(input, 0, input.length));
  parser.reset();
  expectError(parser.feed(input, first.consumed, input.length), "space_before_colon");
});

/** Everything a head result says, framing fields included, as plain data. */
function fullSnapshot(result: HeadResult): unknown {
  if (result.kind !== "head") return snapshot(result);
  const h = result.head;
  return {
    ...snapshot(result),
    contentLength: [...h.contentLength],
    transferEncoding: [...h.transferEncoding],
    connection: h.connection,
    expect: h.expect,
  };
}

Deno.test("HeadParser.feed() answers a head repeated on one connection as a fresh parse does, and a head that differs late as itself", () => {
  const a = "POST /a HTTP/1.1\r\nHost: h1\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\n";
  const b = a.replace("h1", "h2"); // the same length, different in one byte
  const c = a.replace("Content-Length: 3", "Content-Length: 4");
  const bad = a.replace("Host: h1", "Host:\x01h1"); // the same length, refused
  const lastByte = a.slice(0, -1) + "X"; // the same but for its last byte: a bare CR
  const sequence = [a, a, a, a, b, b, b, a, c, c, c, bad, a, a, a, lastByte, a, a, a, lastByte];
  const parser = new HeadParser(DEFAULT_HEAD_LIMITS);
  for (const [i, head] of sequence.entries()) {
    // A body and the next request follow the head in the buffer.
    const input = bytes("xx" + head + "abc" + "GET / HTTP/1.1\r\n");
    parser.reset();
    const got = parser.feed(input, 2, input.length);
    const fresh = new HeadParser(DEFAULT_HEAD_LIMITS).feed(input, 2, input.length);
    assert.deepEqual(
      fullSnapshot(got),
      fullSnapshot(fresh),
      `request ${i}: ${JSON.stringify(head)}`,
    );
  }
});

Deno.test("HeadParser.feed(): a field a handler adds to one request's headers does not show in the next request's", () => {
  const head = bytes("GET / HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n");
  const parser = new HeadParser(DEFAULT_HEAD_LIMITS);
  for (let i = 0; i < 6; i++) {
    parser.reset();
    const r = expectHead(parser.feed(head, 0, head.length));
    assert.deepEqual(r.head.headers.pairs(), [["host", "a"], ["accept", "*/*"]], `request ${i}`);
    r.head.headers.add("x-added-by-handler", String(i));
  }
});

Deno.test("HeadParser.feed() answers a repeated head split across reads, or not yet all buffered, as a fresh parse does", () => {
  const head = "GET /split HTTP/1.1\r\nHost: a\r\nUser-Agent: t\r\n\r\n";
  const input = bytes(head);
  const parser = new HeadParser(DEFAULT_HEAD_LIMITS);
  for (let round = 0; round < 3; round++) {
    for (const cut of [0, 1, 10, input.length - 1]) {
      parser.reset();
      assert.equal(parser.feed(input, 0, cut).kind, "incomplete", `cut at ${cut}`);
      const r = expectHead(parser.feed(input, 0, input.length));
      assert.equal(r.consumed, input.length);
      assert.equal(r.head.path, "/split");
      parser.reset();
      assert.equal(
        expectHead(parser.feed(input, 0, input.length)).head.headers.get("user-agent"),
        "t",
      );
    }
  }
});
