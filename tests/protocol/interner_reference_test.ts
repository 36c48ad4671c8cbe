/**
 * The interner and the field-line cache (src/protocol/interner.ts) on their
 * own, against the plain path (tests/reference/parse_head.ts): decoding
 * every run afresh, and parsing every line afresh. Tables of one to four
 * slots and hashes drawn at random (not computed from the bytes) make every
 * lookup collide, so only the byte-by-byte check stands between a hit and a
 * wrong answer. The parser's own use of both is in
 * head_parser_reference_test.ts.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { hashStep, Interner, LineCache, LOWER } from "../../src/protocol/interner.ts";
import { latin1 } from "../reference/parse_head.ts";

/** Short runs from a few bytes, so the same runs come again, plus case variants and high bytes. */
const run = fc.uint8Array({ maxLength: 6 }).map((b) =>
  b.map((x) => [0x41, 0x61, 0x42, 0x62, 0xe9, 0x7e][x % 6]!)
);
const slots = fc.constantFrom(1, 2, 4);

/** The hash the parser computes over a run (over LOWER bytes for a lower-casing table). */
function hashOf(bytes: Uint8Array, lower: boolean): number {
  return bytes.reduce((h, b) => hashStep(h, lower ? LOWER[b]! : b), 0);
}

Deno.test("Interner.get() gives the reference's decode of every run, lower-cased or not, whatever the hash", () => {
  fc.assert(
    fc.property(
      slots,
      fc.boolean(),
      fc.array(fc.tuple(run, fc.option(fc.nat(7)), fc.nat(3)), { maxLength: 40 }),
      (n, lower, runs) => {
        const interner = new Interner(n, lower);
        for (const [bytes, hash, pad] of runs) {
          const buf = new Uint8Array(pad + bytes.length + 2).fill(0x5f);
          buf.set(bytes, pad);
          const h = hash ?? hashOf(bytes, lower); // a drawn hash: a crafted collision
          assert.equal(interner.get(buf, pad, pad + bytes.length, h), latin1(bytes, lower));
        }
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("LineCache.get() gives nothing or what the very same line parsed to, never another line's, whatever the hash", () => {
  let hits = 0;
  fc.assert(
    fc.property(
      slots,
      fc.array(run, { minLength: 1, maxLength: 4 }),
      fc.array(
        fc.tuple(
          fc.nat(),
          fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, fc.nat(7)),
          fc.boolean(),
        ),
        {
          maxLength: 40,
        },
      ),
      (n, pool, picks) => {
        const cache = new LineCache<string>(n);
        const offered = new Set<string>();
        const parse = (line: string) => `parsed ${JSON.stringify(line)}`; // the plain path
        for (const [pick, hash, offer] of picks) {
          const bytes = pool[pick % pool.length]!;
          const h = hash ?? hashOf(bytes, false);
          const line = latin1(bytes);
          const got = cache.get(bytes, 0, bytes.length, h);
          if (got !== undefined) {
            assert.ok(offered.has(line), `a hit for ${JSON.stringify(line)}, never offered`);
            assert.equal(got, parse(line));
            hits++;
          }
          if (offer) {
            offered.add(line);
            cache.set(bytes, 0, bytes.length, h, parse(line));
          }
        }
      },
    ),
    { numRuns: 300 },
  );
  assert.ok(hits > 50, `only ${hits} hits: the cache was hardly used`);
});
