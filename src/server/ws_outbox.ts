/**
 * A WebSocket's write side: frames queued in the order they were sent and
 * written one write at a time, with `bufferedAmount` counted as the standard
 * asks (application bytes sent but not yet handed to the socket).
 *
 * A `Blob` is read only when its turn comes, so everything sent after it waits
 * behind it and messages keep their order. Frames that are ready are
 * gathered into one write up to {@link BATCH_BYTES}, as the connection batches
 * pipelined responses. The cap on queued bytes is the socket's to enforce
 * (server_websocket.ts): the outbox only counts.
 *
 * @module
 */

import { binaryFrame } from "../protocol/ws_frame_writer.ts";

/** The side of a socket the outbox writes to; `Deno.Conn` has it. */
export interface WsWritable {
  write(p: Uint8Array): Promise<number>;
}

/** Ready frames are joined into one write up to this many bytes. */
export const BATCH_BYTES = 64 * 1024;

/** One queued frame, or a Blob to frame when its turn comes. */
interface Item {
  frame: Uint8Array | null;
  readonly blob: Blob | null;
  /** The application bytes it carries, as counted in `bufferedAmount`. */
  readonly data: number;
}

/** The ordered write queue of one WebSocket. */
export class WsOutbox {
  readonly #out: WsWritable;
  readonly #onError: (error: unknown) => void;
  #queue: Item[] = [];
  #head = 0;
  #buffered = 0;
  /** Every queued byte, control frames included (a flood of pongs must count too). */
  #queuedBytes = 0;
  #pumping = false;
  #stopped = false;
  #waiters: Array<() => void> = [];

  /** `onError` is called once if a write fails (the peer is gone); the outbox stops then. */
  constructor(out: WsWritable, onError: (error: unknown) => void) {
    this.#out = out;
    this.#onError = onError;
  }

  /** Application bytes queued and not yet written (control frames count nothing). */
  get bufferedAmount(): number {
    return this.#buffered;
  }

  /** Bytes queued and not yet written, control frames included (Blobs by their size). */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Whether nothing is queued or being written. */
  get idle(): boolean {
    return !this.#pumping && this.#head === this.#queue.length;
  }

  /** Queues a frame that carries `data` application bytes. */
  push(frame: Uint8Array, data = 0): void {
    this.#enqueue({ frame, blob: null, data });
  }

  /** Queues a Blob as one binary message, read when everything before it is written. */
  pushBlob(blob: Blob): void {
    this.#enqueue({ frame: null, blob, data: blob.size });
  }

  /** Resolves once everything queued is written, or the outbox stopped. */
  drained(): Promise<void> {
    if (this.idle || this.#stopped) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Drops what is queued and writes nothing more (the socket is closing); `drained()` resolves. */
  stop(): void {
    this.#stopped = true;
    this.#queue = [];
    this.#head = 0;
    this.#queuedBytes = 0;
    this.#wake();
  }

  #enqueue(item: Item): void {
    if (this.#stopped) return;
    this.#queue.push(item);
    this.#buffered += item.data;
    this.#queuedBytes += item.frame?.length ?? item.data;
    if (!this.#pumping) void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (!this.#stopped && this.#head < this.#queue.length) {
        const first = this.#queue[this.#head]!;
        if (first.frame === null) {
          first.frame = binaryFrame(new Uint8Array(await first.blob!.arrayBuffer()));
          if (this.#stopped) break;
          this.#queuedBytes += first.frame.length - first.data; // counted by its size so far
        }
        const [bytes, count, data] = this.#batch();
        await this.#writeAll(bytes);
        if (this.#stopped) break;
        this.#buffered -= data;
        this.#queuedBytes -= bytes.length;
        this.#head += count;
        if (this.#head === this.#queue.length) {
          this.#queue = [];
          this.#head = 0;
        } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
          // A queue that never empties drops what it wrote now and then, not never.
          this.#queue = this.#queue.slice(this.#head);
          this.#head = 0;
        }
      }
    } catch (error) {
      if (!this.#stopped) {
        this.stop();
        this.#onError(error);
      }
    } finally {
      this.#pumping = false;
      if (this.#head === this.#queue.length) this.#wake();
    }
  }

  /** The ready frames at the head, joined up to BATCH_BYTES: bytes, frames taken, data bytes. */
  #batch(): [Uint8Array, number, number] {
    const q = this.#queue;
    const first = q[this.#head]!;
    let size = first.frame!.length;
    let data = first.data;
    let end = this.#head + 1;
    for (; end < q.length; end++) {
      const frame = q[end]!.frame;
      if (frame === null || size + frame.length > BATCH_BYTES) break;
      size += frame.length;
      data += q[end]!.data;
    }
    if (end === this.#head + 1) return [first.frame!, 1, data];
    const bytes = new Uint8Array(size);
    let at = 0;
    for (let i = this.#head; i < end; i++) {
      bytes.set(q[i]!.frame!, at);
      at += q[i]!.frame!.length;
    }
    return [bytes, end - this.#head, data];
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.length) at += await this.#out.write(bytes.subarray(at));
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}
