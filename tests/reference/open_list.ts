/**
 * The plain reference path for `src/server/open_list.ts` (`OpenList`, a
 * doubly linked list of the open connections): a `Set` of entries, which
 * keeps insertion order. Compared against in
 * tests/server/open_list_reference_test.ts, timed against in
 * bench/open_list_bench.ts.
 *
 * @module
 */

/** Values with add and remove, listed newest first. */
export class ReferenceOpenList<T> {
  readonly #entries = new Set<{ readonly value: T }>();

  /** How many values are in the list. */
  get size(): number {
    return this.#entries.size;
  }

  /** Adds `value`; the entry returned removes it. */
  add(value: T): { readonly value: T } {
    const entry = { value };
    this.#entries.add(entry);
    return entry;
  }

  /** Removes the entry; removing it again does nothing. */
  remove(entry: { readonly value: T }): void {
    this.#entries.delete(entry);
  }

  /** The values, newest first. */
  values(): T[] {
    return [...this.#entries].map((e) => e.value).reverse();
  }
}
