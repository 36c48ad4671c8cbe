/**
 * Property tests for the WebSocket frame parser: random and mutated bytes
 * never make it throw and always give well-formed events; messages written
 * with the writer (random Unicode text, binary, fragmented at random, pings
 * between fragments, random mask keys) read back exactly wherever the input
 * is cut.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { type WsEvent, WsFrameParser } from "../../src/protocol/ws_frame_parser.ts";
import { encodeFrame, OPCODE } from "../../src/protocol/ws_frame_writer.ts";
import { WS_VIOLATIONS } from "../../src/protocol/ws_violations.ts";
import { byteByByte } from "../fixtures/split.ts";
import { concat, INVALID_STREAMS, replay, VALID_STREAMS } from "../fixtures/ws_frames.ts";

const LIMITS = { maxMessageBytes: 4096 };

/** Asserts every event is well-formed and only the last may be a violation. */
function checkEvents(events: readonly WsEvent[]): void {
  events.forEach((e, i) => {
    switch (e.kind) {
      case "text":
        assert.equal(typeof e.data, "string");
        break;
      case "binary":
      case "ping":
      case "pong":
        assert.ok(e.data instanceof Uint8Array);
        if (e.kind !== "binary") assert.ok(e.data.length <= 125);
        break;
      case "close":
        assert.ok(e.code === null || (e.code >= 1000 && e.code <= 4999));
        break;
      case "error":
        assert.equal(i, events.length - 1, "nothing after a violation");
        assert.deepEqual({ code: e.code, reason: e.reason }, WS_VIOLATIONS[e.violation]);
        break;
      default:
        assert.fail(`unknown event ${JSON.stringify(e)}`);
    }
  });
}

Deno.test("WsFrameParser never throws on random bytes, whole or byte by byte", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, server) => {
      const role = server ? "server" : "client";
      const whole = replay(bytes, [bytes.length], LIMITS, role);
      checkEvents(whole.events);
      assert.ok(whole.consumed <= bytes.length);
      assert.deepEqual(replay(bytes, byteByByte(bytes.length), LIMITS, role).events, whole.events);
    }),
    { numRuns: 2000 },
  );
});

Deno.test("WsFrameParser never throws on mutated fixtures, and is split-invariant on them", () => {
  const seeds = [...VALID_STREAMS, ...INVALID_STREAMS].map((f) => f.bytes);
  fc.assert(
    fc.property(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      fc.nat(),
      (seed, edits, cut) => {
        const bytes = seed.slice();
        for (const [at, value] of edits) if (bytes.length > 0) bytes[at % bytes.length] = value;
        const whole = replay(bytes, [bytes.length], LIMITS);
        checkEvents(whole.events);
        const k = bytes.length === 0 ? 0 : cut % bytes.length;
        assert.deepEqual(replay(bytes, [k, bytes.length], LIMITS).events, whole.events);
      },
    ),
    { numRuns: 2000 },
  );
});

/** A message as written: its kind, its payload, and how it is cut into fragments. */
type Message =
  | { kind: "text"; data: string; cuts: number[]; pings: boolean[] }
  | { kind: "binary"; data: Uint8Array; cuts: number[]; pings: boolean[] };

const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({
    kind: fc.constant("text" as const),
    data: fc.string({ unit: "grapheme", maxLength: 300 }),
    cuts: fc.array(fc.nat(), { maxLength: 4 }),
    pings: fc.array(fc.boolean(), { maxLength: 4 }),
  }),
  fc.record({
    kind: fc.constant("binary" as const),
    data: fc.uint8Array({ maxLength: 700 }),
    cuts: fc.array(fc.nat(), { maxLength: 4 }),
    pings: fc.array(fc.boolean(), { maxLength: 4 }),
  }),
);

const encoder = new TextEncoder();

/**
 * The frames of `m`: its payload cut at `cuts` (anywhere, even inside a
 * character), a ping after a fragment where `pings` says so.
 */
function framesOf(m: Message, mask: Uint8Array): { bytes: Uint8Array; events: WsEvent[] } {
  const payload = m.kind === "text" ? encoder.encode(m.data) : m.data;
  const points = [...new Set(m.cuts.map((c) => c % (payload.length + 1)))].sort((a, b) => a - b);
  const bounds = [0, ...points.filter((p) => p > 0), payload.length];
  const frames: Uint8Array[] = [];
  const events: WsEvent[] = [];
  for (let i = 0; i + 1 < bounds.length || i === 0; i++) {
    const piece = payload.subarray(bounds[i], bounds[i + 1] ?? payload.length);
    const last = i + 2 >= bounds.length;
    const opcode = i === 0
      ? (m.kind === "text" ? OPCODE.text : OPCODE.binary)
      : OPCODE.continuation;
    frames.push(encodeFrame(opcode, piece, last, mask));
    if (last) break;
    if (m.pings[i]) {
      const data = Uint8Array.of(i);
      frames.push(encodeFrame(OPCODE.ping, data, true, mask));
      events.push({ kind: "ping", data });
    }
  }
  events.push(
    m.kind === "text" ? { kind: "text", data: m.data } : { kind: "binary", data: m.data.slice() },
  );
  return { bytes: concat(...frames), events };
}

Deno.test("messages written and fragmented at random read back exactly, wherever TCP cuts", () => {
  fc.assert(
    fc.property(
      fc.array(message, { minLength: 1, maxLength: 5 }),
      fc.uint8Array({ minLength: 4, maxLength: 4 }),
      fc.array(fc.nat(), { maxLength: 6 }),
      (messages, mask, reads) => {
        const parts = messages.map((m) => framesOf(m, mask));
        const bytes = concat(...parts.map((p) => p.bytes));
        const expected = parts.flatMap((p) => p.events);
        const ends = [...new Set(reads.map((r) => r % (bytes.length + 1)))].sort((a, b) => a - b);
        ends.push(bytes.length);
        const limits = { maxMessageBytes: 1 << 20 };
        assert.deepEqual(replay(bytes, ends, limits), { events: expected, consumed: bytes.length });
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("a message fed byte by byte reads back as when fed whole", () => {
  fc.assert(
    fc.property(message, (m) => {
      const { bytes, events } = framesOf(m, Uint8Array.of(9, 8, 7, 6));
      const parser = new WsFrameParser({ maxMessageBytes: 1 << 20 });
      const got: WsEvent[] = [];
      for (let i = 0; i < bytes.length; i++) {
        const r = parser.feed(bytes, i, i + 1);
        assert.equal(r.consumed, 1);
        if (r.event !== null) got.push(r.event);
      }
      assert.deepEqual(got, events);
    }),
    { numRuns: 300 },
  );
});
