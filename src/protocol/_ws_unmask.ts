/**
 * Payload unmasking (RFC 6455 §5.3): each byte XORed with the mask key byte
 * at its position modulo 4. Private to the protocol layer (the `_` prefix).
 *
 * Contract: `unmaskInto(src, s, dst, d, n, mask, phase)` leaves
 * `dst[d + k] = src[s + k] ^ mask[(phase + k) & 3]` for every k below n, and
 * touches nothing else. tests/protocol/ws_unmask_test.ts compares it with that
 * one-line loop on random inputs, offsets and phases.
 *
 * The trick: copy first (a memcpy), then XOR in place four bytes at a time
 * through a `Uint32Array` over the aligned middle of the destination, with
 * the mask rotated to the phase there. On a 64 KiB payload that is several
 * times faster than the byte loop; below {@link WORDWISE_FROM} bytes the byte
 * loop wins and is used.
 *
 * @module
 */

/** Payloads shorter than this are unmasked byte by byte. */
export const WORDWISE_FROM = 32;

/** Whether the platform stores a Uint32 lowest byte first (every platform Deno runs on). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Copies `n` bytes from `src[s…]` to `dst[d…]`, unmasking them with `mask` starting at `phase`. */
export function unmaskInto(
  src: Uint8Array,
  s: number,
  dst: Uint8Array,
  d: number,
  n: number,
  mask: Uint8Array,
  phase: number,
): void {
  if (n < WORDWISE_FROM || !LITTLE_ENDIAN) {
    for (let k = 0; k < n; k++) dst[d + k] = src[s + k]! ^ mask[(phase + k) & 3]!;
    return;
  }
  dst.set(src.subarray(s, s + n), d);
  let k = 0;
  // Bytes up to the first 4-byte boundary of the underlying buffer.
  while (((dst.byteOffset + d + k) & 3) !== 0) {
    dst[d + k]! ^= mask[(phase + k) & 3]!;
    k++;
  }
  const words = (n - k) >>> 2;
  const p = phase + k;
  const word = mask[p & 3]! | (mask[(p + 1) & 3]! << 8) | (mask[(p + 2) & 3]! << 16) |
    (mask[(p + 3) & 3]! << 24);
  const view = new Uint32Array(dst.buffer, dst.byteOffset + d + k, words);
  for (let w = 0; w < words; w++) view[w]! ^= word;
  k += words * 4;
  for (; k < n; k++) dst[d + k]! ^= mask[(phase + k) & 3]!;
}
