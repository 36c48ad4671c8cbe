/**
 * Tests for the frame writer (src/protocol/ws_frame_writer.ts): exact bytes for
 * each length form, close frames with codes and reasons cut at a character,
 * and frames the parser (client role) reads back.
 */

import assert from "node:assert/strict";
import {
  binaryFrame,
  closeFrame,
  encodeFrame,
  headerLength,
  MAX_CLOSE_REASON_BYTES,
  OPCODE,
  pingFrame,
  pongFrame,
  textFrame,
} from "../../src/protocol/ws_frame_writer.ts";
import { isUtf8 } from "../../src/protocol/utf8.ts";
import { frame, MASK, replay } from "../fixtures/ws_frames.ts";

const CLIENT = { maxMessageBytes: 1 << 20 };

/** What a client reads from `bytes`. */
const read = (bytes: Uint8Array) => replay(bytes, [bytes.length], CLIENT, "client").events;

Deno.test("textFrame() writes FIN, opcode 1, the length and the UTF-8 payload, unmasked", () => {
  assert.deepEqual(textFrame("hi"), Uint8Array.from([0x81, 0x02, 0x68, 0x69]));
  assert.deepEqual(textFrame(""), Uint8Array.from([0x81, 0x00]));
  assert.deepEqual(read(textFrame("héllo €")), [{ kind: "text", data: "héllo €" }]);
});

Deno.test("encodeFrame() uses the shortest length form: 7 bits to 125, 16 to 65535, then 64", () => {
  for (
    const [n, head, second] of [[125, 2, 125], [126, 4, 126], [65535, 4, 126], [65536, 10, 127]]
  ) {
    const bytes = binaryFrame(new Uint8Array(n!));
    assert.equal(headerLength(n!), head, `${n}`);
    assert.equal(bytes.length, head! + n!);
    assert.equal(bytes[1], second);
  }
  const big = binaryFrame(new Uint8Array(65536));
  assert.deepEqual(big.subarray(0, 10), Uint8Array.from([0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]));
  assert.deepEqual(
    binaryFrame(new Uint8Array(300)).subarray(0, 4),
    Uint8Array.from([0x82, 126, 1, 44]),
  );
});

Deno.test("encodeFrame() with a mask key builds the client frame the fixtures build", () => {
  for (const n of [0, 5, 200, 70000]) {
    const payload = Uint8Array.from({ length: n }, (_, i) => i & 0xff);
    assert.deepEqual(encodeFrame(OPCODE.binary, payload, true, MASK), frame(2, payload));
    assert.deepEqual(
      encodeFrame(OPCODE.text, payload, false, MASK),
      frame(1, payload, { fin: false }),
    );
  }
});

Deno.test("closeFrame() writes nothing without a code, else the code and the reason", () => {
  assert.deepEqual(closeFrame(), Uint8Array.from([0x88, 0x00]));
  assert.deepEqual(closeFrame(1000), Uint8Array.from([0x88, 0x02, 0x03, 0xe8]));
  assert.deepEqual(read(closeFrame(4000, "bye")), [{ kind: "close", code: 4000, reason: "bye" }]);
});

Deno.test("closeFrame() cuts a long reason to 123 bytes at a character boundary", () => {
  for (const reason of ["x".repeat(200), "€".repeat(50), "a" + "😀".repeat(40)]) {
    const bytes = closeFrame(1001, reason);
    const payload = bytes.subarray(2);
    assert.ok(payload.length - 2 <= MAX_CLOSE_REASON_BYTES);
    assert.ok(payload.length - 2 > MAX_CLOSE_REASON_BYTES - 4);
    assert.ok(isUtf8(payload.subarray(2)));
    const [event] = read(bytes);
    assert.ok(event?.kind === "close" && reason.startsWith(event.reason));
  }
});

Deno.test("pingFrame() and pongFrame() carry their payload, cut to 125 bytes", () => {
  assert.deepEqual(pingFrame(), Uint8Array.from([0x89, 0x00]));
  assert.deepEqual(pongFrame(Uint8Array.from([7])), Uint8Array.from([0x8a, 0x01, 0x07]));
  assert.equal(pingFrame(new Uint8Array(200)).length, 2 + 125);
  assert.deepEqual(read(pongFrame(new Uint8Array(125).fill(1))), [
    { kind: "pong", data: new Uint8Array(125).fill(1) },
  ]);
});

Deno.test("a fragmented message written frame by frame reads back whole", () => {
  const enc = new TextEncoder();
  const bytes = [
    encodeFrame(OPCODE.text, enc.encode("frag"), false),
    pingFrame(enc.encode("p")),
    encodeFrame(OPCODE.continuation, enc.encode("mented"), true),
  ];
  const all = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bytes) {
    all.set(b, at);
    at += b.length;
  }
  assert.deepEqual(read(all), [
    { kind: "ping", data: enc.encode("p") },
    { kind: "text", data: "fragmented" },
  ]);
});
