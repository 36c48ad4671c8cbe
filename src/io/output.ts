/**
 * A socket's write side: responses queue up and go out together, each write
 * within WRITE_TIMEOUT.
 *
 * Queuing is what batches pipelined responses into one write: the connection
 * queues each response and flushes just before it waits for the client.
 *
 * @module
 */

import { Watchdog } from "./deadlines.ts";
import { SEPARATE_BODY_BYTES } from "../protocol/serializer.ts";

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

const NO_BYTES = new Uint8Array(0);

/** Queued writes to one socket. */
export class Output {
  readonly #sink: ByteSink;
  readonly #writeTimeoutMs: number;
  /**
   * Queued parts in `[0, #count)`; the array keeps its length between
   * responses (a fresh array per response, and its growth, cost an
   * allocation each) and its used slots are cleared when taken.
   */
  readonly #queued: Uint8Array[] = [];
  #count = 0;
  #queuedBytes = 0;
  /** The last write started or chained (it settles after all before it), or null. */
  #writing: Promise<void> | null = null;
  /** Writes started or chained and not yet finished. */
  #outstanding = 0;
  /** The first write failure, thrown by the next flush(). */
  #failure: unknown = null;

  readonly #watchdog: Watchdog;
  #timedOut = false;

  /**
   * `onTimeout` runs when a write has not finished within `writeTimeoutMs`;
   * it must close the socket, which fails the write (reported as WriteTimeout).
   */
  constructor(sink: ByteSink, writeTimeoutMs: number, onTimeout: () => void = () => {}) {
    this.#sink = sink;
    this.#writeTimeoutMs = writeTimeoutMs;
    this.#watchdog = new Watchdog(() => {
      this.#timedOut = true;
      onTimeout();
    });
  }

  /**
   * Stops the write deadline for good (the socket is closing). Owned parts
   * queued and never written are freed now; those of a write still in flight
   * once it fails (closing the socket fails it).
   */
  dispose(): void {
    this.#watchdog.dispose();
    this.#disposed = true;
    for (let i = 0; i < this.#count; i++) this.#queued[i] = NO_BYTES;
    this.#count = 0;
    this.#queuedBytes = 0;
    if (this.#outstanding === 0) this.#freeOwned();
  }

  #disposed = false;

  /**
   * Large parts the server made for this socket alone (a collected stream
   * body, a chunk frame), queued or in flight: freed once every write has
   * settled, written or failed, without waiting for a garbage collection.
   */
  #owned: Uint8Array[] = [];

  /** Whether a write is still in flight. */
  get busy(): boolean {
    return this.#outstanding > 0;
  }

  /** Bytes queued and not yet written. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /**
   * Adds bytes to the next write. `owned`: the server made them for this
   * write alone and nothing else reads them, so their memory is given back
   * as soon as the write settles (see {@link freeBytes}).
   */
  queue(bytes: Uint8Array, owned = false): void {
    if (bytes.length === 0) return;
    if (this.#disposed) {
      if (owned) freeBytes(bytes);
      return;
    }
    this.#queued[this.#count++] = bytes;
    this.#queuedBytes += bytes.length;
    if (owned && bytes.length >= SEPARATE_BODY_BYTES) this.#owned.push(bytes);
  }

  /**
   * Starts writing everything queued, as one buffer, without waiting for the
   * write to finish: the connection goes back to reading at once, so the
   * write's completion overlaps the wait for the next request. Writes stay in
   * order (a write starts only after the one before it), and a failure is
   * kept and thrown by the next {@link flush}.
   */
  send(): void {
    if (this.#queuedBytes === 0) return;
    const out = this.#take();
    // The usual case, no write in flight, starts at once; only a write
    // queued behind another pays for chaining.
    this.#writing = this.#outstanding++ === 0 || this.#writing === null
      ? this.#write(out)
      : this.#writing.then(() => this.#write(out));
  }

  /**
   * Writes everything queued and waits until every write has finished. Throws
   * if the peer is gone or a write does not finish within WRITE_TIMEOUT.
   */
  async flush(): Promise<void> {
    this.send();
    if (this.#outstanding > 0) await this.#writing;
    if (this.#failure !== null) throw this.#failure;
  }

  /**
   * The queued parts as what to write: one part as it is; runs of small parts
   * joined into one (pipelined responses: one write); large parts as they are
   * (no copy).
   */
  #take(): Uint8Array | Uint8Array[] {
    const queued = this.#queued;
    const count = this.#count;
    this.#count = 0;
    this.#queuedBytes = 0;
    if (count === 1) {
      const only = queued[0]!;
      queued[0] = NO_BYTES; // a written response must not stay reachable from here
      return only;
    }
    const out: Uint8Array[] = [];
    let run: Uint8Array[] = [];
    let runBytes = 0;
    const endRun = () => {
      if (run.length === 1) out.push(run[0]!);
      else if (run.length > 1) out.push(joinBytes(run, runBytes));
      run = [];
      runBytes = 0;
    };
    for (let i = 0; i < count; i++) {
      const part = queued[i]!;
      queued[i] = NO_BYTES;
      if (part.length >= SEPARATE_BODY_BYTES) {
        endRun();
        out.push(part);
      } else {
        run.push(part);
        runBytes += part.length;
      }
    }
    endRun();
    return out.length === 1 ? out[0]! : out;
  }

  /** Writes the buffer or buffers whole, in order, within WRITE_TIMEOUT. Never rejects: a failure is kept. */
  #write(out: Uint8Array | Uint8Array[]): Promise<void> {
    if (this.#failure !== null) { // the socket is done for: write nothing more
      if (--this.#outstanding === 0 && this.#count === 0) this.#freeOwned();
      return SETTLED;
    }
    this.#watchdog.setAfter(this.#writeTimeoutMs);
    if (!(out instanceof Uint8Array)) return this.#writeAll(out);
    // The usual write, one buffer that one socket write takes whole, runs
    // without an async function (its frame was ~470 B per response) and
    // with callbacks made once: at most one write is in flight.
    this.#current = out;
    try {
      return this.#sink.write(out).then(this.#wrote, this.#failed);
    } catch (error) { // a sink that throws instead of rejecting
      this.#failed(error);
      return SETTLED;
    }
  }

  /** The buffer of the write in flight, for {@link #wrote}. */
  #current: Uint8Array | null = null;

  readonly #wrote = (n: number): Promise<void> | void => {
    const out = this.#current!;
    this.#current = null;
    if (n < out.length) return this.#writeAll([out.subarray(n)]); // a short write: the rest
    this.#settle();
  };

  readonly #failed = (error: unknown): void => {
    this.#current = null;
    this.#failure = this.#timedOut ? new WriteTimeout() : error;
    this.#settle();
  };

  /** Writes the buffers whole, in order (the deadline is set already). Never rejects. */
  async #writeAll(buffers: Uint8Array[]): Promise<void> {
    try {
      for (const out of buffers) {
        for (let written = 0; written < out.length;) {
          written += await this.#sink.write(written === 0 ? out : out.subarray(written));
        }
      }
      this.#settle();
    } catch (error) {
      this.#failed(error);
    }
  }

  /** A write is over: its deadline stops; once none is left, owned parts are freed. */
  #settle(): void {
    this.#watchdog.clear();
    if (--this.#outstanding === 0 && this.#owned.length > 0 && this.#count === 0) {
      this.#freeOwned();
    }
  }

  #freeOwned(): void {
    const owned = this.#owned;
    if (owned.length === 0) return;
    this.#owned = [];
    for (const bytes of owned) freeBytes(bytes);
  }
}

/**
 * Gives `bytes`' memory back at once, instead of when V8 next collects
 * garbage (an idle server may not for many seconds, however much external
 * memory died): detaching its buffer frees the backing store, or lets Deno's
 * write op free it when it lets go. Only for an array that is its whole
 * buffer (never a slab region) and that no one else reads.
 */
export function freeBytes(bytes: Uint8Array): void {
  const buffer = bytes.buffer;
  if (
    bytes.byteOffset !== 0 || bytes.byteLength !== buffer.byteLength ||
    !(buffer instanceof ArrayBuffer) || buffer.detached
  ) return;
  try {
    buffer.transfer(0);
  } catch {
    // not detachable (a Wasm memory, say): left to the collector
  }
}

const SETTLED: Promise<void> = Promise.resolve();

/** `parts` (of `total` bytes together) as one array. */
export function joinBytes(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
