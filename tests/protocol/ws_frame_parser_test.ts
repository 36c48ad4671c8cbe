/**
 * Tests for the WebSocket frame parser (src/protocol/ws_frame_parser.ts):
 * every valid and invalid fixture whole, at every split point and byte by
 * byte; each violation's close code; the message limit at and above its
 * edge; 16- and 64-bit lengths; binary data the consumer owns; the client role.
 */

import assert from "node:assert/strict";
import { WsFrameParser } from "../../src/protocol/ws_frame_parser.ts";
import { WS_VIOLATIONS } from "../../src/protocol/ws_violations.ts";
import { encodeFrame, OPCODE } from "../../src/protocol/ws_frame_writer.ts";
import { byteByByte, everySplit } from "../fixtures/split.ts";
import {
  closePayload,
  concat,
  frame,
  INVALID_STREAMS,
  OP,
  replay,
  VALID_CLOSE_CODES,
  VALID_STREAMS,
} from "../fixtures/ws_frames.ts";

for (const f of VALID_STREAMS) {
  Deno.test(`WsFrameParser reads ${f.name}`, () => {
    assert.deepEqual(replay(f.bytes, [f.bytes.length]), {
      events: f.events,
      consumed: f.bytes.length,
    });
  });

  Deno.test(`WsFrameParser reads ${f.name} the same at every split point`, () => {
    const expected = { events: f.events, consumed: f.bytes.length };
    for (const { label, ends } of everySplit(f.bytes.length)) {
      assert.deepEqual(replay(f.bytes, ends), expected, label);
    }
  });
}

for (const f of INVALID_STREAMS) {
  Deno.test(`WsFrameParser fails ${f.name} with ${f.violation} (${f.code})`, () => {
    const { events } = replay(f.bytes, [f.bytes.length]);
    const last = events.at(-1);
    assert.deepEqual(events.slice(0, -1), f.before ?? []);
    assert.ok(last?.kind === "error", `no violation: ${JSON.stringify(last)}`);
    assert.equal(last.violation, f.violation);
    assert.equal(last.code, f.code);
    assert.equal(last.reason, WS_VIOLATIONS[f.violation].reason);
  });

  Deno.test(`WsFrameParser fails ${f.name} the same at every split point`, () => {
    const whole = replay(f.bytes, [f.bytes.length]).events;
    for (const { label, ends } of everySplit(f.bytes.length)) {
      assert.deepEqual(replay(f.bytes, ends).events, whole, label);
    }
  });
}

Deno.test("WsFrameParser accepts every close code a peer may send", () => {
  for (const code of VALID_CLOSE_CODES) {
    const bytes = frame(OP.close, closePayload(code, "r"));
    assert.deepEqual(replay(bytes, [bytes.length]).events, [{ kind: "close", code, reason: "r" }]);
  }
});

Deno.test("WsFrameParser answers every feed after a violation with the same violation", () => {
  const parser = new WsFrameParser({ maxMessageBytes: 10 });
  const bad = frame(3, "x");
  const first = parser.feed(bad, 0, bad.length);
  assert.equal(first.event?.kind, "error");
  const good = frame(OP.text, "ok");
  assert.deepEqual(parser.feed(good, 0, good.length), { consumed: 0, event: first.event });
  assert.equal(parser.done, true);
});

Deno.test("WsFrameParser stops at each event and leaves the rest for the next feed", () => {
  const bytes = concat(frame(OP.text, "a"), frame(OP.ping, "b"), frame(OP.binary, "c"));
  const parser = new WsFrameParser({ maxMessageBytes: 10 });
  const first = parser.feed(bytes, 0, bytes.length);
  assert.equal(first.consumed, 7);
  assert.deepEqual(first.event, { kind: "text", data: "a" });
  const second = parser.feed(bytes, 7, bytes.length);
  assert.equal(second.consumed, 7);
  assert.equal(second.event?.kind, "ping");
  assert.equal(parser.feed(bytes, 14, bytes.length).consumed, 7);
  assert.equal(parser.done, false);
});

