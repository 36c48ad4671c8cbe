/**
 * Micro-benchmarks of the slabs (`deno task bench:micro`): response arrays
 * carved from shared slabs (`allocate()`) against an array of their own
 * (the baseline; tests/reference/byte_arrays.ts).
 *
 * @module
 */

import { allocate } from "../src/protocol/slab.ts";
import { referenceAllocate } from "../tests/reference/byte_arrays.ts";

let sink: Uint8Array = new Uint8Array(0);

for (const size of [150, 1024]) {
  const group = `slab, ${size} B`;
  Deno.bench({
    name: `${group}: reference, an array of its own (new Uint8Array)`,
    group,
    baseline: true,
    fn() {
      sink = referenceAllocate(size);
    },
  });
  Deno.bench({
    name: `${group}: optimised, carved from a slab (allocate)`,
    group,
    fn() {
      sink = allocate(size);
    },
  });
}

globalThis.addEventListener("unload", () => {
  if (sink.length < 0) console.log(""); // keeps `sink` read
});
