/**
 * Decoding short byte runs that recur (header names, `Host`, `Accept`, `/`)
 * into strings that are made once and then reused.
 *
 * Turning bytes into a string costs an allocation or two in V8 (a subarray
 * view and the string itself). The same few dozen names and values come in
 * request after request, so an {@link Interner} keeps the last string decoded
 * in each of a fixed number of slots, found by a hash the caller computes
 * while it scans the bytes anyway, and returns it when the bytes match.
 * Memory is bounded (slots × `MAX_INTERNED_BYTES`), a collision only costs
 * a fresh decode, and every hit is checked byte by byte, so a crafted input
 * can at worst make the cache useless, never wrong.
 *
 * @module
 */

import { latin1 } from "./chars.ts";

/** Longer runs are decoded every time: long values (cookies, tokens) rarely repeat. */
export const MAX_INTERNED_BYTES = 256;

/** One step of the running hash: `h = hashStep(h, byte)` over the run, from 0. */
export function hashStep(h: number, byte: number): number {
  return (Math.imul(h, 31) + byte) | 0;
}

/** Lower-cased ASCII letters, every other byte as it is: header names compare this way. */
export const LOWER: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let b = 0; b < 256; b++) t[b] = b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
  return t;
})();

/** The index mask of a table of `slots` slots; throws unless `slots` is a power of two. */
function slotMask(slots: number): number {
  if (slots <= 0 || (slots & (slots - 1)) !== 0) throw new RangeError("slots: a power of two");
  return slots - 1;
}

/** The slot of `hash` in a table with index mask `mask`. */
function slotOf(hash: number, mask: number): number {
  return (hash ^ (hash >>> 11)) & mask;
}

/** A fixed-size table of recently decoded strings. */
export class Interner {
  readonly #slots: Array<string | undefined>;
  readonly #mask: number;
  readonly #lower: boolean;

  /**
   * @param slots how many strings to keep (a power of two)
   * @param lower whether strings come back with ASCII letters lower-cased
   *   (hashes must then be of {@link LOWER} bytes)
   */
  constructor(slots: number, lower: boolean) {
    this.#mask = slotMask(slots);
    this.#slots = new Array<string | undefined>(slots).fill(undefined);
    this.#lower = lower;
  }

  /**
   * The string for `buf[start, end)` as latin1 (lower-cased if this interner
   * lower-cases), where `hash` is {@link hashStep} folded over those bytes
   * (over their {@link LOWER} values if it lower-cases).
   */
  get(buf: Uint8Array, start: number, end: number, hash: number): string {
    const n = end - start;
    if (n > MAX_INTERNED_BYTES) return this.#decode(buf, start, end);
    const slot = slotOf(hash, this.#mask);
    const known = this.#slots[slot];
    if (known !== undefined && known.length === n) {
      let i = 0;
      if (this.#lower) { while (i < n && known.charCodeAt(i) === LOWER[buf[start + i]!]) i++; }
      else while (i < n && known.charCodeAt(i) === buf[start + i]) i++;
      if (i === n) return known;
    }
    const fresh = this.#decode(buf, start, end);
    this.#slots[slot] = fresh;
    return fresh;
  }

  #decode(buf: Uint8Array, start: number, end: number): string {
    const s = latin1(buf, start, end);
    return this.#lower ? s.toLowerCase() : s;
  }
}

/**
 * A fixed-size table of recently parsed lines and what each parsed to, so a
 * line seen before (`Host: example.com`, `Accept: *\/*`) is parsed once: a
 * hit costs one comparison of its bytes instead of the checks, the hashes
 * and the lookups of its parts. Only lines that parsed without error are
 * stored, and a hit is checked byte by byte, so it stands for a line parsed
 * and checked already. A line is copied in the second time its hash comes
 * (a line that never repeats, such as a request id, costs no copy), and
 * memory is bounded as an {@link Interner}'s.
 */
export class LineCache<T> {
  readonly #lines: Array<Uint8Array | undefined>;
  readonly #parsed: Array<T | undefined>;
  /** Per slot, the hash of the last line not kept (kept when it comes again). */
  readonly #seen: Int32Array;
  readonly #mask: number;

  /** @param slots how many lines to keep (a power of two) */
  constructor(slots: number) {
    this.#mask = slotMask(slots);
    this.#lines = new Array<Uint8Array | undefined>(slots).fill(undefined);
    this.#parsed = new Array<T | undefined>(slots).fill(undefined);
    this.#seen = new Int32Array(slots);
  }

  /**
   * What `buf[start, end)` parsed to when it was last {@link set}, or
   * undefined; `hash` is {@link hashStep} folded over those bytes.
   */
  get(buf: Uint8Array, start: number, end: number, hash: number): T | undefined {
    const n = end - start;
    const slot = slotOf(hash, this.#mask);
    const known = this.#lines[slot];
    if (known === undefined || known.length !== n) return undefined;
    // Bytes against bytes: measured twice as fast as charCodeAt against a string.
    for (let i = 0; i < n; i++) if (known[i] !== buf[start + i]) return undefined;
    return this.#parsed[slot];
  }

  /**
   * Offers what `buf[start, end)` parsed to: kept if a line of the same hash
   * was offered last in its slot (lines over MAX_INTERNED_BYTES never are).
   */
  set(buf: Uint8Array, start: number, end: number, hash: number, parsed: T): void {
    if (end - start > MAX_INTERNED_BYTES) return;
    const slot = slotOf(hash, this.#mask);
    if (this.#seen[slot] !== hash) {
      this.#seen[slot] = hash;
      return;
    }
    this.#lines[slot] = buf.slice(start, end);
    this.#parsed[slot] = parsed;
  }
}
