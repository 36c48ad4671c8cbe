/**
 * The plain reference paths for the byte arrays the server makes:
 *
 * - {@link referenceAllocate} for `src/protocol/slab.ts` (`allocate()`,
 *   `Slabs`): arrays carved from shared 64 KiB slabs;
 * - {@link referenceCopyChunk} and {@link referenceBody} for
 *   `src/io/ready_chunks.ts` (`copyChunk()`, `collectReady()`): ready
 *   chunks copied into a slab region and joined (and, for
 *   tests/reference/serialize.ts, a head and its body in one array).
 *
 * Compared against in tests/protocol/slab_reference_test.ts and
 * tests/io/ready_chunks_reference_test.ts, timed against in
 * bench/slab_bench.ts and bench/ready_chunks_bench.ts.
 *
 * @module
 */

/** A fresh, zeroed array of its own: what `allocate(size)` stands for. */
export function referenceAllocate(size: number): Uint8Array {
  return new Uint8Array(size);
}

/** A copy of `chunk` in a buffer of its own: what `copyChunk(chunk)` stands for. */
export function referenceCopyChunk(chunk: Uint8Array): Uint8Array {
  return chunk.slice();
}

/** A body's bytes: its chunks, as they were when produced, one after another. */
export function referenceBody(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, chunk) => n + chunk.length, 0));
  chunks.reduce((at, chunk) => (out.set(chunk, at), at + chunk.length), 0);
  return out;
}

/**
 * Where `a` and `b` first differ (in length, the shorter one's length), or
 * -1 when they hold the same bytes: a comparison whose failure message
 * stays short for arrays of 64 KiB (assert's diff of them takes seconds).
 */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
