/**
 * A WebSocket's read side: reads the transport into a buffer that grows for
 * large messages and shrinks back, feeds the frame parser, and hands each
 * event to the socket, until told to stop or the transport ends.
 *
 * The parser copies what it keeps, so the buffer is reused whole for every
 * read, and nothing past one read is buffered here: a message is held only by
 * the parser, within its limit.
 *
 * @module
 */

import type { WsEvent, WsFrameParser } from "../protocol/ws_frame_parser.ts";

/** The side of a socket the reader reads; `Deno.Conn` has it. */
export interface WsReadable {
  read(p: Uint8Array): Promise<number | null>;
}

/** What the reader tells its socket. */
export interface WsReadSink {
  /** Bytes arrived (the peer is alive). */
  input(): void;
  /** One event from the parser. */
  event(event: WsEvent): void;
  /** The transport ended or failed (never called after {@link WsReader.stop}). */
  lost(): void;
}

/** The read buffer starts here and doubles on full reads, up to {@link READ_MAX}. */
export const READ_START = 4096;
/** The largest read buffer. */
export const READ_MAX = 64 * 1024;

/** Reads frames until stopped. */
export class WsReader {
  readonly #from: WsReadable;
  readonly #parser: WsFrameParser;
  #reading = false;

  constructor(from: WsReadable, parser: WsFrameParser) {
    this.#from = from;
    this.#parser = parser;
  }

  /** Whether it is reading. */
  get reading(): boolean {
    return this.#reading;
  }

  /** Stops: no event after this one, and the read in flight is ignored. */
  stop(): void {
    this.#reading = false;
  }

  /** Reads `leftover` (bytes read before), then the transport, until stopped or lost; from the next microtask on. */
  async run(leftover: Uint8Array, sink: WsReadSink): Promise<void> {
    this.#reading = true;
    // Not within the caller's turn: code right after start() still sets its handlers in time.
    await Promise.resolve();
    if (!this.#consume(leftover, leftover.length, sink)) return;
    let buf = new Uint8Array(READ_START);
    while (this.#reading) {
      let n: number | null;
      try {
        n = await this.#from.read(buf);
      } catch {
        n = null; // a reset, or the transport closed under us
      }
      if (!this.#reading) return;
      if (n === null) {
        this.#reading = false;
        return sink.lost();
      }
      sink.input();
      if (!this.#consume(buf, n, sink)) return;
      if (n === buf.length && buf.length < READ_MAX) buf = new Uint8Array(buf.length * 2);
      else if (n < buf.length / 8 && buf.length > READ_START) buf = new Uint8Array(READ_START);
    }
  }

  /** Feeds `buf[0, end)` to the parser, each event to the sink; false once stopped. */
  #consume(buf: Uint8Array, end: number, sink: WsReadSink): boolean {
    let pos = 0;
    while (pos < end && this.#reading) {
      const { consumed, event } = this.#parser.feed(buf, pos, end);
      pos += consumed;
      if (event === null) break;
      sink.event(event);
    }
    return this.#reading;
  }
}
