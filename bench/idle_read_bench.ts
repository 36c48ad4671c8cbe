/**
 * Micro-benchmarks of the idle wait's read (`deno task bench:micro`): 100
 * waits on an in-memory socket whose every read brings 64 bytes at once,
 * each taken whole, then EOF; with `SocketReader.fillThen()` calling back
 * (src/io/reader.ts, as head_reader.ts waits between kept-alive requests),
 * against `await reader.fillWithin()` in a loop (tests/reference/idle_read.ts,
 * the baseline). Both arm the same watchdog per wait.
 *
 * @module
 */

import { type ByteSource, type FillOutcome, SocketReader } from "../src/io/reader.ts";
import { referenceReadLoop } from "../tests/reference/idle_read.ts";

const WAITS = 100;
const PIECE = 64;

/** A socket that brings `PIECE` bytes at each read, `WAITS` times, then EOF. */
function source(): ByteSource {
  let reads = 0;
  return {
    read: (p) => Promise.resolve(reads++ < WAITS ? (p.fill(0x61, 0, PIECE), PIECE) : null),
  };
}

/** Takes everything buffered; waits again until EOF. */
function taker(reader: SocketReader): (outcome: FillOutcome) => boolean {
  return (outcome) => {
    reader.consume(reader.buffered);
    return outcome === "data";
  };
}

Deno.bench({
  name: `${WAITS} idle waits: reference, await fillWithin() in a loop`,
  group: "idle waits",
  baseline: true,
  async fn() {
    const reader = new SocketReader(source(), 4096, 4096);
    await referenceReadLoop(reader, taker(reader), 60_000);
    reader.dispose();
  },
});
Deno.bench({
  name: `${WAITS} idle waits: optimised, the read calls back (fillThen)`,
  group: "idle waits",
  async fn() {
    const reader = new SocketReader(source(), 4096, 4096);
    const onOutcome = taker(reader);
    await new Promise<void>((resolve) => {
      const then = (outcome: FillOutcome): void => {
        if (onOutcome(outcome)) reader.fillThen(then, 60_000);
        else resolve();
      };
      reader.fillThen(then, 60_000);
    });
    reader.dispose();
  },
});
