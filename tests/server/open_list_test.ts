import assert from "node:assert/strict";
import { OpenList } from "../../src/server/open_list.ts";

Deno.test("OpenList adds and removes values in any order, and counts them", () => {
  const list = new OpenList<string>();
  assert.equal(list.size, 0);
  assert.deepEqual(list.values(), []);
  const a = list.add("a");
  const b = list.add("b");
  const c = list.add("c");
  assert.equal(list.size, 3);
  assert.deepEqual(list.values(), ["c", "b", "a"]);
  list.remove(b); // the middle
  assert.deepEqual(list.values(), ["c", "a"]);
  list.remove(c); // the head
  assert.deepEqual(list.values(), ["a"]);
  const d = list.add("d");
  list.remove(a); // the tail
  assert.deepEqual(list.values(), ["d"]);
  list.remove(d); // the last one
  assert.equal(list.size, 0);
  assert.deepEqual(list.values(), []);
  assert.equal(a.value, "a");
});

Deno.test("OpenList.remove() of an entry already removed changes nothing", () => {
  const list = new OpenList<number>();
  const one = list.add(1);
  list.add(2);
  list.remove(one);
  list.remove(one);
  assert.equal(list.size, 1);
  assert.deepEqual(list.values(), [2]);
});

Deno.test("OpenList.values() is a snapshot: removing every value while iterating it is safe", () => {
  const list = new OpenList<number>();
  const entries = Array.from({ length: 10 }, (_, i) => list.add(i));
  const seen: number[] = [];
  for (const value of list.values()) {
    seen.push(value);
    // Closing one connection may close others (their entries go too).
    list.remove(entries[value]!);
    if (value > 0) list.remove(entries[value - 1]!);
  }
  assert.deepEqual(seen, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  assert.equal(list.size, 0);
  assert.deepEqual(list.values(), []);
});

Deno.test("OpenList stays right through many adds and removes (sizes checked against a Set)", () => {
  const list = new OpenList<number>();
  const model = new Set<number>();
  const entries = new Map<number, ReturnType<typeof list.add>>();
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 5000; i++) {
    if (random() < 0.55 || model.size === 0) {
      entries.set(i, list.add(i));
      model.add(i);
    } else {
      const victim = [...model][Math.floor(random() * model.size)]!;
      list.remove(entries.get(victim)!);
      model.delete(victim);
    }
    assert.equal(list.size, model.size);
  }
  assert.deepEqual(list.values().sort((x, y) => x - y), [...model].sort((x, y) => x - y));
});
