/**
 * Ready chunks copied into slab regions (src/io/ready_chunks.ts,
 * `copyChunk()` in `collectReady()`) against the plain path
 * (tests/reference/byte_arrays.ts): the body's chunks as they were when
 * produced, joined. Random streams, ready or not, from a ReadableStream or
 * from a producer that reuses one buffer for every chunk, must give the
 * same bytes, collected and then read on.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  ChunkSource,
  collectReady,
  copyChunk,
  MAX_COLLECTED_BYTES,
  RestOfStream,
} from "../../src/io/ready_chunks.ts";
import { firstDifference, referenceBody, referenceCopyChunk } from "../reference/byte_arrays.ts";

/** Bytes of a repeatable pattern. */
function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (seed + i * 13) & 0xff;
  return out;
}

const chunkSize = fc.oneof(
  { weight: 4, arbitrary: fc.nat(100) },
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.integer({ min: 8 * 1024 - 2, max: 8 * 1024 + 2 }) }, // the largest carved
  { weight: 1, arbitrary: fc.integer({ min: 20_000, max: MAX_COLLECTED_BYTES + 10 }) },
);

interface Body {
  readonly chunks: Uint8Array[];
  /** Produced by one buffer, refilled for every chunk (as a producer may). */
  readonly reused: boolean;
  /** The index of a chunk that waits on a timer (not ready), or -1. */
  readonly waitsAt: number;
}

const body: fc.Arbitrary<Body> = fc.record({
  chunks: fc.array(fc.tuple(chunkSize, fc.nat(255)), { maxLength: 8 })
    .map((sizes) => sizes.map(([n, seed]) => pattern(n, seed))),
  reused: fc.boolean(),
  waitsAt: fc.integer({ min: -1, max: 8 }),
});

/** The producer of `b`: an async generator (reusing a buffer if asked) or a ReadableStream. */
function produce(b: Body): ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> {
  const wait = (i: number) =>
    i === b.waitsAt ? new Promise((resolve) => setTimeout(resolve, 1)) : null;
  if (b.reused) {
    return (async function* () {
      const buffer = new Uint8Array(b.chunks.reduce((n, c) => Math.max(n, c.length), 0));
      for (let i = 0; i < b.chunks.length; i++) {
        await wait(i);
        const chunk = buffer.subarray(0, b.chunks[i]!.length);
        chunk.set(b.chunks[i]!);
        yield chunk;
        buffer.fill(0xee); // written over once the consumer asks for the next
      }
    })();
  }
  let i = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (i === b.chunks.length) return controller.close();
      await wait(i);
      controller.enqueue(b.chunks[i++]!.slice());
    },
  });
}

/** Everything a stream gives: what collectReady() collected, then the rest read on. */
async function readAll(b: Body): Promise<Uint8Array> {
  const source = new ChunkSource(produce(b));
  const collected = await collectReady(source);
  if (collected.kind === "done") return collected.bytes;
  assert.notEqual(collected.kind, "failed");
  const parts: Uint8Array[] = [];
  const rest = new RestOfStream(source, collected);
  for (;;) {
    const r = await rest.next();
    if (r.done) break;
    const chunk = r.value as Uint8Array;
    parts.push(b.reused ? chunk.slice() : chunk); // read on: the caller's own copy
  }
  return referenceBody(parts);
}

Deno.test("collectReady() and the rest of the stream give the reference's bytes: the chunks as produced, joined", async () => {
  await fc.assert(
    fc.asyncProperty(body, async (b) => {
      const got = await readAll(b);
      assert.equal(firstDifference(got, referenceBody(b.chunks)), -1, "first differing byte");
    }),
    { numRuns: 120 },
  );
});

Deno.test("copyChunk() gives the reference's copy, which later writes to the chunk never change", () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(chunkSize, fc.nat(255)), { maxLength: 20 }), (sizes) => {
      const pairs = sizes.map(([n, seed]) => {
        const chunk = pattern(n, seed);
        const pair = [copyChunk(chunk), referenceCopyChunk(chunk)] as const;
        chunk.fill(0xee);
        return pair;
      });
      for (const [copy, reference] of pairs) assert.equal(firstDifference(copy, reference), -1);
    }),
    { numRuns: 100 },
  );
});
