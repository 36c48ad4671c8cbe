/**
 * What a response body stream has ready now.
 *
 * A stream whose chunks are all ready at once (a fetch `Response` made from a
 * string, bytes, JSON, a Blob or FormData is such a stream) is collected, so
 * it goes out with Content-Length like a fixed body. A read that is still
 * pending after a few microtask turns means the producer is waiting on
 * something (a timer, I/O, an event): collecting stops there, and the caller
 * streams the rest as it comes, so server-sent events reach the client
 * without delay. Either way the framing is correct; the probe only chooses
 * which.
 *
 * @module
 */

import { joinBytes } from "./output.ts";
import type { StreamBody } from "../protocol/message.ts";
import { allocate } from "../protocol/slab.ts";

/** Microtask turns a chunk may take and still count as ready (ready ones take up to 5). */
const READY_TURNS = 16;

/**
 * Stop collecting ready chunks once this many bytes are in, and stream the
 * rest, each chunk read only once the one before it is written: what a
 * client that does not read costs stays bounded by this, not by the body.
 * One more chunk is read first, so a body that ends there (a fetch
 * `Response` of one large array) still goes out with Content-Length.
 */
export const MAX_COLLECTED_BYTES = 64 * 1024;

/**
 * Collected bodies: copies made here, which nothing but the connection that
 * writes them reads, so it may free them once written (see output.ts).
 */
const OWNED = new WeakSet<Uint8Array>();

/** Whether `bytes` is a body {@link collectReady} made, free to release once written. */
export function isOwnedBody(bytes: Uint8Array): boolean {
  return OWNED.has(bytes);
}

/** What {@link collectReady} found. */
export type Collected =
  /** The stream ended: its whole body. */
  | { readonly kind: "done"; readonly bytes: Uint8Array }
  /**
   * The stream goes on: the chunks read so far (copies), and the read still
   * pending (unchecked, as {@link ChunkSource.next} gives it), or null when
   * collecting stopped at MAX_COLLECTED_BYTES.
   */
  | {
    readonly kind: "more";
    readonly ready: readonly Uint8Array[];
    readonly pending: Promise<IteratorResult<unknown>> | null;
  }
  /** The producer failed, or gave something that is not bytes, before its end. */
  | { readonly kind: "failed"; readonly error: unknown };

/**
 * Reads `source` while its chunks come within a few microtask turns. Never
 * rejects: a failure is a result, with the chunks read so far dropped.
 */
export async function collectReady(source: ChunkSource): Promise<Collected> {
  const ready: Uint8Array[] = [];
  let readyBytes = 0;
  const probe = new ReadProbe();
  let full = false;
  for (;;) {
    const next = source.next();
    probe.watch(next);
    for (let turn = 0; !probe.settled && turn < READY_TURNS; turn++) await null;
    if (!probe.settled) {
      // Whoever takes the rest may stop before this read (HEAD, a client gone).
      next.catch(() => {});
      return { kind: "more", ready, pending: next };
    }
    if (probe.failed) return { kind: "failed", error: probe.error };
    const result = probe.value!;
    const wrongType = notBytes(result);
    if (wrongType !== null) return { kind: "failed", error: wrongType };
    if (result.done) {
      const bytes = joinBytes(ready, readyBytes);
      OWNED.add(bytes);
      return { kind: "done", bytes };
    }
    const chunk = result.value as Uint8Array;
    // An empty chunk would frame as the last chunk and end the body early.
    if (chunk.length === 0) continue;
    ready.push(copyChunk(chunk));
    readyBytes += chunk.length;
    if (full) return { kind: "more", ready, pending: null };
    full = readyBytes >= MAX_COLLECTED_BYTES;
  }
}

/**
 * A copy of `chunk` that the producer's later writes cannot change (a
 * producer may reuse its buffer for the next chunk), carved from a slab:
 * `chunk.slice()` made a fresh buffer (about 0.4 µs of a fetch request).
 * Slab rules apply: the copy's buffer is shared, so it never reaches user code.
 */
export function copyChunk(chunk: Uint8Array): Uint8Array {
  const copy = allocate(chunk.length);
  copy.set(chunk);
  return copy;
}

/**
 * A read's outcome, recorded as it settles, so a caller can look without
 * awaiting it (awaiting a settled promise again would cost a turn). One
 * probe serves every read of a stream: its callbacks are made once.
 */
class ReadProbe {
  settled = false;
  failed = false;
  value: IteratorResult<unknown> | undefined = undefined;
  error: unknown = undefined;

