/**
 * Tests for the chunked decoder (src/protocol/chunked.ts): every fixture on the whole
 * input, at every split point and byte by byte; the body, metadata and trailer
 * limits at and above their edges; pipelined bytes left alone.
 */

import assert from "node:assert/strict";
import { ChunkedDecoder, type ChunkedLimits } from "../../src/protocol/chunked.ts";
import { REJECTIONS } from "../../src/protocol/rejections.ts";
import { bytes, CHUNKED_LIMITS, INVALID_CHUNKED, VALID_CHUNKED } from "../fixtures/requests.ts";
import { byteByByte, decodeChunked, everySplit } from "../fixtures/split.ts";

/** Decodes all of `text` in one call. */
function decodeAll(text: string, limits: ChunkedLimits = CHUNKED_LIMITS) {
  return decodeChunked(bytes(text), limits, [text.length]);
}

function limits(overrides: Partial<ChunkedLimits>): ChunkedLimits {
  return { ...CHUNKED_LIMITS, ...overrides };
}

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

for (const f of VALID_CHUNKED) {
  Deno.test(`ChunkedDecoder.decode() decodes ${f.name}`, () => {
    const input = bytes(f.body + f.rest);
    const decoder = new ChunkedDecoder(CHUNKED_LIMITS);
    const parts: Uint8Array[] = [];
    const consumed = decoder.decode(input, 0, input.length, (p) => parts.push(p.slice()));
    assert.equal(consumed, f.body.length, "must stop right after the final CRLF");
    assert.equal(decoder.done, true);
    const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      data.set(p, offset);
      offset += p.length;
    }
    assert.deepEqual(data, bytes(f.data));
    assert.equal(decoder.total, f.data.length);
  });

  Deno.test(`ChunkedDecoder.decode() decodes ${f.name} the same at every split point`, () => {
    const input = bytes(f.body + f.rest);
    const expected = { result: "done", data: bytes(f.data), consumed: f.body.length };
    for (const { label, ends } of everySplit(input.length)) {
      assert.deepEqual(decodeChunked(input, CHUNKED_LIMITS, ends), expected, label);
    }
    // From a non-zero start inside a larger buffer, byte by byte.
    const shifted = new Uint8Array(input.length + 3);
    shifted.set(input, 3);
    assert.deepEqual(
      decodeChunked(shifted, CHUNKED_LIMITS, byteByByte(input.length), 3),
      expected,
      "byte by byte from offset 3",
    );
  });
}

for (const f of INVALID_CHUNKED) {
  Deno.test(`ChunkedDecoder.decode() rejects ${f.name} with ${f.code}`, () => {
    const r = decodeAll(f.body);
    assert.equal(r.result, f.code);
    assert.ok(REJECTIONS[f.code].status >= 400);
  });

  Deno.test(`ChunkedDecoder.decode() rejects ${f.name} the same at every split point`, () => {
    const input = bytes(f.body);
    const whole = decodeChunked(input, CHUNKED_LIMITS, [input.length]);
    for (const { label, ends } of everySplit(input.length)) {
      assert.deepEqual(decodeChunked(input, CHUNKED_LIMITS, ends), whole, label);
    }
  });
}

Deno.test("ChunkedDecoder.decode() maps invalid_chunk to 400 and body_too_large to 413", () => {
  assert.equal(REJECTIONS.invalid_chunk.status, 400);
  assert.equal(REJECTIONS.body_too_large.status, 413);
});

Deno.test("ChunkedDecoder.decode() consumes everything of an unfinished body and waits", () => {
  for (
    const text of ["", "3", "3\r", "3\r\nab", "3\r\nabc\r", "0\r\n", "0\r\nX: a\r\n", "0\r\n\r"]
  ) {
    const input = bytes(text);
    for (const { label, ends } of everySplit(input.length)) {
      const r = decodeChunked(input, CHUNKED_LIMITS, ends);
      assert.equal(r.result, "incomplete", `${JSON.stringify(text)} ${label}`);
      assert.equal(r.consumed, text.length, `${JSON.stringify(text)} ${label}`);
    }
  }
});

