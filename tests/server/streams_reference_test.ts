/**
 * Abort signals made on first use against ones made at once
 * (tests/reference/abort_signals.ts): the connection's closing signal
 * (src/server/streams.ts, `Streams.closingSignal()`) and a streaming
 * request's signal (src/server/streaming.ts, `Streaming.signal`). Random
 * sequences of asking for the signal (and listening to it), closing the
 * socket or ending the request, must give the same signal every time it is
 * asked, aborted at the same moments, with the same reason, each listener's
 * abort event fired once, at the same moment.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { Streams } from "../../src/server/streams.ts";
import { Streaming } from "../../src/server/streaming.ts";
import { Output } from "../../src/io/output.ts";
import { SocketReader } from "../../src/io/reader.ts";
import { EagerClosingSignal, EagerStreamingSignal } from "../reference/abort_signals.ts";

/**
 * Asks `get` for the signal and logs what it is: which one (by the order
 * first seen), whether aborted, and its reason as `reason` shows it; listens
 * for its abort event, logged when it fires.
 */
function ask(
  get: () => AbortSignal,
  seen: AbortSignal[],
  log: unknown[],
  reason: (r: unknown) => unknown,
): void {
  const signal = get();
  if (!seen.includes(signal)) seen.push(signal);
  const which = seen.indexOf(signal);
  const listener = log.length;
  log.push(["asked", which, signal.aborted, reason(signal.reason)]);
  signal.addEventListener("abort", () => {
    log.push(["abort event", which, listener, signal.aborted, reason(signal.reason)]);
  });
}

/** Every signal seen so far, as it is now. */
function look(seen: AbortSignal[], log: unknown[], reason: (r: unknown) => unknown): void {
  log.push(seen.map((s) => [s.aborted, reason(s.reason)]));
}

const closingOp = fc.constantFrom("ask", "closed", "look");

/** The closing signal's reason: a DOMException made inside, shown by name and message. */
const domReason = (r: unknown) =>
  r instanceof DOMException ? `${r.name}: ${r.message}` : r === undefined ? undefined : "other";

Deno.test("Streams.closingSignal() made on first use behaves as one made with the connection, over random asks and closes", () => {
  const reader = new SocketReader({ read: () => Promise.resolve(null) }, 64, 64);
  const output = new Output({ write: (p) => Promise.resolve(p.length) }, 60_000);
  try {
    fc.assert(
      fc.property(fc.array(closingOp, { maxLength: 10 }), (ops) => {
        const streams = new Streams(reader, output, { close() {} });
        const eager = new EagerClosingSignal();
        const mine: unknown[] = [];
        const theirs: unknown[] = [];
        const mySeen: AbortSignal[] = [];
        const theirSeen: AbortSignal[] = [];
        for (const op of ops) {
          if (op === "ask") {
            ask(() => streams.closingSignal(), mySeen, mine, domReason);
            ask(() => eager.closingSignal(), theirSeen, theirs, domReason);
          } else if (op === "closed") {
            streams.closed();
            eager.closed();
          } else {
            look(mySeen, mine, domReason);
            look(theirSeen, theirs, domReason);
          }
          assert.deepEqual(mine, theirs);
        }
      }),
      { numRuns: 300 },
    );
  } finally {
    output.dispose();
    reader.dispose();
  }
});

const streamingOp = fc.oneof(
  fc.constantFrom("ask" as const, "delivered" as const, "look" as const, "bodyEnded" as const),
  fc.nat(2).map((n) => ({ failed: n })),
);

Deno.test("Streaming.signal made on first use behaves as one made with the request, over random asks and ends", () => {
  fc.assert(
    fc.property(fc.boolean(), fc.array(streamingOp, { maxLength: 10 }), (hasBody, ops) => {
      const errors = [new Error("e0"), new Error("e1"), new Error("e2")];
      // The reason is one of the errors the request failed with: shown by which.
      const which = (r: unknown) => r === undefined ? undefined : errors.indexOf(r as Error);
      const streaming = new Streaming(hasBody ? new ReadableStream() : null, () => {});
      const eager = new EagerStreamingSignal();
      const mine: unknown[] = [];
      const theirs: unknown[] = [];
      const mySeen: AbortSignal[] = [];
      const theirSeen: AbortSignal[] = [];
      for (const op of ops) {
        if (op === "ask") {
          ask(() => streaming.signal, mySeen, mine, which);
          ask(() => eager.signal, theirSeen, theirs, which);
        } else if (op === "delivered") {
          streaming.done();
          eager.done();
        } else if (op === "bodyEnded") {
          streaming.bodyEnded(); // no signal of its own: the reference has nothing to do
        } else if (op === "look") {
          look(mySeen, mine, which);
          look(theirSeen, theirs, which);
        } else {
          streaming.done(errors[op.failed]);
          eager.done(errors[op.failed]);
        }
        assert.deepEqual(mine, theirs);
      }
    }),
    { numRuns: 300 },
  );
});
