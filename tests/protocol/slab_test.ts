import assert from "node:assert/strict";
import { allocate, Slabs } from "../../src/protocol/slab.ts";

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

Deno.test("Slabs: a separate source never carves from the responses' slabs", () => {
  const kept = new Slabs();
  const keptBuffers = new Set<ArrayBufferLike>();
  for (let i = 0; i < 200; i++) keptBuffers.add(kept.allocate(100).buffer);
  for (let i = 0; i < 200; i++) assert.ok(!keptBuffers.has(allocate(100).buffer));
  // Below, at and above the largest carved size.
  assert.equal(kept.allocate(8 * 1024 - 1).buffer.byteLength, 64 * 1024);
  assert.equal(kept.allocate(8 * 1024).buffer.byteLength, 64 * 1024);
  assert.equal(kept.allocate(8 * 1024 + 1).buffer.byteLength, 8 * 1024 + 1);
});
