/**
 * Tests for unmasking (src/protocol/_ws_unmask.ts) against its one-line
 * contract, on random payloads, offsets, phases and buffer alignments, across
 * the threshold where the word-at-a-time path takes over.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { unmaskInto, WORDWISE_FROM } from "../../src/protocol/_ws_unmask.ts";

/** The contract, plainly. */
function reference(
  src: Uint8Array,
  s: number,
  dst: Uint8Array,
  d: number,
  n: number,
  mask: Uint8Array,
  phase: number,
): void {
  for (let k = 0; k < n; k++) dst[d + k] = src[s + k]! ^ mask[(phase + k) & 3]!;
}

Deno.test("unmaskInto() matches the byte loop for any length, offset, phase and alignment", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 300 }),
      fc.uint8Array({ minLength: 4, maxLength: 4 }),
      fc.nat(3),
      fc.nat(7),
      fc.nat(7),
      fc.nat(7),
      (payload, mask, phase, s, d, viewOffset) => {
        const src = new Uint8Array(s + payload.length);
        src.set(payload, s);
        const backing = new ArrayBuffer(viewOffset + d + payload.length + 8);
        const fast = new Uint8Array(backing, viewOffset).fill(0xaa);
        const plain = new Uint8Array(fast.length).fill(0xaa);
        unmaskInto(src, s, fast, d, payload.length, mask, phase);
        reference(src, s, plain, d, payload.length, mask, phase);
        assert.deepEqual(fast, plain, "every byte, and nothing outside [d, d + n)");
      },
    ),
    { numRuns: 2000 },
  );
});

Deno.test("unmaskInto() handles lengths around the word-at-a-time threshold", () => {
  const mask = Uint8Array.from([0x37, 0xfa, 0x21, 0x3d]);
  for (let n = WORDWISE_FROM - 5; n <= WORDWISE_FROM + 9; n++) {
    for (let phase = 0; phase < 4; phase++) {
      const src = Uint8Array.from({ length: n }, (_, i) => i);
      const fast = new Uint8Array(n + 3);
      const plain = new Uint8Array(n + 3);
      unmaskInto(src, 0, fast, 3, n, mask, phase);
      reference(src, 0, plain, 3, n, mask, phase);
      assert.deepEqual(fast, plain, `n ${n}, phase ${phase}`);
    }
  }
});

Deno.test("unmaskInto() undoes itself: masking twice gives the payload back", () => {
  const mask = Uint8Array.from([1, 2, 3, 4]);
  const payload = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
  const once = new Uint8Array(1000);
  const twice = new Uint8Array(1000);
  unmaskInto(payload, 0, once, 0, 1000, mask, 2);
  unmaskInto(once, 0, twice, 0, 1000, mask, 2);
  assert.deepEqual(twice, payload);
});
