/**
 * Byte arrays for responses, carved out of shared slabs.
 *
 * Allocating a `Uint8Array` costs about 0.5 µs here (arrays over 64 bytes
 * live outside V8's heap), more than serialising a small response. So, as
 * Node's Buffer pool does, small arrays are carved from a 64 KiB slab. A slab
 * region is handed out once and never reused: a response still waiting to be
 * written keeps its slab alive, and a new slab is taken when one is used up.
 *
 * @module
 */

/** The size of one slab. */
const SLAB_BYTES = 64 * 1024;

/** Larger arrays get their own allocation: carving them would waste slabs. */
const MAX_CARVED_BYTES = 8 * 1024;

/**
 * A source of carved arrays. Arrays kept for long (the serialiser's cached
 * field lines) come from their own slabs, so they never keep a response's
 * 64 KiB slab alive.
 */
export class Slabs {
  #slab = new Uint8Array(0);
  #offset = 0;

  /** A fresh array of `size` bytes that no one else writes to (see {@link allocate}). */
  allocate(size: number): Uint8Array {
    if (size > MAX_CARVED_BYTES) return new Uint8Array(size);
    if (this.#offset + size > this.#slab.length) {
      this.#slab = new Uint8Array(SLAB_BYTES);
      this.#offset = 0;
    }
    const out = this.#slab.subarray(this.#offset, this.#offset + size);
    this.#offset += (size + 7) & ~7; // keep regions 8-byte aligned
    return out;
  }
}

const responses = new Slabs();

/**
 * A fresh array of `size` bytes that no one else writes to. Its `buffer` may
 * be shared with other responses' arrays, so never hand it to user code.
 *
 * @example
 * ```ts
 * import { allocate } from "./slab.ts";
 * allocate(100).length; // 100
 * ```
 */
export function allocate(size: number): Uint8Array {
  return responses.allocate(size);
}
