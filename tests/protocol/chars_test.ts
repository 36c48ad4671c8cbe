/** Tests for the byte classes and latin1 decoding of src/protocol/chars.ts. */

import assert from "node:assert/strict";
import {
  COLON,
  CR,
  FIELD_VALUE,
  HEX_VALUE,
  HTAB,
  latin1,
  LF,
  SP,
  TARGET,
  TOKEN,
} from "../../src/protocol/chars.ts";

Deno.test("chars tables follow the RFC 9110 ABNF for tchar, field values and targets", () => {
  for (const c of "!#$%&'*+-.^_`|~09AZaz") assert.equal(TOKEN[c.charCodeAt(0)], 1, c);
  for (const c of '"(),/:;<=>?@[\\]{} \t\x00\x7f\x80') {
    assert.equal(TOKEN[c.charCodeAt(0)], 0, JSON.stringify(c));
  }
  for (const b of [0x09, 0x20, 0x21, 0x7e, 0x80, 0xff]) assert.equal(FIELD_VALUE[b], 1, `${b}`);
  for (const b of [0x00, 0x0a, 0x0d, 0x1f, 0x7f]) assert.equal(FIELD_VALUE[b], 0, `${b}`);
  assert.equal(TARGET[0x23], 0, "# starts a fragment");
  assert.equal(TARGET[0x20], 0);
  assert.equal(TARGET[0x80], 0);
  assert.equal(TARGET[0x2f], 1);
});

Deno.test("chars tables have one 0-or-1 entry for each of the 256 byte values", () => {
  for (
    const [name, table] of [["TOKEN", TOKEN], ["FIELD_VALUE", FIELD_VALUE], ["TARGET", TARGET]]
  ) {
    const t = table as Uint8Array;
    assert.equal(t.length, 256, String(name));
    assert.ok(t.every((v) => v === 0 || v === 1), String(name));
  }
  // Counted from the ABNF: 15 symbols + 10 digits + 52 letters; VCHAR + SP + HTAB + obs-text;
  // VCHAR without "#".
  assert.equal(TOKEN.reduce((n, v) => n + v, 0), 77);
  assert.equal(FIELD_VALUE.reduce((n, v) => n + v, 0), 94 + 2 + 128);
  assert.equal(TARGET.reduce((n, v) => n + v, 0), 93);
});

Deno.test("HEX_VALUE gives a hex digit's value in either case, and 255 for any other byte", () => {
  const digits = "0123456789abcdef";
  for (let v = 0; v < 16; v++) {
    assert.equal(HEX_VALUE[digits.charCodeAt(v)], v, digits[v]);
    assert.equal(HEX_VALUE[digits.toUpperCase().charCodeAt(v)], v, digits[v]!.toUpperCase());
  }
  for (const c of "gG/:@`x \x00\xff") {
    assert.equal(HEX_VALUE[c.charCodeAt(0)], 255, JSON.stringify(c));
  }
  assert.equal(HEX_VALUE.filter((v) => v !== 255).length, 22);
});

Deno.test("chars names the grammar's bytes: CR, LF, SP, HTAB and COLON", () => {
  assert.deepEqual([CR, LF, SP, HTAB, COLON], [..."\r\n \t:"].map((c) => c.charCodeAt(0)));
});

Deno.test("latin1() decodes one char per byte, across its 4096-byte batches", () => {
  const big = new Uint8Array(10000);
  for (let i = 0; i < big.length; i++) big[i] = i % 256;
  const text = latin1(big, 0, big.length);
  assert.equal(text.length, 10000);
  for (let i = 0; i < big.length; i += 997) assert.equal(text.charCodeAt(i), i % 256);
});

Deno.test("latin1() decodes only [start, end), and an empty range as an empty string", () => {
  const bytes = new TextEncoder().encode("..Host..");
  assert.equal(latin1(bytes, 2, 6), "Host");
  assert.equal(latin1(bytes, 3, 3), "");
  // A batch boundary inside the range: 4096 bytes from 1 end at 4097.
  const long = new Uint8Array(8200).fill(0x61);
  long[4096] = 0x42;
  const text = latin1(long, 1, 8199);
  assert.equal(text.length, 8198);
  assert.equal(text.indexOf("B"), 4095);
});
