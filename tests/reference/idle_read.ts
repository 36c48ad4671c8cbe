/**
 * The plain reference path for the idle wait's read that calls the
 * connection back (`SocketReader.fillThen()` in src/io/reader.ts, used by
 * src/server/head_reader.ts between kept-alive requests): a loop that
 * awaits `reader.fillWithin()` for each wait, a promise and an async frame
 * per wait.
 *
 * Compared against in tests/io/reader_reference_test.ts, timed against in
 * bench/idle_read_bench.ts.
 *
 * @module
 */

import type { FillOutcome, SocketReader } from "../../src/io/reader.ts";

/**
 * Waits for bytes on `reader` within `timeoutMs`, again and again: each
 * outcome goes to `onOutcome`, which consumes what it takes and says whether
 * to wait again. `armed` runs as each wait begins. Resolves when `onOutcome`
 * says to stop.
 */
export async function referenceReadLoop(
  reader: SocketReader,
  onOutcome: (outcome: FillOutcome) => boolean,
  timeoutMs: number,
  armed: () => void = () => {},
): Promise<void> {
  for (;;) {
    const filling = reader.fillWithin(timeoutMs);
    armed();
    if (!onOutcome(await filling)) return;
  }
}
