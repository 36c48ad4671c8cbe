/**
 * The incremental WebSocket frame parser (RFC 6455 §5): bytes in, whole
 * messages, pings, pongs, a close, or a protocol violation out. Like the head
 * parser it resumes across feeds wherever TCP cut the bytes, reads each byte
 * once, and never throws on input: a violation is a value naming the close
 * code to send (ws_violations.ts).
 *
 * ```
 * frame = FIN RSV1-3 opcode(4) | MASK len7 | [len16 | len64] | [mask key(4)] | payload
 * ```
 *
 * Strict, as our HTTP parser: no extension is negotiated, so RSV bits are an
 * error; a client's frame must be masked (a server's must not); control frames
 * are whole and at most 125 bytes; lengths use their shortest form (§5.2: "the
 * minimal number of bytes MUST be used"); a message may not exceed
 * `maxMessageBytes` across its fragments, checked from each frame's header
 * before its payload is read; text is validated as UTF-8 as it arrives, so a
 * bad byte fails the connection at once, mid-fragment. Control frames may come
 * between the fragments of a message.
 *
 * @example
 * ```ts
 * import { WsFrameParser } from "./ws_frame_parser.ts";
 * import { encodeFrame, OPCODE } from "./ws_frame_writer.ts";
 * const parser = new WsFrameParser({ maxMessageBytes: 1024 });
 * const frame = encodeFrame(OPCODE.text, new TextEncoder().encode("hi"), true, new Uint8Array([1, 2, 3, 4]));
 * parser.feed(frame, 0, frame.length); // { consumed: 8, event: { kind: "text", data: "hi" } }
 * ```
 *
 * @module
 */

import { isSendableCloseCode } from "./ws_close_codes.ts";
import { MAX_CONTROL_PAYLOAD, OPCODE } from "./ws_frame_writer.ts";
import { UTF8_ACCEPT, UTF8_REJECT, utf8Step } from "./utf8.ts";
import { violation, type WsViolationEvent } from "./ws_violations.ts";
import { unmaskInto } from "./_ws_unmask.ts";

export type { WsViolationEvent } from "./ws_violations.ts";

/** What the parser bounds. */
export interface WsParserLimits {
  /** Most payload bytes of one message, all its fragments together; more is 1009. */
  readonly maxMessageBytes: number;
}

/** Which side's frames are parsed: a server reads masked client frames (§5.1). */
export type WsRole = "server" | "client";

/** One thing the parser found. */
export type WsEvent =
  | { readonly kind: "text"; readonly data: string }
  /** `data` is the consumer's own: its `buffer` holds exactly the message. */
  | { readonly kind: "binary"; readonly data: Uint8Array<ArrayBuffer> }
  | { readonly kind: "ping"; readonly data: Uint8Array }
  | { readonly kind: "pong"; readonly data: Uint8Array }
  /** `code` null when the close frame had no payload (reported as 1005). */
  | { readonly kind: "close"; readonly code: number | null; readonly reason: string }
  | WsViolationEvent;

/** What one feed did: bytes used, and the event it stopped at, if any. */
export interface WsFeed {
  /** Bytes used from `start`; after an event, the rest is still to be fed. */
  readonly consumed: number;
  /** The event at which the feed stopped, or null when it used every byte. */
  readonly event: WsEvent | null;
}

const enum State {
  Byte0,
  Byte1,
  Length,
  Mask,
  Payload,
  /** A close frame was read: the stream ends there (RFC 6455 §5.5.1). */
  Closed,
  /** A violation was found: the stream cannot be read further. */
  Failed,
}

const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const EMPTY: Uint8Array<ArrayBuffer> = new Uint8Array(0);

/**
 * Parses the frames of one connection's direction. Feed it every byte in
 * order; it stops at each event so the caller can act before reading on.
 */
export class WsFrameParser {
  readonly #max: number;
  readonly #masked: boolean;
  #state = State.Byte0;
  #failure: WsViolationEvent | null = null;
  // The current frame.
  #fin = false;
  #opcode = 0;
  #length = 0;
  /** The extended length's size in bytes (2 or 8), and how many are still to read. */
  #lengthForm = 0;
  #lengthBytes = 0;
  #remaining = 0;
  readonly #mask = new Uint8Array(4);
  #maskRead = 0;
  #phase = 0;
  // The control frame being read, whole (≤ 125 bytes).
  readonly #control = new Uint8Array(MAX_CONTROL_PAYLOAD);
  #controlLength = 0;
  // The data message being assembled: 0 when none, else its opcode.
  #message = 0;
  #buffer: Uint8Array<ArrayBuffer> = EMPTY;
  #size = 0;
  #utf8 = UTF8_ACCEPT;

