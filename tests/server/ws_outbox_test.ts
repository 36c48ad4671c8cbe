/**
 * Tests for a WebSocket's write queue (src/server/ws_outbox.ts): order kept
 * across Blobs, ready frames joined into one write up to BATCH_BYTES, partial
 * writes finished, bufferedAmount, stop() and a failed write.
 */

import assert from "node:assert/strict";
import { BATCH_BYTES, WsOutbox, type WsWritable } from "../../src/server/ws_outbox.ts";

/** A writable that records each write and can hold writes until released. */
function sink(maxWrite = Infinity) {
  const writes: Uint8Array[] = [];
  let held: Array<() => void> = [];
  let holding = false;
  const out: WsWritable = {
    write(p) {
      const n = Math.min(p.length, maxWrite);
      const done = () => {
        writes.push(p.slice(0, n));
        return n;
      };
      if (!holding) return Promise.resolve(done());
      return new Promise((resolve) => held.push(() => resolve(done())));
    },
  };
  return {
    out,
    writes,
    hold: () => holding = true,
    release: () => {
      holding = false;
      const h = held;
      held = [];
      h.forEach((f) => f());
    },
  };
}

const bytes = (...b: number[]) => Uint8Array.from(b);
const joined = (parts: Uint8Array[]) => parts.flatMap((p) => [...p]);

Deno.test("WsOutbox writes frames in order, a Blob's framed when its turn comes", async () => {
  const s = sink();
  const box = new WsOutbox(s.out, () => assert.fail("no error"));
  box.push(bytes(1), 1);
  box.pushBlob(new Blob([bytes(7, 7)]));
  box.push(bytes(2), 1);
  await box.drained();
  assert.deepEqual(joined(s.writes), [1, 0x82, 2, 7, 7, 2]);
  assert.equal(box.idle, true);
});

Deno.test("WsOutbox joins ready frames into one write, up to BATCH_BYTES", async () => {
  const s = sink();
  const box = new WsOutbox(s.out, () => {});
  s.hold();
  box.push(bytes(0)); // written alone, held
  for (let i = 1; i <= 3; i++) box.push(bytes(i));
  box.push(new Uint8Array(BATCH_BYTES)); // too big to join the others
  s.release();
  await box.drained();
  assert.deepEqual(s.writes.map((w) => w.length), [1, 3, BATCH_BYTES]);
});

Deno.test("WsOutbox finishes each frame through partial writes", async () => {
  const s = sink(2);
  const box = new WsOutbox(s.out, () => {});
  box.push(bytes(1, 2, 3, 4, 5));
  await box.drained();
  assert.deepEqual(s.writes.map((w) => [...w]), [[1, 2], [3, 4], [5]]);
});

Deno.test("WsOutbox counts data bytes until written, control frames as nothing", async () => {
  const s = sink();
  const box = new WsOutbox(s.out, () => {});
  s.hold();
  box.push(bytes(1, 2, 3), 2);
  box.push(bytes(9)); // a control frame
  box.pushBlob(new Blob(["abcd"]));
  assert.equal(box.bufferedAmount, 6);
  s.release();
  await box.drained();
  assert.equal(box.bufferedAmount, 0);
});

Deno.test("WsOutbox.stop() drops what is queued and resolves drained()", async () => {
  const s = sink();
  const box = new WsOutbox(s.out, () => {});
  s.hold();
  box.push(bytes(1));
  box.push(bytes(2));
  const drained = box.drained();
  box.stop();
  await drained;
  s.release();
  box.push(bytes(3)); // ignored after stop
  await box.drained();
  assert.deepEqual(joined(s.writes), [1], "the write in flight, and nothing after");
});

Deno.test("WsOutbox reports a failed write once and stops", async () => {
  const errors: unknown[] = [];
  const box = new WsOutbox(
    { write: () => Promise.reject(new Error("reset")) },
    (e) => errors.push(e),
  );
  box.push(bytes(1));
  box.push(bytes(2));
  await box.drained();
  box.push(bytes(3));
  await box.drained();
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /reset/);
});