Deno.test("WsFrameParser refuses a message too big from its header, before any payload", () => {
  const parser = new WsFrameParser({ maxMessageBytes: 100 });
  const header = frame(OP.binary, new Uint8Array(300)).subarray(0, 8); // 16-bit length, mask key
  const r = parser.feed(header, 0, header.length);
  assert.equal(r.event?.kind === "error" && r.event.code, 1009);
  assert.equal(r.consumed, 4, "refused at the length's last byte: the mask key was not awaited");
});

Deno.test("WsFrameParser takes a message at maxMessageBytes and refuses one byte more", () => {
  for (const limit of [0, 1, 125, 126, 65535, 65536]) {
    const at = frame(OP.binary, new Uint8Array(limit));
    assert.equal(replay(at, [at.length], { maxMessageBytes: limit }).events[0]?.kind, "binary");
    const over = frame(OP.binary, new Uint8Array(limit + 1));
    const event = replay(over, [over.length], { maxMessageBytes: limit }).events[0];
    assert.equal(event?.kind === "error" && event.violation, "message_too_big", `limit ${limit}`);
  }
});

Deno.test("WsFrameParser does not count control frames toward the message limit", () => {
  const bytes = concat(
    frame(OP.text, "abcd", { fin: false }),
    frame(OP.ping, "x".repeat(125)),
    frame(OP.cont, "ef"),
  );
  const { events } = replay(bytes, [bytes.length], { maxMessageBytes: 6 });
  assert.deepEqual(events.map((e) => e.kind), ["ping", "text"]);
});

Deno.test("WsFrameParser reads a 64-bit length (65536 bytes) whole and byte by byte", () => {
  const data = Uint8Array.from({ length: 65536 }, (_, i) => (i * 31) & 0xff);
  const bytes = frame(OP.binary, data);
  assert.equal(bytes[1], 0x80 | 127);
  const limits = { maxMessageBytes: 1 << 20 };
  for (const ends of [[bytes.length], byteByByte(bytes.length), [1, 5, 9, 14, 15, 4097]]) {
    if (ends.at(-1) !== bytes.length) ends.push(bytes.length);
    const { events } = replay(bytes, ends, limits);
    assert.equal(events.length, 1);
    assert.deepEqual(events[0], { kind: "binary", data });
  }
});

Deno.test("WsFrameParser hands over binary data the consumer owns, sized exactly", () => {
  const payloads = [new Uint8Array(0), new Uint8Array([1, 2, 3]), new Uint8Array(5000).fill(9)];
  for (const payload of payloads) {
    const bytes = concat(
      frame(OP.binary, payload.subarray(0, 1), { fin: false }),
      frame(OP.cont, payload.subarray(1)),
    );
    const event = replay(bytes, byteByByte(bytes.length), { maxMessageBytes: 10000 }).events[0];
    assert.ok(event?.kind === "binary");
    assert.equal(event.data.byteOffset, 0);
    assert.equal(event.data.buffer.byteLength, payload.length, "the ArrayBuffer is the message");
    assert.deepEqual(event.data, payload);
    bytes.fill(0);
    assert.deepEqual(event.data, payload, "no view into the input");
  }
});

Deno.test("WsFrameParser as a client reads unmasked server frames and refuses masked ones", () => {
  const bytes = concat(
    encodeFrame(OPCODE.text, new TextEncoder().encode("hi")),
    encodeFrame(OPCODE.close, new Uint8Array([0x03, 0xe8])),
  );
  assert.deepEqual(replay(bytes, [bytes.length], { maxMessageBytes: 10 }, "client").events, [
    { kind: "text", data: "hi" },
    { kind: "close", code: 1000, reason: "" },
  ]);
  const masked = frame(OP.text, "hi");
  const event = replay(masked, [masked.length], { maxMessageBytes: 10 }, "client").events[0];
  assert.equal(event?.kind === "error" && event.violation, "masked_frame");
});

Deno.test("WsFrameParser fails at the first bad byte of a long text, not at its end", () => {
  const payload = new Uint8Array(500).fill(0x61);
  payload[10] = 0xff;
  const bytes = frame(OP.text, payload);
  const parser = new WsFrameParser({ maxMessageBytes: 1000 });
  const r = parser.feed(bytes, 0, 20); // header (8) and 12 payload bytes
  assert.equal(r.event?.kind === "error" && r.event.violation, "invalid_utf8");
});