  /** A parser for one direction: a server's reads masked client frames. */
  constructor(limits: WsParserLimits, role: WsRole = "server") {
    this.#max = limits.maxMessageBytes;
    this.#masked = role === "server";
  }

  /** Whether a close frame or a violation ended the stream. */
  get done(): boolean {
    return this.#state === State.Closed || this.#state === State.Failed;
  }

  /**
   * Reads `buf[start, end)` until an event or the end. After a close frame the
   * rest is consumed and ignored; after a violation every feed returns it again.
   */
  feed(buf: Uint8Array, start: number, end: number): WsFeed {
    if (this.#failure !== null) return { consumed: 0, event: this.#failure };
    if (this.#state === State.Closed) return { consumed: end - start, event: null };
    let i = start;
    while (i < end) {
      let event: WsEvent | null;
      if (this.#state === State.Payload) {
        const n = Math.min(this.#remaining, end - i);
        event = this.#payload(buf, i, n);
        i += n;
      } else {
        event = this.#headerByte(buf[i++]!);
      }
      if (event !== null) {
        if (event.kind === "error") {
          this.#state = State.Failed;
          this.#failure = event;
        }
        return { consumed: i - start, event };
      }
    }
    return { consumed: i - start, event: null };
  }

  #headerByte(b: number): WsEvent | null {
    switch (this.#state) {
      case State.Byte0:
        return this.#byte0(b);
      case State.Byte1:
        return this.#byte1(b);
      case State.Length:
        return this.#lengthByte(b);
      default: // State.Mask
        this.#mask[this.#maskRead++] = b;
        return this.#maskRead === 4 ? this.#payloadStart() : null;
    }
  }

  /** FIN, RSV1-3 and the opcode (§5.2). */
  #byte0(b: number): WsEvent | null {
    if ((b & 0x70) !== 0) return violation("reserved_bits");
    const opcode = b & 0x0f;
    const fin = (b & 0x80) !== 0;
    if (opcode >= 0x8) {
      if (opcode > OPCODE.pong) return violation("unknown_opcode");
      if (!fin) return violation("fragmented_control");
    } else if (opcode === OPCODE.continuation) {
      if (this.#message === 0) return violation("unexpected_continuation");
    } else if (opcode <= OPCODE.binary) {
      if (this.#message !== 0) return violation("expected_continuation");
    } else {
      return violation("unknown_opcode");
    }
    this.#fin = fin;
    this.#opcode = opcode;
    this.#state = State.Byte1;
    return null;
  }

  /** MASK and the 7-bit length. */
  #byte1(b: number): WsEvent | null {
    if (((b & 0x80) !== 0) !== this.#masked) {
      return violation(this.#masked ? "unmasked_frame" : "masked_frame");
    }
    const length = b & 0x7f;
    if (this.#opcode >= 0x8) {
      if (length > MAX_CONTROL_PAYLOAD) return violation("control_too_long");
      if (this.#opcode === OPCODE.close && length === 1) return violation("close_too_short");
    }
    this.#length = 0;
    if (length < 126) return this.#lengthKnown(length);
    this.#lengthBytes = this.#lengthForm = length === 126 ? 2 : 8;
    this.#state = State.Length;
    return null;
  }

  /** One byte of the 16- or 64-bit length, big-endian. */
  #lengthByte(b: number): WsEvent | null {
    // A 64-bit length's most significant bit must be 0 (§5.2).
    if (this.#lengthBytes === 8 && (b & 0x80) !== 0) {
      return violation("length_too_large");
    }
    // Past 2^53 the value is no longer exact, but it is far past any limit already.
    this.#length = this.#length * 256 + b;
    if (--this.#lengthBytes > 0) return null;
    // The shortest form is mandatory: 126-65535 in 16 bits, more in 64 (§5.2).
    if (this.#length < (this.#lengthForm === 2 ? 126 : 0x1_0000)) {
      return violation("non_minimal_length");
    }
    return this.#lengthKnown(this.#length);
  }

  #lengthKnown(length: number): WsEvent | null {
    if (this.#opcode < 0x8 && this.#size + length > this.#max) return violation("message_too_big");
    this.#length = length;
    if (!this.#masked) return this.#payloadStart();
    this.#maskRead = 0;
    this.#state = State.Mask;
    return null;
  }

  #payloadStart(): WsEvent | null {
    this.#remaining = this.#length;
    this.#phase = 0;
    this.#controlLength = 0;
    if (this.#opcode !== OPCODE.continuation && this.#opcode < 0x8) {
      this.#message = this.#opcode;
      this.#size = 0;
      this.#utf8 = UTF8_ACCEPT;
    }
    this.#state = State.Payload;
    return this.#length === 0 ? this.#frameEnd() : null;
  }

  /** `n` payload bytes of the current frame, at `buf[i]`. */
  #payload(buf: Uint8Array, i: number, n: number): WsEvent | null {
    const mask = this.#masked;
    if (this.#opcode >= 0x8) {
      this.#copy(buf, i, this.#control, this.#controlLength, n, mask);
      this.#controlLength += n;
    } else {
      const at = this.#size;
      this.#reserve(at + n);
      this.#copy(buf, i, this.#buffer, at, n, mask);
      this.#size = at + n;
      if (this.#message === OPCODE.text) {
        this.#utf8 = utf8Step(this.#utf8, this.#buffer, at, at + n);
        if (this.#utf8 === UTF8_REJECT) return violation("invalid_utf8");
      }
    }
    this.#phase = (this.#phase + n) & 3;
    this.#remaining -= n;
    return this.#remaining === 0 ? this.#frameEnd() : null;
  }

  #copy(src: Uint8Array, s: number, dst: Uint8Array, d: number, n: number, mask: boolean): void {
    if (mask) unmaskInto(src, s, dst, d, n, this.#mask, this.#phase);
    else dst.set(src.subarray(s, s + n), d);
  }

  /**
   * Room for `needed` bytes of the message: the buffer doubles as bytes arrive
   * (never sized from a header alone, so a header claiming 64 MiB costs nothing
   * until the bytes come), and grows to exactly the end of a final frame.
   */
  #reserve(needed: number): void {
    const capacity = this.#buffer.length;
    if (needed <= capacity) return;
    const ceiling = this.#fin ? this.#size + this.#remaining : this.#max;
    const next = new Uint8Array(Math.min(Math.max(needed, capacity * 2), ceiling));
    next.set(this.#buffer.subarray(0, this.#size));
    this.#buffer = next;
  }

  #frameEnd(): WsEvent | null {
    this.#state = State.Byte0;
    const opcode = this.#opcode;
    if (opcode >= 0x8) {
      const payload = this.#control.slice(0, this.#controlLength);
      if (opcode === OPCODE.ping) return { kind: "ping", data: payload };
      if (opcode === OPCODE.pong) return { kind: "pong", data: payload };
      return this.#close(payload);
    }
    if (!this.#fin) return null;
    const kind = this.#message === OPCODE.text ? "text" : "binary";
    const size = this.#size;
    const bytes = this.#buffer.length === size ? this.#buffer : this.#buffer.slice(0, size);
    this.#message = 0;
    this.#buffer = EMPTY;
    this.#size = 0;
    if (kind === "binary") return { kind, data: bytes };
    // A text must end on a whole character: a sequence cut by the final frame is invalid.
    if (this.#utf8 !== UTF8_ACCEPT) return violation("invalid_utf8");
    return { kind, data: decoder.decode(bytes) };
  }

  /** A close frame's payload: none, or a code and a UTF-8 reason (§5.5.1, §7.4). */
  #close(payload: Uint8Array): WsEvent {
    this.#state = State.Closed;
    if (payload.length === 0) return { kind: "close", code: null, reason: "" };
    const code = (payload[0]! << 8) | payload[1]!;
    if (!isSendableCloseCode(code)) return violation("invalid_close_code");
    if (utf8Step(UTF8_ACCEPT, payload, 2, payload.length) !== UTF8_ACCEPT) {
      return violation("invalid_close_reason");
    }
    return { kind: "close", code, reason: decoder.decode(payload.subarray(2)) };
  }
}
