/**
 * The idle wait's read that calls back (src/io/reader.ts,
 * `SocketReader.fillThen()`) against awaiting `fillWithin()` in a loop
 * (tests/reference/idle_read.ts): over a fake socket, random chunkings of
 * random bytes (cut again by the reader's free space), reads that stall
 * until their wait is ended (a timeout without the clock), a consumer that
 * takes some or all of what is buffered (so the buffer moves, grows and
 * fills), and a socket that ends or fails, must give the same outcomes with
 * the same bytes in the same order, and every byte sent exactly once.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { type ByteSource, type FillOutcome, SocketReader } from "../../src/io/reader.ts";
import { referenceReadLoop } from "../reference/idle_read.ts";

/** What the socket does at one read. */
type Event =
  | { readonly kind: "bytes"; readonly data: Uint8Array }
  /** The read waits until the test lets it go, after a wait on it has ended. */
  | { readonly kind: "stall" }
  | { readonly kind: "error" }
  | { readonly kind: "eof" };

const event: fc.Arbitrary<Event> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.uint8Array({ minLength: 1, maxLength: 40 }).map((data) => ({
      kind: "bytes" as const,
      data,
    })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "stall" as const }) },
);

const script = fc.record({
  events: fc.array(event, { maxLength: 12 }),
  end: fc.constantFrom<Event>({ kind: "eof" }, { kind: "error" }),
  /** How many bytes the consumer takes at each "data", in turn (more than buffered: all). */
  takes: fc.array(fc.oneof(fc.constant(0), fc.nat(12), fc.constant(Infinity)), {
    minLength: 1,
    maxLength: 5,
  }),
});

type Script = typeof script extends fc.Arbitrary<infer S> ? S : never;

/** A socket that plays `events`: a read gets at most its array's room, the rest waits for the next. */
class ScriptedSource implements ByteSource {
  readonly #events: Event[];
  /** The stalled read: whether a wait on it has ended, and how to let it go. */
  stalled: { timedOut: boolean; release: () => void } | null = null;

  constructor(events: readonly Event[]) {
    this.#events = [...events];
  }

  read(p: Uint8Array): Promise<number | null> {
    const next = this.#events[0];
    if (next?.kind !== "stall") return this.#play(p);
    this.#events.shift();
    return new Promise((resolve, reject) => {
      this.stalled = {
        timedOut: false,
        release: () => {
          this.stalled = null;
          this.#play(p).then(resolve, reject);
        },
      };
    });
  }

  #play(p: Uint8Array): Promise<number | null> {
    const next = this.#events.shift();
    if (next === undefined || next.kind === "eof") return Promise.resolve(null);
    if (next.kind === "error") return Promise.reject(new Error("connection reset"));
    if (next.kind === "stall") return this.#play(p); // a stall right after a stall is one stall
    const n = Math.min(p.length, next.data.length);
    p.set(next.data.subarray(0, n));
    if (n < next.data.length) this.#events.unshift({ kind: "bytes", data: next.data.subarray(n) });
    return Promise.resolve(n);
  }
}

/** The optimised loop: each wait a `fillThen()`, calling back instead of settling a promise. */
function callBackLoop(
  reader: SocketReader,
  onOutcome: (outcome: FillOutcome) => boolean,
  timeoutMs: number,
  armed: () => void,
): Promise<void> {
  return new Promise((resolve) => {
    const then = (outcome: FillOutcome): void => {
      if (!onOutcome(outcome)) return resolve();
      reader.fillThen(then, timeoutMs);
      armed();
    };
    reader.fillThen(then, timeoutMs);
    armed();
  });
}

type Loop = typeof callBackLoop;

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/**
 * Plays `s` to a reader waited on by `loop`; the log of outcomes, each with
 * the bytes taken, and every byte taken, in order.
 */
async function play(s: Script, loop: Loop): Promise<{ log: string[]; taken: number[] }> {
  const source = new ScriptedSource([...s.events, s.end]);
  const reader = new SocketReader(source, 8, 32);
  const log: string[] = [];
  const taken: number[] = [];
  let turn = 0;
  const take = (n: number): string => {
    const count = Math.min(n, reader.buffered);
    const bytes = reader.buf.slice(reader.start, reader.start + count);
    reader.consume(count);
    taken.push(...bytes);
    return hex(bytes);
  };
  const onOutcome = (outcome: FillOutcome): boolean => {
    if (outcome === "data") log.push(`data ${take(s.takes[turn++ % s.takes.length]!)}`);
    else if (outcome === "full") log.push(`full ${take(Infinity)}`);
    else if (outcome === "timeout") log.push("timeout");
    else {
      log.push(`${outcome} ${take(Infinity)}`); // the end: what is left is taken too
      return false;
    }
    return true;
  };
  // A stalled read times out its first wait (ended as IDLE_TIMEOUT would end
  // it, without the clock); it lands for the wait after.
  const armed = (): void => {
    const stalled = source.stalled;
    if (stalled === null) return;
    if (!stalled.timedOut) {
      stalled.timedOut = true;
      reader.endWait();
    } else stalled.release();
  };
  try {
    await loop(reader, onOutcome, 60_000, armed);
  } finally {
    reader.dispose();
  }
  return { log, taken };
}

Deno.test("SocketReader.fillThen() gives the reference loop's outcomes and bytes, in order, over random chunkings, stalls, EOF and errors", async () => {
  await fc.assert(
    fc.asyncProperty(script, async (s) => {
      const mine = await play(s, callBackLoop);
      const theirs = await play(s, referenceReadLoop);
      assert.deepEqual(mine.log, theirs.log);
      // And every byte sent was taken once, in order (before an error, all of them too).
      const sent = s.events.flatMap((e) => e.kind === "bytes" ? [...e.data] : []);
      assert.deepEqual(mine.taken, sent);
    }),
    { numRuns: 300 },
  );
});
