/**
 * Micro-benchmarks of ready response chunks (`deno task bench:micro`): a
 * chunk copied into a slab region (`copyChunk()`, as `collectReady()` keeps
 * it) against `slice()` (the baseline; tests/reference/byte_arrays.ts).
 *
 * @module
 */

import { copyChunk } from "../src/io/ready_chunks.ts";
import { referenceCopyChunk } from "../tests/reference/byte_arrays.ts";

let sink: Uint8Array = new Uint8Array(0);

for (const size of [14, 1024]) {
  const chunk = new Uint8Array(size).fill(0x61);
  const group = `ready chunk copy, ${size} B`;
  Deno.bench({
    name: `${group}: reference, slice()`,
    group,
    baseline: true,
    fn() {
      sink = referenceCopyChunk(chunk);
    },
  });
  Deno.bench({
    name: `${group}: optimised, copied into a slab region (copyChunk)`,
    group,
    fn() {
      sink = copyChunk(chunk);
    },
  });
}

globalThis.addEventListener("unload", () => {
  if (sink.length < 0) console.log(""); // keeps `sink` read
});
