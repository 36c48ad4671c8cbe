/**
 * Slab regions (src/protocol/slab.ts) against arrays of their own
 * (tests/reference/byte_arrays.ts): random runs of sizes, carved and written,
 * must hold exactly what arrays of their own would hold, however many
 * regions share a slab.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { allocate, Slabs } from "../../src/protocol/slab.ts";
import { firstDifference, referenceAllocate } from "../reference/byte_arrays.ts";

const size = fc.oneof(
  { weight: 4, arbitrary: fc.nat(300) },
  { weight: 2, arbitrary: fc.integer({ min: 8 * 1024 - 3, max: 8 * 1024 + 3 }) }, // the largest carved
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 70 * 1024 }) },
);

Deno.test("allocate() and Slabs.allocate() give what fresh arrays of their own would hold, written in any order", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(size, fc.nat(255), fc.boolean()), { minLength: 1, maxLength: 60 }),
      fc.nat(),
      (sizes, seed) => {
        const kept = new Slabs();
        const pairs: Array<[Uint8Array, Uint8Array]> = [];
        for (const [n, fill, ownSource] of sizes) {
          const region = ownSource ? kept.allocate(n) : allocate(n);
          const reference = referenceAllocate(n);
          assert.equal(firstDifference(region, reference), -1, "a fresh region is not zeroed");
          pairs.push([region, reference]);
          // Write both the same way, regions written after others were carved.
          const [a, b] = pairs[(seed + pairs.length * 7) % pairs.length]!;
          a.fill(fill);
          b.fill(fill);
          if (a.length > 0) a[a.length - 1] = b[b.length - 1] = fill ^ 0xff;
        }
        for (const [region, reference] of pairs) {
          assert.equal(firstDifference(region, reference), -1, "a region was written over");
        }
      },
    ),
    { numRuns: 200 },
  );
});
