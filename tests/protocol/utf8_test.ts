/**
 * Tests for the incremental UTF-8 validator (src/protocol/utf8.ts): it agrees
 * with `TextDecoder` in fatal mode on random and hand-picked byte strings, cut
 * at every position; each kind of ill-formed sequence is refused; the prefix
 * helper never cuts a character.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { isUtf8, UTF8_ACCEPT, UTF8_REJECT, utf8Prefix, utf8Step } from "../../src/protocol/utf8.ts";

const fatal = new TextDecoder("utf-8", { fatal: true });

/** The reference: TextDecoder in fatal mode. */
function decodes(bytes: Uint8Array): boolean {
  try {
    fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The validator fed `bytes` in two pieces, cut at `cut`. */
function validInTwo(bytes: Uint8Array, cut: number): boolean {
  const s = utf8Step(UTF8_ACCEPT, bytes, 0, cut);
  return utf8Step(s, bytes, cut, bytes.length) === UTF8_ACCEPT;
}

/** Byte strings built mostly from UTF-8's interesting bytes, so valid and invalid both occur. */
const utf8ish = fc.array(
  fc.oneof(
    fc.integer({ min: 0, max: 255 }),
    fc.constantFrom(0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf),
    fc.constantFrom(0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff),
  ),
  { maxLength: 24 },
).map((a) => Uint8Array.from(a));

Deno.test("utf8Step() agrees with TextDecoder (fatal) on random bytes, cut at every position", () => {
  fc.assert(
    fc.property(utf8ish, (bytes) => {
      const expected = decodes(bytes);
      assert.equal(isUtf8(bytes), expected);
      for (let cut = 0; cut <= bytes.length; cut++) assert.equal(validInTwo(bytes, cut), expected);
    }),
    { numRuns: 3000 },
  );
});

Deno.test("utf8Step() accepts any encoded string, fed byte by byte", () => {
  fc.assert(
    fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), (text) => {
      const bytes = new TextEncoder().encode(text);
      let s = UTF8_ACCEPT;
      for (let i = 0; i < bytes.length; i++) {
        s = utf8Step(s, bytes, i, i + 1);
        assert.notEqual(s, UTF8_REJECT);
      }
      assert.equal(s, UTF8_ACCEPT);
    }),
    { numRuns: 500 },
  );
});

Deno.test("utf8Step() refuses overlongs, surrogates, code points past U+10FFFF and stray bytes", () => {
  const bad = [
    [0xc0, 0x80], // overlong NUL
    [0xc1, 0xbf], // overlong
    [0xe0, 0x9f, 0xbf], // overlong three-byte
    [0xf0, 0x8f, 0xbf, 0xbf], // overlong four-byte
    [0xed, 0xa0, 0x80], // U+D800
    [0xed, 0xbf, 0xbf], // U+DFFF
    [0xf4, 0x90, 0x80, 0x80], // U+110000
    [0xf5, 0x80, 0x80, 0x80],
    [0x80],
    [0xbf],
    [0xfe],
    [0xff],
    [0xe2, 0x28, 0xa1], // a continuation missing
  ];
  for (const b of bad) {
    assert.equal(isUtf8(Uint8Array.from(b)), false, b.map((x) => x.toString(16)).join(" "));
  }
  const good = [[0x7f], [0xc2, 0x80], [0xed, 0x9f, 0xbf], [0xee, 0x80, 0x80], [
    0xf4,
    0x8f,
    0xbf,
    0xbf,
  ]];
  for (const b of good) assert.equal(isUtf8(Uint8Array.from(b)), true);
});

Deno.test("utf8Step() reports a character cut short as neither accepted nor rejected", () => {
  const euro = Uint8Array.from([0xe2, 0x82, 0xac]);
  const s = utf8Step(UTF8_ACCEPT, euro, 0, 2);
  assert.notEqual(s, UTF8_ACCEPT);
  assert.notEqual(s, UTF8_REJECT);
  assert.equal(utf8Step(s, euro, 2, 3), UTF8_ACCEPT);
});

Deno.test("utf8Step() stays rejected once a byte was ill-formed", () => {
  const bytes = Uint8Array.from([0xff, 0x61, 0x62]);
  const s = utf8Step(UTF8_ACCEPT, bytes, 0, 1);
  assert.equal(s, UTF8_REJECT);
  assert.equal(utf8Step(s, bytes, 1, 3), UTF8_REJECT);
});

Deno.test("utf8Prefix() keeps at most max bytes and never cuts a character", () => {
  fc.assert(
    fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), fc.nat(130), (text, max) => {
      const bytes = new TextEncoder().encode(text);
      const prefix = utf8Prefix(bytes, max);
      assert.ok(prefix.length <= max);
      assert.ok(isUtf8(prefix));
      assert.ok(text.startsWith(new TextDecoder().decode(prefix)));
      if (bytes.length <= max) assert.equal(prefix.length, bytes.length);
      else assert.ok(max - prefix.length < 4, "cut back by less than one character");
    }),
    { numRuns: 500 },
  );
});
