/**
 * The header fields of a request, with names lower-cased once at parse time.
 *
 * Field names are case-insensitive (RFC 9110 §5.1), so the parser stores them
 * lower-cased and every lookup lower-cases its argument. Fields are kept in
 * arrival order, repeats included, so nothing the client sent is lost.
 *
 * @example
 * ```ts
 * import { RequestHeaders } from "./headers.ts";
 * const h = new RequestHeaders();
 * h.add("accept", "text/html");
 * h.add("accept", "*\/*");
 * h.get("Accept"); // "text/html, *\/*"
 * ```
 *
 * @module
 */

/** Header fields of one request, in the order they arrived. */
export class RequestHeaders {
  #names: string[] = [];
  #values: string[] = [];
  /** Whether the arrays are shared with a copy: the first add() then copies them. */
  #shared = false;

  /** Appends a field; `name` must already be lower-case (the parser guarantees it). */
  add(name: string, value: string): void {
    if (this.#shared) {
      this.#names = this.#names.slice();
      this.#values = this.#values.slice();
      this.#shared = false;
    }
    this.#names.push(name);
    this.#values.push(value);
  }

  /**
   * A copy with the same fields. The two share their fields until either
   * adds one (it then copies them first), so a copy costs one small object.
   */
  copy(): RequestHeaders {
    const copy = new RequestHeaders();
    copy.#names = this.#names;
    copy.#values = this.#values;
    copy.#shared = this.#shared = true;
    return copy;
  }

  /** How many field lines the request carried. */
  get size(): number {
    return this.#names.length;
  }

  /**
   * The field's value, repeats joined by ", " (RFC 9110 §5.3), or null when absent.
   * `cookie` repeats are joined by "; " instead (RFC 6265 §5.4).
   */
  get(name: string): string | null {
    const key = name.toLowerCase();
    let found: string | null = null;
    for (let i = 0; i < this.#names.length; i++) {
      if (this.#names[i] !== key) continue;
      const value = this.#values[i]!;
      found = found === null ? value : found + (key === "cookie" ? "; " : ", ") + value;
    }
    return found;
  }

  /** Every value of the field, one per field line. */
  getAll(name: string): string[] {
    const key = name.toLowerCase();
    const out: string[] = [];
    for (let i = 0; i < this.#names.length; i++) {
      if (this.#names[i] === key) out.push(this.#values[i]!);
    }
    return out;
  }

  /** How many field lines carry this name. */
  count(name: string): number {
    const key = name.toLowerCase();
    let n = 0;
    for (const each of this.#names) if (each === key) n++;
    return n;
  }

  /** Whether the request carried the field. */
  has(name: string): boolean {
    return this.#names.includes(name.toLowerCase());
  }

  /** The fields as `[name, value]` pairs in arrival order, names lower-case. */
  pairs(): Array<[string, string]> {
    const out = new Array<[string, string]>(this.#names.length);
    for (let i = 0; i < this.#names.length; i++) out[i] = [this.#names[i]!, this.#values[i]!];
    return out;
  }

  /** `[name, value]` pairs in arrival order, names lower-case. */
  *entries(): IterableIterator<[string, string]> {
    for (let i = 0; i < this.#names.length; i++) yield [this.#names[i]!, this.#values[i]!];
  }

  /** The same pairs as {@link RequestHeaders.entries}. */
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

/**
 * Whether a comma-separated field value lists `token`, compared case-insensitively
 * (the `#token` list syntax of RFC 9110 §5.6.1, as in `Connection: keep-alive, Upgrade`).
 */
export function hasToken(value: string | null, token: string): boolean {
  if (value === null) return false;
  const wanted = token.toLowerCase(); // the token may come in any case, too
  for (const part of value.split(",")) {
    if (part.trim().toLowerCase() === wanted) return true;
  }
  return false;
}
