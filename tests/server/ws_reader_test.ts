/**
 * Tests for a WebSocket's read side (src/server/ws_reader.ts): leftover bytes
 * first, events in order, stop(), the end of the input, a failed read, and a
 * read buffer that grows for large input and shrinks back.
 */

import assert from "node:assert/strict";
import { WsFrameParser } from "../../src/protocol/ws_frame_parser.ts";
import { READ_MAX, READ_START, WsReader } from "../../src/server/ws_reader.ts";
import { frame, OP } from "../fixtures/ws_frames.ts";

/** A readable serving `chunks` then EOF (or a failure), recording each buffer size offered. */
function readable(chunks: Uint8Array[], fail = false) {
  const sizes: number[] = [];
  return {
    sizes,
    read(p: Uint8Array): Promise<number | null> {
      sizes.push(p.length);
      const chunk = chunks.shift();
      if (chunk === undefined) {
        return fail ? Promise.reject(new Error("reset")) : Promise.resolve(null);
      }
      const n = Math.min(p.length, chunk.length);
      p.set(chunk.subarray(0, n));
      if (n < chunk.length) chunks.unshift(chunk.subarray(n));
      return Promise.resolve(n);
    },
  };
}

function run(chunks: Uint8Array[], leftover: Uint8Array = new Uint8Array(0), fail = false) {
  const from = readable(chunks, fail);
  const reader = new WsReader(from, new WsFrameParser({ maxMessageBytes: 1 << 20 }));
  const log: string[] = [];
  const done = reader.run(leftover, {
    input: () => log.push("input"),
    event: (e) => log.push(e.kind === "text" ? e.data : e.kind),
    lost: () => log.push("lost"),
  });
  return { reader, log, done, sizes: from.sizes };
}

Deno.test("WsReader reads the leftover first, then the transport, until the input ends", async () => {
  const { log, done } = run([frame(OP.text, "b")], frame(OP.text, "a"));
  await done;
  assert.deepEqual(log, ["a", "input", "b", "lost"]);
});

Deno.test("WsReader reports a failed read as lost", async () => {
  const { log, done } = run([], new Uint8Array(0), true);
  await done;
  assert.deepEqual(log, ["lost"]);
});

Deno.test("WsReader stops at once when stop() is called from an event", async () => {
  const from = readable([new Uint8Array([...frame(OP.text, "a"), ...frame(OP.text, "b")])]);
  const reader = new WsReader(from, new WsFrameParser({ maxMessageBytes: 100 }));
  const log: string[] = [];
  await reader.run(new Uint8Array(0), {
    input: () => {},
    event: (e) => {
      log.push(e.kind);
      reader.stop();
    },
    lost: () => log.push("lost"),
  });
  assert.deepEqual(log, ["text"], "no second event, and no lost after stop()");
  assert.equal(reader.reading, false);
});

Deno.test("WsReader grows its buffer on full reads up to READ_MAX, and shrinks after small ones", async () => {
  const big = frame(OP.binary, new Uint8Array(300_000));
  const { done, sizes } = run([big, frame(OP.text, "small")]);
  await done;
  assert.equal(sizes[0], READ_START);
  assert.equal(Math.max(...sizes), READ_MAX);
  assert.equal(sizes.at(-1), READ_START, "back to the start size after a small read");
});
