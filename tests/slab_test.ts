import assert from "node:assert/strict";
import { allocate } from "../src/slab.ts";

Deno.test("allocate() hands out regions that never overlap, across slabs", () => {
  const regions = [];
  for (let i = 0; i < 2000; i++) {
    const size = 1 + (i * 37) % 700;
    const region = allocate(size);
    assert.equal(region.length, size);
    region.fill(i % 251);
    regions.push({ region, size, mark: i % 251 });
  }
  // Writing every region after all were handed out left each one intact.
  for (const { region, size, mark } of regions) {
    assert.equal(region.length, size);
    assert.ok(region.every((b) => b === mark), "a region was reused while still referenced");
  }
  const buffers = new Set(regions.map((r) => r.region.buffer));
  assert.ok(buffers.size > 1, "700 KiB of regions should span several 64 KiB slabs");
});

Deno.test("allocate() gives a large array its own buffer", () => {
  const big = allocate(100_000);
  assert.equal(big.length, 100_000);
  assert.equal(big.byteOffset, 0);
  assert.equal(big.buffer.byteLength, 100_000);
});
