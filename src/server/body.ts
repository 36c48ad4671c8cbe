/**
 * Reads a request body from the socket, by its framing, within its limits.
 *
 * A {@link BodyReader} is pulled: it reads from the socket only when asked, so
 * a handler that streams the body gets backpressure for free, and one that
 * wants it whole calls {@link BodyReader.readAll}. The body limit is enforced
 * before the excess is read: a Content-Length over the limit is refused from
 * the head alone, and a chunked body as soon as a chunk-size line would pass
 * it. Bytes after the body (a pipelined request) stay in the socket reader.
 *
 * @module
 */

import { ChunkedDecoder } from "../protocol/chunked.ts";
import type { RejectionCode } from "../protocol/rejections.ts";
import type { Framing } from "../protocol/framing.ts";
import type { Permit } from "./pool.ts";
import type { SocketReader } from "../io/reader.ts";
import type { Output } from "../io/output.ts";
import { CONTINUE_BYTES } from "../protocol/serializer.ts";

/** The first array a Content-Length body is read into; it doubles up to the length. */
const FIRST_BODY_BYTES = 64 * 1024;

/** The limits a body is read under. */
export interface BodyLimits {
  readonly maxBodyBytes: number;
  /** Chunk extensions and trailers together, in bytes (the head limit is reused). */
  readonly maxHeadBytes: number;
  /** Trailer lines (the header-count limit is reused). */
  readonly maxHeaderCount: number;
}

/**
 * The reader of a body framed by `framing` (not "none"), which must arrive
 * within `bodyTimeoutMs` from now. A client that waits for `100 Continue`
 * (`wantsContinue`) and has sent none of the body yet gets it on `output`
 * just before the first socket read: only when the body is actually wanted.
 */
export function bodyReaderFor(
  reader: SocketReader,
  output: Output,
  framing: Framing,
  wantsContinue: boolean,
  limits: BodyLimits & { readonly bodyTimeoutMs: number },
): BodyReader {
  const sendContinue = wantsContinue && reader.buffered === 0
    ? async () => {
      output.queue(CONTINUE_BYTES);
      await output.flush();
    }
    : null;
  const timeout = limits.bodyTimeoutMs;
  const deadline = timeout === 0 ? Infinity : performance.now() + timeout; // 0: off
  return new BodyReader(reader, framing, limits, deadline, sendContinue);
}

/** Pulls one request's body off the socket. */
export class BodyReader {
  readonly #reader: SocketReader;
  readonly #deadline: number;
  readonly #decoder: ChunkedDecoder | null;
  /** Bytes left of a Content-Length body. */
  #remaining: number;
  /** A Content-Length body's length (0 for others). */
  readonly #length: number;
  #done: boolean;
  #failure: RejectionCode | null = null;
  #beforeFirstRead: (() => Promise<void>) | null;
  /** The handler's pool permit, lent to the pool while a read waits on the client. */
  #permit: Permit | null = null;

  /**
   * @param deadline when the whole body must have arrived (a `performance.now()` reading)
   * @param beforeFirstRead runs once before the first socket read (it sends
   *   `100 Continue`, so a client that waits for it sends the body only when
   *   the body is actually wanted)
   */
  constructor(
    reader: SocketReader,
    framing: Framing,
    limits: BodyLimits,
    deadline: number,
    beforeFirstRead: (() => Promise<void>) | null = null,
  ) {
    this.#reader = reader;
    this.#deadline = deadline;
    this.#beforeFirstRead = beforeFirstRead;
    this.#remaining = this.#length = framing.kind === "length" ? framing.length : 0;
    this.#done = framing.kind === "none";
    this.#decoder = framing.kind === "chunked"
      ? new ChunkedDecoder({
        maxBodyBytes: limits.maxBodyBytes,
        maxMetadataBytes: limits.maxHeadBytes,
        maxTrailerCount: limits.maxHeaderCount,
      })
      : null;
    if (framing.kind === "length" && framing.length > limits.maxBodyBytes) {
      this.#fail("body_too_large");
    }
  }

  /** Whether the whole body has been read (or there was none). */
  get done(): boolean {
    return this.#done;
  }

  /** Why the body was refused, once it has been; null otherwise. */
  get failure(): RejectionCode | null {
    return this.#failure;
  }

  /**
   * The body's bytes taken from the socket so far (for the telemetry's
   * request size): a chunked body's data, by the sizes of its chunks begun.
   */
  get received(): number {
    return this.#decoder !== null ? this.#decoder.total : this.#length - this.#remaining;
  }

  /** Whether any socket read happened for this body (so `100 Continue` went out). */
  get started(): boolean {
    return this.#beforeFirstRead === null;
  }

  /**
   * Lends `permit` to the pool whenever a read must wait for the client (the
   * socket, or the `100 Continue` write), and takes it back when the read
   * ends, at once (see pool.ts: a request once admitted never queues again):
   * a handler reading a slowly sent body holds no worker while it waits, and
   * one whose bytes keep coming loses no time to the lending.
   */
  lendWhileWaiting(permit: Permit): void {
    this.#permit = permit;
  }