Deno.test("ChunkedDecoder.decode() leaves a pipelined request unconsumed, even when called again", () => {
  const body = "3\r\nabc\r\n0\r\n\r\n";
  const input = bytes(body + "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  const decoder = new ChunkedDecoder(CHUNKED_LIMITS);
  let calls = 0;
  assert.equal(decoder.decode(input, 0, input.length, () => calls++), body.length);
  assert.equal(decoder.done, true);
  assert.equal(decoder.decode(input, body.length, input.length, () => calls++), 0);
  assert.equal(calls, 1);
});

Deno.test("ChunkedDecoder.decode() passes views into the caller's buffer, not copies", () => {
  const input = bytes("5\r\nhello\r\n0\r\n\r\n");
  const views: Uint8Array[] = [];
  new ChunkedDecoder(CHUNKED_LIMITS).decode(input, 0, input.length, (p) => views.push(p));
  assert.equal(views.length, 1);
  assert.equal(views[0]!.buffer, input.buffer);
  assert.equal(views[0]!.byteOffset, 3);
  assert.equal(views[0]!.length, 5);
});

Deno.test("ChunkedDecoder.decode() never calls onData with an empty run", () => {
  const input = bytes("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  for (const { label, ends } of everySplit(input.length)) {
    const decoder = new ChunkedDecoder(CHUNKED_LIMITS);
    let pos = 0;
    for (const end of ends) {
      const r = decoder.decode(input, pos, end, (p) => assert.ok(p.length > 0, label));
      assert.equal(typeof r, "number");
      pos += r as number;
    }
    assert.equal(decoder.done, true, label);
  }
});

// ---------------------------------------------------------------------------
// The body limit
// ---------------------------------------------------------------------------

Deno.test("ChunkedDecoder.decode() accepts a body of exactly maxBodyBytes over several chunks", () => {
  const small = limits({ maxBodyBytes: 10 });
  const r = decodeAll("4\r\nabcd\r\n6\r\nefghij\r\n0\r\n\r\n", small);
  assert.equal(r.result, "done");
  assert.equal(r.data.length, 10);
});

Deno.test("ChunkedDecoder.decode() refuses maxBodyBytes + 1 as body_too_large", () => {
  const small = limits({ maxBodyBytes: 10 });
  assert.equal(decodeAll("b\r\nabcdefghijk\r\n0\r\n\r\n", small).result, "body_too_large");
  assert.equal(decodeAll("4\r\nabcd\r\n7\r\nefghijk\r\n0\r\n\r\n", small).result, "body_too_large");
});

Deno.test("ChunkedDecoder.decode() refuses an oversized chunk from its size line, before any data", () => {
  const small = limits({ maxBodyBytes: 100 });
  for (const text of ["400\r\n", "400"]) {
    const decoder = new ChunkedDecoder(small);
    let delivered = 0;
    const input = bytes(text);
    const r = decoder.decode(input, 0, input.length, (p) => delivered += p.length);
    assert.equal(r, "body_too_large", JSON.stringify(text));
    assert.equal(delivered, 0);
  }
  // After 60 bytes were delivered, a 41-byte chunk is refused on its size digits.
  const second = bytes("3c\r\n" + "a".repeat(60) + "\r\n29");
  const r = decodeChunked(second, small, [second.length]);
  assert.deepEqual([r.result, r.data.length], ["body_too_large", 60]);
});

Deno.test("ChunkedDecoder.decode() refuses a 17th size digit even when every digit is zero", () => {
  assert.equal(decodeAll("0000000000000000\r\n\r\n").result, "done");
  assert.equal(decodeAll("00000000000000000\r\n\r\n").result, "invalid_chunk");
  assert.equal(decodeAll("00000000000000001\r\na\r\n0\r\n\r\n").result, "invalid_chunk");
});

Deno.test("ChunkedDecoder.decode() refuses a size past 2^53 as body_too_large, not a wrapped number", () => {
  const huge = limits({ maxBodyBytes: Number.MAX_SAFE_INTEGER });
  assert.equal(decodeAll("fffffffffffffffff\r\n", huge).result, "body_too_large");
  assert.equal(decodeAll("10000000000000000\r\n", huge).result, "body_too_large");
  assert.equal(decodeAll("20000000000000\r\n", huge).result, "body_too_large"); // 2^53
  // 2^53 - 1 is still allowed by the size rule; only the data is missing.
  assert.equal(decodeAll("1fffffffffffff\r\n", huge).result, "incomplete");
});

// ---------------------------------------------------------------------------
// The metadata and trailer limits
// ---------------------------------------------------------------------------

Deno.test("ChunkedDecoder.decode() counts extension bytes toward maxMetadataBytes, CR excluded", () => {
  // ";ab" is three bytes of extension.
  assert.deepEqual(decodeAll("3;ab\r\n", limits({ maxMetadataBytes: 3 })), {
    result: "incomplete",
    data: new Uint8Array(),
    consumed: 6,
  });
  assert.equal(decodeAll("3;ab\r\n", limits({ maxMetadataBytes: 2 })).result, "invalid_chunk");
  // Extensions of several chunks add up.
  const two = "1;a\r\nx\r\n1;b\r\ny\r\n";
  assert.equal(decodeAll(two, limits({ maxMetadataBytes: 4 })).result, "incomplete");
  assert.equal(decodeAll(two, limits({ maxMetadataBytes: 3 })).result, "invalid_chunk");
});

Deno.test("ChunkedDecoder.decode() accepts metadata at maxMetadataBytes and refuses one byte more", () => {
  // Counted: the extension ";abcd" (5), the trailer line "X: y\r\n" (6) and the
  // CRLF that ends the trailer section (2): 13 bytes.
  const body = "3;abcd\r\nabc\r\n0\r\nX: y\r\n\r\n";
  assert.equal(decodeAll(body, limits({ maxMetadataBytes: 13 })).result, "done");
  assert.equal(decodeAll(body, limits({ maxMetadataBytes: 12 })).result, "invalid_chunk");
});

Deno.test("ChunkedDecoder.decode() bounds one endless trailer line by maxMetadataBytes", () => {
  const endless = "0\r\nX: " + "a".repeat(1000);
  assert.equal(decodeAll(endless, limits({ maxMetadataBytes: 100 })).result, "invalid_chunk");
});

Deno.test("ChunkedDecoder.decode() accepts maxTrailerCount trailers and refuses one more", () => {
  const twoTrailers = "0\r\nA: 1\r\nB: 2\r\n\r\n";
  const threeTrailers = "0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
  assert.equal(decodeAll(twoTrailers, limits({ maxTrailerCount: 2 })).result, "done");
  assert.equal(decodeAll(threeTrailers, limits({ maxTrailerCount: 2 })).result, "invalid_chunk");
  assert.equal(
    decodeAll("0\r\nA: 1\r\n\r\n", limits({ maxTrailerCount: 0 })).result,
    "invalid_chunk",
  );
  assert.equal(decodeAll("0\r\n\r\n", limits({ maxTrailerCount: 0 })).result, "done");
});

Deno.test("ChunkedDecoder.decode() refuses the trailer over maxTrailerCount as soon as its line ends", () => {
  const r = decodeAll("0\r\nA: 1\r\nB: 2\r\n", limits({ maxTrailerCount: 1 }));
  assert.equal(r.result, "invalid_chunk");
});
