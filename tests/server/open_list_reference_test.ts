/**
 * `OpenList` (src/server/open_list.ts, a doubly linked list) against its
 * plain reference (tests/reference/open_list.ts, a `Set`): random sequences
 * of adds and removes (of any entry, removed already or not) must give the
 * same size and the same values in the same order after every step.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { type OpenEntry, OpenList } from "../../src/server/open_list.ts";
import { ReferenceOpenList } from "../reference/open_list.ts";

/** An add, or a remove of the entry made by the `n`th add so far (modulo their count). */
const op = fc.oneof(
  fc.record({ kind: fc.constant("add" as const), value: fc.nat(5) }), // repeated values too
  fc.record({ kind: fc.constant("remove" as const), n: fc.nat() }),
);

Deno.test("OpenList gives the reference's size and values, in order, over random adds and removes", () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const list = new OpenList<number>();
      const reference = new ReferenceOpenList<number>();
      const entries: Array<[OpenEntry<number>, { readonly value: number }]> = [];
      for (const o of ops) {
        if (o.kind === "add") entries.push([list.add(o.value), reference.add(o.value)]);
        else if (entries.length > 0) {
          const [mine, theirs] = entries[o.n % entries.length]!;
          list.remove(mine);
          reference.remove(theirs);
        }
        assert.equal(list.size, reference.size);
        assert.deepEqual(list.values(), reference.values());
      }
    }),
    { numRuns: 300 },
  );
});