  /** Awaits `wait` (on the client) with the permit lent to the pool, then takes it back. */
  async #waitOnClient<T>(wait: Promise<T>): Promise<T> {
    const permit = this.#permit;
    if (permit === null || !permit.held) return await wait;
    permit.pause();
    try {
      return await wait;
    } finally {
      permit.resume();
    }
  }

  /**
   * Gives up on the body: shutdown answered its request already. A read in
   * progress returns the refusal when it ends, none starts after, and no
   * `100 Continue` goes out.
   */
  stop(): void {
    this.#beforeFirstRead = null;
    if (!this.#done) this.#fail("shutting_down");
  }

  #fail(code: RejectionCode): RejectionCode {
    this.#failure = code;
    this.#done = true;
    return code;
  }

  /** The next piece of the body (a copy the caller owns), null at its end, or why it failed. */
  async read(): Promise<Uint8Array | null | RejectionCode> {
    const reader = this.#reader;
    for (;;) {
      // Checked after every wait: the connection may have stopped the body meanwhile.
      if (this.#failure !== null) return this.#failure;
      if (this.#done) return null;
      if (reader.buffered > 0) {
        const piece = this.#decoder === null ? this.#takeLength() : this.#takeChunked();
        if (piece !== null) return piece;
        continue;
      }
      if (this.#beforeFirstRead !== null) {
        const send = this.#beforeFirstRead;
        this.#beforeFirstRead = null;
        await this.#waitOnClient(send());
      }
      const outcome = await this.#waitOnClient(reader.fill(this.#deadline));
      if (outcome === "timeout") return this.#fail("body_timeout");
      if (outcome !== "data") return this.#fail("incomplete_body");
    }
  }

  #takeLength(): Uint8Array | null {
    if (this.#remaining === 0) {
      this.#done = true;
      return null;
    }
    const reader = this.#reader;
    const n = Math.min(reader.buffered, this.#remaining);
    const piece = reader.buf.slice(reader.start, reader.start + n);
    reader.consume(n);
    this.#remaining -= n;
    if (this.#remaining === 0) this.#done = true;
    return piece;
  }

  /**
   * Decodes what is buffered: data, or null when it held no data (more is
   * needed, or the body ended). All data runs of one read go into one array:
   * a body of 1-byte chunks must cost its size, not an allocation per chunk.
   */
  #takeChunked(): Uint8Array | RejectionCode | null {
    const reader = this.#reader;
    const decoder = this.#decoder!;
    const out = new Uint8Array(reader.buffered); // data is never longer than its framing
    let size = 0;
    const used = decoder.decode(reader.buf, reader.start, reader.end, (data) => {
      out.set(data, size); // copy: the socket buffer is reused
      size += data.length;
    });
    if (typeof used === "string") return this.#fail(used);
    reader.consume(used);
    if (decoder.done) this.#done = true;
    return size === 0 ? null : out.subarray(0, size);
  }

  /**
   * Reads the rest of the body into one array, or says why it was refused.
   * A Content-Length body is read straight into an array of its size; a
   * chunked one into an array that doubles as needed (never past the limit).
   */
  async readAll(): Promise<Uint8Array | RejectionCode> {
    if (this.#decoder === null && !this.#done && this.#failure === null) {
      return await this.#readLength(this.#remaining);
    }
    let all = new Uint8Array(0);
    let size = 0;
    for (;;) {
      const piece = await this.read();
      if (piece === null) return all.subarray(0, size);
      if (typeof piece === "string") return piece;
      if (size + piece.length > all.length) {
        const grown = new Uint8Array(Math.max(size + piece.length, all.length * 2, 1024));
        grown.set(all.subarray(0, size));
        all = grown;
      }
      all.set(piece, size);
      size += piece.length;
    }
  }

  /**
   * Reads the rest of a Content-Length body (`length` bytes): buffered bytes
   * first, then straight from the socket into the array. The array starts at
   * no more than {@link FIRST_BODY_BYTES} and doubles as data arrives, so a
   * head that only promises a large body reserves little.
   */
  async #readLength(length: number): Promise<Uint8Array | RejectionCode> {
    const reader = this.#reader;
    let body = new Uint8Array(Math.min(length, FIRST_BODY_BYTES));
    let filled = 0;
    while (filled < length) {
      if (filled === body.length) {
        const grown = new Uint8Array(Math.min(length, body.length * 2));
        grown.set(body);
        body = grown;
      }
      if (reader.buffered > 0) {
        const n = Math.min(reader.buffered, body.length - filled);
        body.set(reader.buf.subarray(reader.start, reader.start + n), filled);
        reader.consume(n);
        filled += n;
        continue;
      }
      if (this.#beforeFirstRead !== null) {
        const send = this.#beforeFirstRead;
        this.#beforeFirstRead = null;
        await this.#waitOnClient(send());
      }
      const n = await this.#waitOnClient(reader.readInto(body.subarray(filled), this.#deadline));
      if (typeof n === "string" || this.#failure !== null) {
        this.#remaining = length - filled; // what `received` reports of a failed body
        if (this.#failure !== null) return this.#failure; // stopped meanwhile
        return this.#fail(n === "timeout" ? "body_timeout" : "incomplete_body");
      }
      filled += n;
    }
    this.#remaining = 0;
    this.#done = true;
    return body;
  }

  /**
   * Reads and discards the rest of the body, so the next request on the
   * connection starts at the right byte. Bounded by the body limit and
   * deadline. Returns false when the body failed, so the connection must close.
   */
  async drain(): Promise<boolean> {
    for (;;) {
      const piece = await this.read();
      if (piece === null) return true;
      if (typeof piece === "string") return false;
    }
  }
}
