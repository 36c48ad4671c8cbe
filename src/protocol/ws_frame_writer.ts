/**
 * WebSocket frames as bytes (RFC 6455 §5.2): a header with FIN, opcode and the
 * shortest length form (7, 16 or 64 bits), then the payload, in one array.
 *
 * A server's frames are unmasked (§5.1); a mask key may be given to build a
 * client's frame, which the tests use to speak to the parser.
 *
 * @example
 * ```ts
 * import { closeFrame, textFrame } from "./ws_frame_writer.ts";
 * textFrame("hi"); // Uint8Array [0x81, 0x02, 0x68, 0x69]
 * closeFrame(1000); // Uint8Array [0x88, 0x02, 0x03, 0xe8]
 * ```
 *
 * @module
 */

import { utf8Prefix } from "./utf8.ts";

/** Frame opcodes (RFC 6455 §5.2, §11.8). */
export const OPCODE = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

/** One of the frame opcodes. */
export type Opcode = typeof OPCODE[keyof typeof OPCODE];

/** The largest payload of a control frame (ping, pong, close), RFC 6455 §5.5. */
export const MAX_CONTROL_PAYLOAD = 125;
/** The longest close reason: a control payload less its 2-byte code. */
export const MAX_CLOSE_REASON_BYTES = MAX_CONTROL_PAYLOAD - 2;

const encoder = new TextEncoder();

/** How many header bytes a frame of `length` payload bytes takes, without a mask key. */
export function headerLength(length: number): number {
  return length < 126 ? 2 : length < 0x1_0000 ? 4 : 10;
}

/**
 * One frame: header and `payload` copied into a new array. `fin` false marks
 * a fragment that more frames continue; `maskKey` (4 bytes) masks the payload,
 * as a client must.
 */
export function encodeFrame(
  opcode: Opcode,
  payload: Uint8Array,
  fin = true,
  maskKey?: Uint8Array,
): Uint8Array {
  const length = payload.length;
  const head = headerLength(length);
  const start = head + (maskKey === undefined ? 0 : 4);
  const out = new Uint8Array(start + length);
  out[0] = (fin ? 0x80 : 0) | opcode;
  const maskBit = maskKey === undefined ? 0 : 0x80;
  if (length < 126) {
    out[1] = maskBit | length;
  } else if (length < 0x1_0000) {
    out[1] = maskBit | 126;
    out[2] = length >>> 8;
    out[3] = length & 0xff;
  } else {
    out[1] = maskBit | 127;
    const view = new DataView(out.buffer);
    view.setUint32(2, Math.floor(length / 0x1_0000_0000));
    view.setUint32(6, length >>> 0);
  }
  out.set(payload, start);
  if (maskKey !== undefined) {
    out.set(maskKey.subarray(0, 4), head);
    for (let i = 0; i < length; i++) out[start + i]! ^= maskKey[i & 3]!;
  }
  return out;
}

/** A whole text message in one frame, the string encoded as UTF-8 (lone surrogates become U+FFFD). */
export function textFrame(text: string): Uint8Array {
  return encodeFrame(OPCODE.text, encoder.encode(text));
}

/** A whole binary message in one frame. */
export function binaryFrame(data: Uint8Array): Uint8Array {
  return encodeFrame(OPCODE.binary, data);
}

/** A ping; its payload is cut to the 125 bytes a control frame may carry. */
export function pingFrame(payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  return encodeFrame(OPCODE.ping, payload.subarray(0, MAX_CONTROL_PAYLOAD));
}

/** A pong, answering a ping with its payload (RFC 6455 §5.5.3). */
export function pongFrame(payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  return encodeFrame(OPCODE.pong, payload.subarray(0, MAX_CONTROL_PAYLOAD));
}

/**
 * A close frame: empty without a code, else the code (big-endian) and the
 * reason as UTF-8, cut at a character boundary to fit 123 bytes. The caller
 * checks that the code may be sent (ws_close_codes.ts).
 */
export function closeFrame(code?: number, reason = ""): Uint8Array {
  if (code === undefined) return encodeFrame(OPCODE.close, new Uint8Array(0));
  const text = utf8Prefix(encoder.encode(reason), MAX_CLOSE_REASON_BYTES);
  const payload = new Uint8Array(2 + text.length);
  payload[0] = code >>> 8;
  payload[1] = code & 0xff;
  payload.set(text, 2);
  return encodeFrame(OPCODE.close, payload);
}
