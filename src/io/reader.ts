/**
 * A socket's read side: one growable buffer, and reads with deadlines.
 *
 * The buffer starts at `RECV_BUFFER` bytes and grows (doubling) only while a
 * request head needs it, up to a hard maximum; when it empties it shrinks back,
 * so an idle keep-alive connection holds only the small buffer.
 *
 * @module
 */

import { beforeDeadline, Watchdog } from "./deadlines.ts";

/**
 * Spare read buffers: a closed connection's buffer, zeroed, waits here for
 * the next connection. Under new-connection load, a fresh 4 KiB array per
 * connection made V8 run a full collection about every 150 ms to free them
 * (their memory is outside the heap and counts towards it), each costing
 * several ms, where scavenges alone would do (measured with --trace-gc).
 * The bound keeps the spares small; a burst of closes beyond it just lets
 * the rest go.
 */
const spares: Uint8Array[] = [];

/** At most this many spare read buffers are kept (64 of the default 4 KiB: 256 KiB). */
export const MAX_SPARE_BUFFERS = 64;

/** A disposed reader's buffer: nothing can be read into it or out of it. */
const NO_BUFFER = new Uint8Array(0);

/** A buffer of `size` bytes: a spare if one of that size is waiting, else a new one. */
function takeBuffer(size: number): Uint8Array {
  const spare = spares.pop();
  return spare !== undefined && spare.length === size ? spare : new Uint8Array(size);
}

/**
 * Keeps `buf` for a later reader, zeroed, so no byte of one client's can
 * ever show in another's connection, even through a bug.
 */
function giveBack(buf: Uint8Array): void {
  if (spares.length >= MAX_SPARE_BUFFERS) return;
  buf.fill(0);
  spares.push(buf);
}

/** How many spare read buffers are kept now (for tests). */
export function spareBuffers(): number {
  return spares.length;
}

/** What the reader reads from: a `Deno.Conn`, or a fake in tests. */
export interface ByteSource {
  read(p: Uint8Array): Promise<number | null>;
}

/** How a {@link SocketReader.fill} ended. */
export type FillOutcome = "data" | "eof" | "timeout" | "full";

/**
 * Buffered reads from one socket. `buf[start, end)` holds the unconsumed bytes.
 *
 * At most one read is in flight. A read abandoned by a deadline stays in
 * flight and the next {@link fill} waits for that same read, so bytes are never
 * read twice or into a stale buffer, and a read can be started early to notice
 * a client that goes away ({@link SocketReader.watch}).
 */
export class SocketReader {
  buf: Uint8Array;
  start = 0;
  end = 0;
  readonly #source: ByteSource;
  readonly #initialBytes: number;
  readonly #maxBytes: number;
  #inflight: Promise<"data" | "eof"> | null = null;
  /** Set when a direct read was abandoned, or at dispose: nothing more may be read. */
  #spent = false;

  /**
   * @param initialBytes the buffer's starting size (RECV_BUFFER)
   * @param maxBytes the most it may grow to
   */
  constructor(source: ByteSource, initialBytes: number, maxBytes: number) {
    this.#source = source;
    this.#initialBytes = initialBytes;
    this.#maxBytes = Math.max(initialBytes, maxBytes);
    this.buf = takeBuffer(initialBytes);
  }

  /** Bytes read but not yet consumed. */
  get buffered(): number {
    return this.end - this.start;
  }

  /** Whether a socket read is in flight (its bytes will land in this reader's buffer). */
  get reading(): boolean {
    return this.#inflight !== null;
  }

