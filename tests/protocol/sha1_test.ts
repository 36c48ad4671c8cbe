/** Tests for the synchronous SHA-1 in src/protocol/_sha1.ts: FIPS 180 vectors and crypto.subtle. */

import assert from "node:assert/strict";
import fc from "fast-check";
import { sha1 } from "../../src/protocol/_sha1.ts";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const text = (s: string) => new TextEncoder().encode(s);

Deno.test("sha1() gives the FIPS 180 test vectors", () => {
  assert.equal(hex(sha1(text(""))), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  assert.equal(hex(sha1(text("abc"))), "a9993e364706816aba3e25717850c26c9cd0d89d");
  assert.equal(
    hex(sha1(text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
    "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
  );
  assert.equal(hex(sha1(text("a".repeat(1_000_000)))), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
});

Deno.test("sha1() agrees with crypto.subtle at every length around a block's padding", async () => {
  for (let n = 0; n <= 130; n++) {
    const data = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
    const expected = new Uint8Array(await crypto.subtle.digest("SHA-1", data));
    assert.deepEqual(sha1(data), expected, `length ${n}`);
  }
});

Deno.test("sha1() agrees with crypto.subtle on random inputs", async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (data) => {
      assert.deepEqual(sha1(data), new Uint8Array(await crypto.subtle.digest("SHA-1", data)));
    }),
    { numRuns: 200 },
  );
});