  /** Watches `read`; the probe is for one stream, whose reads are watched one after another. */
  watch(read: Promise<IteratorResult<unknown>>): void {
    this.settled = false;
    read.then(this.#onValue, this.#onError);
  }

  readonly #onValue = (value: IteratorResult<unknown>): void => {
    this.settled = true;
    this.value = value;
  };

  readonly #onError = (error: unknown): void => {
    this.settled = this.failed = true;
    this.error = error;
  };
}

/** A read from the handler's body failed (as opposed to a write to the peer). */
export class StreamReadError extends Error {
  constructor(cause: unknown) {
    super("response body stream failed", { cause });
  }
}

/** The error for a chunk that is not bytes, else null. */
function notBytes(result: IteratorResult<unknown>): TypeError | null {
  if (result.done || result.value instanceof Uint8Array) return null;
  return new TypeError("response stream chunks must be Uint8Array");
}

/** A read's result as bytes; a {@link StreamReadError} for anything else. */
export function checkChunk(result: IteratorResult<unknown>): IteratorResult<Uint8Array> {
  const failure = notBytes(result);
  if (failure !== null) throw new StreamReadError(failure);
  return result as IteratorResult<Uint8Array>;
}

/** A failed read, as a {@link StreamReadError}. */
export function failedRead(error: unknown): never {
  throw new StreamReadError(error);
}

/** One reading interface over a ReadableStream or any async iterable of bytes. */
export class ChunkSource {
  readonly #reader: ReadableStreamDefaultReader<unknown> | null = null;
  readonly #iterator: AsyncIterator<unknown> | null = null;

  /** Locks `body` (a ReadableStream gets a reader); throws if it is locked already. */
  constructor(body: StreamBody) {
    if (body instanceof ReadableStream) this.#reader = body.getReader();
    else this.#iterator = body[Symbol.asyncIterator]();
  }

  /** The next chunk as the producer gives it (unchecked); rejects if the producer fails. */
  next(): Promise<IteratorResult<unknown>> {
    try {
      if (this.#reader !== null) return this.#reader.read() as Promise<IteratorResult<unknown>>;
      return Promise.resolve(this.#iterator!.next());
    } catch (error) {
      return Promise.reject(error); // an iterator that throws instead of rejecting
    }
  }

  /** The next chunk; rejects with {@link StreamReadError} if the producer fails or yields a non-bytes value. */
  read(): Promise<IteratorResult<Uint8Array>> {
    return this.next().then(checkChunk, failedRead);
  }

  /**
   * Cancels the stream, without waiting: an async generator runs its cleanup
   * only after the `next()` still pending, which may never settle.
   */
  cancel(): void {
    try {
      const done = this.#reader !== null ? this.#reader.cancel() : this.#iterator!.return?.();
      Promise.resolve(done).catch(() => {});
    } catch {
      // a producer that fails while stopping has nothing more to give
    }
  }
}

/**
 * The body of a stream that was not all ready. The response writer takes
 * its {@link source} and {@link collected} as they are (no second probe);
 * read as an async iterator, it gives the chunks collected, then the pending
 * read, then the rest of the stream (or the failure {@link collectReady}
 * found, at the first read). Not a generator: `return()` must cancel the
 * stream at once, even while a read is pending (a generator would wait for
 * that read, which may never end).
 */
export class RestOfStream implements AsyncIterableIterator<unknown> {
  /** The stream, for a writer that takes {@link collected} as it is instead of reading this. */
  readonly source: ChunkSource;
  /** What {@link collectReady} found. */
  readonly collected: Exclude<Collected, { kind: "done" }>;
  readonly #ready: readonly Uint8Array[];
  #index = 0;
  #pending: Promise<IteratorResult<unknown>> | null;

  constructor(source: ChunkSource, collected: Exclude<Collected, { kind: "done" }>) {
    this.source = source;
    this.collected = collected;
    this.#ready = collected.kind === "more" ? collected.ready : [];
    this.#pending = collected.kind === "more" ? collected.pending : Promise.reject(collected.error);
    // A failure waits for the writer's first read: not an unhandled rejection.
    this.#pending?.catch(() => {});
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.#index < this.#ready.length) {
      return Promise.resolve({ done: false, value: this.#ready[this.#index++] });
    }
    const pending = this.#pending;
    if (pending === null) return this.source.next();
    this.#pending = null;
    return pending;
  }

  return(): Promise<IteratorResult<unknown>> {
    this.source.cancel();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
