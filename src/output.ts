/**
 * A socket's write side: responses queue up and go out together, each write
 * within WRITE_TIMEOUT.
 *
 * Queuing is what batches pipelined responses into one write: the connection
 * queues each response and flushes just before it waits for the client.
 *
 * @module
 */

import { beforeDeadline } from "./reader.ts";

/** What the output writes to: a `Deno.Conn`, or a fake in tests. */
export interface ByteSink {
  write(p: Uint8Array): Promise<number>;
}

/** Thrown by {@link Output.flush} when a write takes longer than WRITE_TIMEOUT. */
export class WriteTimeout extends Error {
  constructor() {
    super("write timeout");
    this.name = "WriteTimeout";
  }
}

/** Queued writes to one socket. */
export class Output {
  readonly #sink: ByteSink;
  readonly #writeTimeoutMs: number;
  #queued: Uint8Array[] = [];
  #queuedBytes = 0;

  constructor(sink: ByteSink, writeTimeoutMs: number) {
    this.#sink = sink;
    this.#writeTimeoutMs = writeTimeoutMs;
  }

  /** Bytes queued and not yet written. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Adds bytes to the next write. */
  queue(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#queued.push(bytes);
    this.#queuedBytes += bytes.length;
  }

  /**
   * Writes everything queued, as one buffer. Throws if the peer is gone or a
   * write does not finish within WRITE_TIMEOUT.
   */
  async flush(): Promise<void> {
    if (this.#queuedBytes === 0) return;
    const queued = this.#queued;
    let out = queued[0]!;
    if (queued.length > 1) {
      out = new Uint8Array(this.#queuedBytes);
      let offset = 0;
      for (const part of queued) {
        out.set(part, offset);
        offset += part.length;
      }
    }
    this.#queued = [];
    this.#queuedBytes = 0;
    const deadline = performance.now() + this.#writeTimeoutMs;
    for (let written = 0; written < out.length;) {
      const n = await beforeDeadline(this.#sink.write(out.subarray(written)), deadline);
      if (n === "timeout") throw new WriteTimeout();
      written += n;
    }
  }
}