  /** Marks `n` buffered bytes as used. */
  consume(n: number): void {
    this.start += n;
    // A read in flight writes at `end` of this very buffer: nothing may move under it.
    if (this.start === this.end && this.#inflight === null) {
      this.start = this.end = 0;
      // Give back a buffer that grew for one large head.
      if (this.buf.length > this.#initialBytes) this.buf = takeBuffer(this.#initialBytes);
    }
  }

  /**
   * Reads more bytes after `end`, waiting until `deadline` (a monotonic `performance.now()` reading,
   * or Infinity). Moves unconsumed bytes to the front, or grows the buffer, to
   * make room; "full" means the buffer is at its maximum and holds no free byte.
   */
  fill(deadline: number): Promise<FillOutcome> {
    return this.#fill(deadline, -1);
  }

  /**
   * {@link fill} with a deadline `timeoutMs` from now, which the deadline
   * wheel fixes at its next tick (see {@link Watchdog.setAfter}): no clock
   * read, and never early.
   */
  fillWithin(timeoutMs: number): Promise<FillOutcome> {
    return this.#fill(Infinity, timeoutMs);
  }

  /**
   * {@link fillWithin}, calling `then` with the outcome instead of settling a
   * promise: from the read's own settlement (or the watchdog's), with no
   * promise or microtask turn of its own. The wait between kept-alive
   * requests is the hot path. Only one such fill may wait at a time.
   */
  fillThen(then: (outcome: FillOutcome) => void, timeoutMs: number): void {
    if (this.#waiter !== null) throw new Error("a fill is waiting already");
    const refused = this.#startRead();
    if (refused !== null) { // never at once: the caller is not ready for it yet
      queueMicrotask(() => then(refused));
      return;
    }
    this.#waiter = then;
    this.#watchdog.setAfter(timeoutMs);
  }

  /**
   * Starts a read into the free end of the buffer, unless one is in flight
   * already; "eof" or "full" when none can start.
   */
  #startRead(): "eof" | "full" | null {
    if (this.#inflight !== null) return null;
    if (this.#spent) return "eof";
    if (!this.#makeRoom()) return "full";
    // The read's result is applied in #landed, once, however many fills
    // await it: applying it in each awaiter would count the same bytes
    // twice. An empty buffer is read into as it is: no view to make.
    const into = this.end === 0 ? this.buf : this.buf.subarray(this.end);
    this.#inflight = this.#source.read(into).then(this.#landed, this.#failed);
    return null;
  }

  /** A fill until `deadline`, or when `timeoutMs` is not negative, within it. */
  #fill(deadline: number, timeoutMs: number): Promise<FillOutcome> {
    const refused = this.#startRead();
    if (refused !== null) return Promise.resolve(refused);
    const inflight = this.#inflight!;
    if (timeoutMs < 0 && deadline === Infinity) return inflight;
    // The read stays in flight after a timeout, for the next fill.
    if (this.#waiter !== null) { // a second waiter: rare
      return beforeDeadline(
        inflight,
        timeoutMs < 0 ? deadline : performance.now() + timeoutMs,
      );
    }
    return new Promise((resolve) => {
      this.#waiter = resolve;
      if (timeoutMs < 0) this.#watchdog.set(deadline);
      else this.#watchdog.setAfter(timeoutMs);
    });
  }

  /**
   * The fill waiting with a deadline, woken by the read or by the watchdog.
   * With one watchdog per reader (a field write per read) instead of a wheel
   * entry and a promise race per read, a read costs a few allocations fewer.
   */
  #waiter: ((outcome: FillOutcome) => void) | null = null;
  readonly #watchdog = new Watchdog(() => this.#wake("timeout"));

  /**
   * Ends the fill waiting now, as if its deadline had passed (shutdown ends
   * idle waits this way). The read stays in flight, for the next fill.
   */
  endWait(): void {
    this.#wake("timeout");
  }

  #wake(outcome: FillOutcome): void {
    const waiter = this.#waiter;
    if (waiter === null) return;
    this.#waiter = null;
    this.#watchdog.clear();
    waiter(outcome);
  }

  // Made once per reader, not per read: a read per request is the hot path.
  readonly #landed = (n: number | null): "data" | "eof" => {
    this.#inflight = null;
    const outcome = n === null ? "eof" : "data";
    if (n !== null) this.end += n;
    this.#wake(outcome);
    return outcome;
  };
  readonly #failed = (): "eof" => {
    this.#inflight = null;
    this.#wake("eof");
    return "eof"; // reset by peer, or closed by us during shutdown
  };

  /**
   * Stops the watchdog for good (at close: no timer may outlive a socket),
   * and ends reading: a later fill finds EOF. The buffer goes back to the
   * spares unless a read in flight may still write into it.
   */
  dispose(): void {
    this.#watchdog.dispose();
    this.#spent = true;
    if (this.#inflight !== null || this.buf === NO_BUFFER) return;
    const buf = this.buf;
    this.buf = NO_BUFFER;
    this.start = this.end = 0;
    if (buf.length === this.#initialBytes) giveBack(buf);
  }

  /**
   * Reads straight into `dest` (a large body's own array), skipping the
   * socket buffer; returns the byte count, "eof" or "timeout". Call it only
   * when nothing is buffered. If a read is already in flight, that read
   * finishes first and 0 is returned, so the caller takes its bytes from the
   * buffer. After a timeout the reader is spent: the socket must be closed.
   */
  async readInto(dest: Uint8Array, deadline: number): Promise<number | "eof" | "timeout"> {
    if (this.#inflight !== null) {
      const outcome = await this.fill(deadline);
      return outcome === "data" ? 0 : outcome === "timeout" ? "timeout" : "eof";
    }
    if (this.#spent) return "eof";
    const read = this.#source.read(dest).catch(() => null);
    const n = await beforeDeadline(read, deadline);
    if (n === "timeout") {
      this.#spent = true; // that read may still land in `dest`: no further read is sound
      return "timeout";
    }
    return n === null ? "eof" : n;
  }

  /**
   * Resolves true when the peer closes (or resets) the connection, false when
   * it sends more bytes first (they stay buffered for the next request). Used
   * while a handler runs, to abort its request when the client goes away.
   */
  async watch(): Promise<boolean> {
    return (await this.fill(Infinity)) === "eof";
  }

  #makeRoom(): boolean {
    if (this.end < this.buf.length) return true;
    if (this.start > 0) {
      this.buf.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
      return true;
    }
    if (this.buf.length >= this.#maxBytes) return false;
    const grown = new Uint8Array(Math.min(this.buf.length * 2, this.#maxBytes));
    grown.set(this.buf.subarray(0, this.end));
    this.buf = grown;
    return true;
  }
}
