import assert from "node:assert/strict";
import { bodyReader } from "../fixtures/exchange.ts";
import { startStreaming, Streaming } from "../../src/server/streaming.ts";

function counter(): { calls: number; watch: () => void } {
  const state = {
    calls: 0,
    watch: () => {
      state.calls++;
    },
  };
  return state;
}

const emptyStream = () => new ReadableStream<Uint8Array>({ start: (c) => c.close() });

Deno.test("without a body, using the signal starts the watch for the client leaving, once", () => {
  const watch = counter();
  const streaming = new Streaming(null, watch.watch);
  assert.equal(watch.calls, 0, "nothing is watched until the signal is used");
  const signal = streaming.signal;
  assert.equal(streaming.signal, signal);
  assert.equal(watch.calls, 1);
  assert.equal(signal.aborted, false);
});

Deno.test("with a body, the watch starts once the body has been read, and only if the signal was used", () => {
  const unused = counter();
  const quiet = new Streaming(emptyStream(), unused.watch);
  quiet.bodyEnded();
  assert.equal(unused.calls, 0);

  const used = counter();
  const streaming = new Streaming(emptyStream(), used.watch);
  void streaming.signal;
  assert.equal(used.calls, 0, "EOF cannot be told from the body's end before it is read");
  streaming.bodyEnded();
  streaming.bodyEnded();
  assert.equal(used.calls, 1);
});

Deno.test("a failure aborts the signal and rejects completed, whether taken before or after", async () => {
  const before = new Streaming(null, () => {});
  const signal = before.signal;
  const completed = before.completed;
  const error = new Error("client gone");
  before.done(error);
  assert.equal(signal.aborted, true);
  assert.equal(signal.reason, error);
  await assert.rejects(completed, (e) => e === error);

  const after = counter();
  const late = new Streaming(null, after.watch);
  late.done(error);
  assert.equal(late.signal.aborted, true);
  assert.equal(late.signal.reason, error);
  assert.equal(after.calls, 0, "no watch once the streaming has ended");
  await assert.rejects(late.completed, (e) => e === error);
});

Deno.test("delivery resolves completed, leaves the signal unaborted, and later ends do nothing", async () => {
  const streaming = new Streaming(null, () => {});
  assert.equal(streaming.awaited, false);
  const completed = streaming.completed;
  assert.equal(streaming.awaited, true, "the connection flushes before delivering");
  streaming.done();
  streaming.done(new Error("too late"));
  await completed;
  assert.equal(streaming.signal.aborted, false);

  const late = new Streaming(null, () => {});
  late.done();
  await late.completed;
});

Deno.test("asking for completed starts the watch too, once with the signal, and waits for the body's end", () => {
  const watch = counter();
  const streaming = new Streaming(emptyStream(), watch.watch);
  void streaming.completed;
  assert.equal(watch.calls, 0);
  streaming.bodyEnded();
  assert.equal(watch.calls, 1);
  void streaming.signal;
  assert.equal(watch.calls, 1, "one watch serves both");
});

/** A body reader of a Content-Length body of `length` bytes, fed `chunks` by the socket, then EOF. */
const bodyOf = (length: number, chunks: string[]) =>
  bodyReader({ kind: "length", length }, { chunks });

Deno.test("startStreaming() streams the body as it is read, and ends the parts' body at its end", async () => {
  const watch = counter();
  const cuts: Error[] = [];
  const streaming = startStreaming(bodyOf(5, ["he", "llo"]), (e) => cuts.push(e), watch.watch);
  void streaming.signal;
  assert.equal(watch.calls, 0, "no watch while the body is still coming");
  const text = await new Response(streaming.bodyStream).text();
  assert.equal(text, "hello");
  assert.equal(watch.calls, 1, "the watch starts once the body has been read");
  assert.equal(streaming.bodyRefused, false);
  assert.deepEqual(cuts, []);
});

Deno.test("startStreaming(): a body cut off by the client errors the stream, refuses the body and cuts the parts", async () => {
  const cuts: Error[] = [];
  const streaming = startStreaming(bodyOf(5, ["he"]), (e) => cuts.push(e), () => {});
  await assert.rejects(new Response(streaming.bodyStream).text(), /incomplete_body/);
  assert.equal(streaming.bodyRefused, true);
  assert.equal(cuts.length, 1);
});

Deno.test("startStreaming() gives no stream for a request without a body", () => {
  const none = bodyReader({ kind: "none" });
  assert.equal(startStreaming(none, () => {}, () => {}).bodyStream, null);
});
