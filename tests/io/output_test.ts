import assert from "node:assert/strict";
import { armedDeadlines, liveTickTimers } from "../../src/io/deadlines.ts";
import { Output, WriteTimeout } from "../../src/io/output.ts";
import { SEPARATE_BODY_BYTES } from "../../src/protocol/serializer.ts";

/** A sink that records writes and takes everything at once. */
class Sink {
  readonly writes: string[] = [];
  write(p: Uint8Array): Promise<number> {
    this.writes.push(new TextDecoder().decode(p));
    return Promise.resolve(p.length);
  }
}

const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("Output joins queued small parts into one write, in order", async () => {
  const sink = new Sink();
  const output = new Output(sink, 60_000);
  output.queue(bytes("a"));
  output.queue(bytes("b"));
  output.queue(bytes("c"));
  await output.flush();
  assert.deepEqual(sink.writes, ["abc"]);
  output.dispose();
});

Deno.test("Output writes one send after another whole and in order, single parts, runs and large parts alike", async () => {
  const sink = new Sink();
  const output = new Output(sink, 60_000);
  const large = "L".repeat(SEPARATE_BODY_BYTES);
  output.queue(bytes("one"));
  output.send(); // one part: written as it is
  output.queue(bytes("a"));
  output.queue(bytes("b"));
  output.queue(bytes(large));
  output.queue(bytes("c"));
  output.send(); // a run, a large part, a run
  output.queue(bytes("two"));
  await output.flush();
  assert.deepEqual(sink.writes, ["one", "ab", large, "c", "two"]);
  assert.equal(output.queuedBytes, 0);
  output.dispose();
});

Deno.test("Output keeps writing what a sink takes only part of", async () => {
  const taken: string[] = [];
  const output = new Output({
    write(p: Uint8Array) {
      const n = Math.min(2, p.length); // two bytes at a time
      taken.push(new TextDecoder().decode(p.subarray(0, n)));
      return Promise.resolve(n);
    },
  }, 60_000);
  output.queue(bytes("hello"));
  await output.flush();
  assert.deepEqual(taken, ["he", "ll", "o"]);
  output.dispose();
});

Deno.test("Output: a write after dispose() leaves no deadline armed", async () => {
  const sink = new Sink();
  const output = new Output(sink, 60_000);
  output.dispose(); // the connection closed
  output.queue(bytes("late"));
  await output.flush();
  assert.equal(armedDeadlines(), 0);
  assert.equal(liveTickTimers(), 0);
});

Deno.test("Output reports a write that outlasts WRITE_TIMEOUT as WriteTimeout at the next flush", async () => {
  let fail: (e: Error) => void = () => {};
  const output = new Output(
    { write: () => new Promise<number>((_, reject) => (fail = reject)) },
    1,
    () => fail(new Error("closed by the timeout")), // as the connection closes the socket
  );
  output.queue(bytes("x"));
  await assert.rejects(output.flush(), WriteTimeout);
  output.dispose();
  assert.equal(armedDeadlines(), 0);
});

Deno.test("Output frees an owned large part once its write settles, and leaves the others alone", async () => {
  const sink = new Sink();
  const output = new Output(sink, 60_000);
  const owned = new Uint8Array(SEPARATE_BODY_BYTES).fill(0x61);
  const shared = new Uint8Array(SEPARATE_BODY_BYTES).fill(0x62);
  output.queue(bytes("head"));
  output.queue(owned, true);
  output.queue(shared);
  await output.flush();
  assert.equal(sink.writes.join("").length, 4 + 2 * SEPARATE_BODY_BYTES);
  assert.equal(owned.buffer.detached, true); // given back, no collection needed
  assert.equal(shared.buffer.detached, false); // the handler's: may be sent again
  output.dispose();
});

Deno.test("Output never frees part of a shared buffer, even if owned", async () => {
  const output = new Output(new Sink(), 60_000);
  const slab = new Uint8Array(4 * SEPARATE_BODY_BYTES);
  output.queue(slab.subarray(0, 2 * SEPARATE_BODY_BYTES), true);
  await output.flush();
  assert.equal(slab.buffer.detached, false);
  output.dispose();
});

Deno.test("Output frees owned parts when the write fails (WRITE_TIMEOUT closed the socket)", async () => {
  let fail: (e: Error) => void = () => {};
  const output = new Output(
    { write: () => new Promise<number>((_, reject) => (fail = reject)) },
    1,
    () => fail(new Error("closed")),
  );
  const owned = new Uint8Array(SEPARATE_BODY_BYTES);
  output.queue(owned, true);
  await assert.rejects(output.flush(), WriteTimeout);
  assert.equal(owned.buffer.detached, true);
  output.dispose();
});

Deno.test("Output frees owned parts queued but never written when disposed", () => {
  const output = new Output(new Sink(), 60_000);
  const owned = new Uint8Array(SEPARATE_BODY_BYTES);
  output.queue(owned, true);
  output.dispose();
  assert.equal(owned.buffer.detached, true);
  assert.equal(output.queuedBytes, 0);
});
