import assert from "node:assert/strict";
import { Exchange } from "../../src/server/exchange.ts";

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
  const exchange = new Exchange(null, watch.watch);
  assert.equal(watch.calls, 0, "nothing is watched until the signal is used");
  const signal = exchange.signal;
  assert.equal(exchange.signal, signal);
  assert.equal(watch.calls, 1);
  assert.equal(signal.aborted, false);
});

Deno.test("with a body, the watch starts once the body has been read, and only if the signal was used", () => {
  const unused = counter();
  const quiet = new Exchange(emptyStream(), unused.watch);
  quiet.bodyEnded();
  assert.equal(unused.calls, 0);

  const used = counter();
  const exchange = new Exchange(emptyStream(), used.watch);
  void exchange.signal;
  assert.equal(used.calls, 0, "EOF cannot be told from the body's end before it is read");
  exchange.bodyEnded();
  exchange.bodyEnded();
  assert.equal(used.calls, 1);
});

Deno.test("a failure aborts the signal and rejects completed, whether taken before or after", async () => {
  const before = new Exchange(null, () => {});
  const signal = before.signal;
  const completed = before.completed;
  const error = new Error("client gone");
  before.done(error);
  assert.equal(signal.aborted, true);
  assert.equal(signal.reason, error);
  await assert.rejects(completed, (e) => e === error);

  const after = counter();
  const late = new Exchange(null, after.watch);
  late.done(error);
  assert.equal(late.signal.aborted, true);
  assert.equal(late.signal.reason, error);
  assert.equal(after.calls, 0, "no watch once the exchange is over");
  await assert.rejects(late.completed, (e) => e === error);
});

Deno.test("delivery resolves completed, leaves the signal unaborted, and later ends do nothing", async () => {
  const exchange = new Exchange(null, () => {});
  assert.equal(exchange.awaited, false);
  const completed = exchange.completed;
  assert.equal(exchange.awaited, true, "the connection flushes before delivering");
  exchange.done();
  exchange.done(new Error("too late"));
  await completed;
  assert.equal(exchange.signal.aborted, false);

  const late = new Exchange(null, () => {});
  late.done();
  await late.completed;
});

Deno.test("asking for completed starts the watch too, once with the signal, and waits for the body's end", () => {
  const watch = counter();
  const exchange = new Exchange(emptyStream(), watch.watch);
  void exchange.completed;
  assert.equal(watch.calls, 0);
  exchange.bodyEnded();
  assert.equal(watch.calls, 1);
  void exchange.signal;
  assert.equal(watch.calls, 1, "one watch serves both");
});
