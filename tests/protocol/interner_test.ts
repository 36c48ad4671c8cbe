import assert from "node:assert/strict";
import {
  hashStep,
  Interner,
  LineCache,
  LOWER,
  MAX_INTERNED_BYTES,
} from "../../src/protocol/interner.ts";

/** The hash the parser computes while it scans, for runs the test did not scan. */
function hashOf(buf: Uint8Array, start: number, end: number): number {
  let h = 0;
  for (let i = start; i < end; i++) h = hashStep(h, buf[i]!);
  return h;
}

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const lowerHash = (b: Uint8Array) => b.reduce((h, x) => hashStep(h, LOWER[x]!), 0);

Deno.test("Interner.get() decodes latin1 and hands back the very same string next time", () => {
  const interner = new Interner(16, false);
  const buf = bytes("xxHost: 127.0.0.1:8080yy");
  const first = interner.get(buf, 8, 22, hashOf(buf, 8, 22));
  assert.equal(first, "127.0.0.1:8080");
  // Equal bytes elsewhere, in another array: the same interned value.
  const other = bytes("127.0.0.1:8080");
  assert.equal(interner.get(other, 0, other.length, hashOf(other, 0, other.length)), first);
  assert.equal(interner.get(bytes("caf\xe9"), 0, 4, hashOf(bytes("caf\xe9"), 0, 4)), "caf\u00e9");
});

Deno.test("Interner.get() never returns a wrong string, even when every hash collides", () => {
  const interner = new Interner(1, false); // one slot: every run shares it
  for (const word of ["abc", "abd", "abc", "xyz", "ab", "abc", ""]) {
    const b = bytes(word);
    assert.equal(interner.get(b, 0, b.length, 42), word);
  }
});

Deno.test("Interner.get() with lower-casing compares case-insensitively and returns lower case", () => {
  const names = new Interner(64, true);
  for (const name of ["Content-Type", "content-type", "CONTENT-TYPE", "X-Ünicode"]) {
    const b = bytes(name);
    assert.equal(names.get(b, 0, b.length, lowerHash(b)), name.toLowerCase());
  }
  // A one-slot table: "a^" and "A~" differ (^ and ~ are not letters).
  const one = new Interner(1, true);
  assert.equal(one.get(bytes("a^"), 0, 2, 0), "a^");
  assert.equal(one.get(bytes("A~"), 0, 2, 0), "a~");
});

Deno.test("Interner.get() is right just below, at and just above MAX_INTERNED_BYTES", () => {
  const interner = new Interner(8, false);
  for (const n of [MAX_INTERNED_BYTES - 1, MAX_INTERNED_BYTES, MAX_INTERNED_BYTES + 1]) {
    const b = bytes("v".repeat(n));
    const a = interner.get(b, 0, n, hashOf(b, 0, n));
    assert.equal(a, "v".repeat(n));
    // Strings are values, so whether it came from the table cannot be seen
    // here; the parser benchmark shows the saving. What matters is the value.
    assert.equal(interner.get(b, 0, n, hashOf(b, 0, n)), a);
  }
});

Deno.test("new Interner() refuses a slot count that is not a power of two", () => {
  for (const slots of [0, 3, 100, -4]) assert.throws(() => new Interner(slots, false), RangeError);
  new Interner(1, false);
  new Interner(1024, true);
});

/** Offers `line` to `cache` with `parsed`, as the parser does after parsing it. */
function offer<T>(cache: LineCache<T>, line: string, parsed: T, hash?: number): void {
  const b = bytes(line);
  cache.set(b, 0, b.length, hash ?? hashOf(b, 0, b.length), parsed);
}
function lookUp<T>(cache: LineCache<T>, line: string, hash?: number): T | undefined {
  const b = bytes(`>>${line}<<`); // not at offset 0, and not the array it was offered from
  return cache.get(b, 2, b.length - 2, hash ?? hashOf(b, 2, b.length - 2));
}

Deno.test("LineCache keeps a line the second time it is offered, and gives back what it parsed to", () => {
  const cache = new LineCache<{ name: string }>(16);
  const parsed = { name: "host" };
  assert.equal(lookUp(cache, "Host: a"), undefined);
  offer(cache, "Host: a", parsed);
  assert.equal(lookUp(cache, "Host: a"), undefined, "kept after one offer");
  offer(cache, "Host: a", parsed);
  assert.equal(lookUp(cache, "Host: a"), parsed);
  assert.equal(lookUp(cache, "host: a"), undefined, "other bytes are another line");
  assert.equal(lookUp(cache, "Host: ab"), undefined);
  assert.equal(lookUp(cache, "Host: "), undefined);
});

Deno.test("LineCache never gives another line's result, even when hashes collide", () => {
  // "Aa" and "BB" hash alike under h * 31 + b, so these lines share a slot
  // in any table: the kind of collision a client can craft on purpose.
  const a = bytes("X-Aa: 1");
  const b = bytes("X-BB: 1");
  assert.equal(hashOf(a, 0, a.length), hashOf(b, 0, b.length));
  const cache = new LineCache<string>(1024);
  for (let round = 0; round < 3; round++) {
    offer(cache, "X-Aa: 1", "aa");
    offer(cache, "X-Aa: 1", "aa");
    assert.equal(lookUp(cache, "X-Aa: 1"), "aa");
    assert.equal(lookUp(cache, "X-BB: 1"), undefined);
    offer(cache, "X-BB: 1", "bb");
    offer(cache, "X-BB: 1", "bb");
    assert.equal(lookUp(cache, "X-BB: 1"), "bb");
    assert.equal(lookUp(cache, "X-Aa: 1"), undefined);
  }
});

Deno.test("LineCache keeps a repeated line while lines that never repeat pass through its slot", () => {
  const cache = new LineCache<string>(1); // one slot: every line shares it
  offer(cache, "Accept: */*", "accept", 7);
  offer(cache, "Accept: */*", "accept", 7);
  for (let i = 0; i < 100; i++) offer(cache, `X-Request-Id: ${i}`, "id", 1000 + i);
  assert.equal(lookUp(cache, "Accept: */*", 7), "accept");
});

Deno.test("LineCache keeps lines just below and at MAX_INTERNED_BYTES, not just above", () => {
  const cache = new LineCache<number>(8);
  for (const n of [MAX_INTERNED_BYTES - 1, MAX_INTERNED_BYTES, MAX_INTERNED_BYTES + 1]) {
    const line = "v".repeat(n);
    offer(cache, line, n);
    offer(cache, line, n);
    assert.equal(lookUp(cache, line), n <= MAX_INTERNED_BYTES ? n : undefined, `length ${n}`);
  }
});

Deno.test("new LineCache() refuses a slot count that is not a power of two", () => {
  for (const slots of [0, 3, 100, -4]) assert.throws(() => new LineCache(slots), RangeError);
  new LineCache(1);
});
