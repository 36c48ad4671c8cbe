/**
 * Reading a connection's next request head, and handing what came to the
 * connection to serve: from what is buffered when it is there (a pipelined
 * request), else by waiting for the client within CLIENT_TIMEOUT and
 * IDLE_TIMEOUT.
 *
 * What came is a value, never bytes on the wire: a head, a refusal code (a
 * malformed or too large head, 408 for one too slow), or the connection's
 * end. The connection answers it.
 *
 * The usual wait, between kept-alive requests with nothing of the next head
 * buffered, takes a detour: the read calls back when it lands, with no
 * promise, async frame or microtask hop of its own, and the requests it
 * brought are served from there (see `#onIdleRead`).
 *
 * @module
 */

import { connectionLog } from "./log.ts";
import type { ConnectionContext } from "./connection_context.ts";
import type { FillOutcome, SocketReader } from "../io/reader.ts";
import { HeadParser, type HeadResult, type RequestHead } from "../protocol/head_parser.ts";
import type { Output } from "../io/output.ts";
import { peer } from "./access_log.ts";
import type { RejectionCode } from "../protocol/rejections.ts";
import type { RemoteAddr } from "../app/request.ts";
import { andThen, type Step } from "./step.ts";

/** What `#read` returns when it took the idle wait's detour: the read calls back instead. */
const WAITING = Symbol("waiting");

/** The connection ends because shutdown began while it waited for a head. */
export const SHUTDOWN: unique symbol = Symbol("shutdown");

/**
 * What reading a head brought: the head, a refusal to answer, the end of
 * the connection for shutdown ({@link SHUTDOWN}), or null for any other end
 * (the client closed, or went idle too long).
 */
export type HeadOutcome = RequestHead | RejectionCode | typeof SHUTDOWN | null;

/** Reads one connection's request heads and hands each to be served; one per connection. */
export class HeadReader {
  readonly #parser: HeadParser;
  readonly #reader: SocketReader;
  readonly #output: Output;
  readonly #ctx: ConnectionContext;
  readonly #remote: RemoteAddr;
  /** Serves what a head read brought; resolves to whether to keep the connection. */
  readonly #serve: (next: HeadOutcome) => Step<boolean>;
  #idle = true;

  constructor(
    reader: SocketReader,
    output: Output,
    ctx: ConnectionContext,
    remote: RemoteAddr,
    serve: (next: HeadOutcome) => Step<boolean>,
  ) {
    this.#reader = reader;
    this.#output = output;
    this.#ctx = ctx;
    this.#remote = remote;
    this.#serve = serve;
    this.#parser = new HeadParser(ctx.limits);
  }

  /** True while waiting for the first byte of a request. */
  get idle(): boolean {
    return this.#idle;
  }

  /**
   * Reads the next head and has it served: resolves to whether to keep the
   * connection. `acceptDeadline` is the first request's (CLIENT_TIMEOUT from
   * accept); a later request's wait is IDLE_TIMEOUT from when it starts.
   * Queued answers go out before any wait.
   */
  serveNext(acceptDeadline: number | null): Step<boolean> {
    const next = this.#read(acceptDeadline);
    if (next !== WAITING) return andThen(next, this.#serve);
    // Detour: the idle wait. Its read calls #onIdleRead, which settles this step.
    return new Promise<boolean>((resolve) => this.#handBack = resolve);
  }

  /** Settles the step {@link serveNext} returned for the idle wait. */
  #handBack: ((step: Step<boolean>) => void) | null = null;

  /**
   * The end of an idle wait, called by its read (or by IDLE_TIMEOUT): serves
   * the request that came, and the ones after it while each is read and
   * answered at once, up to the next idle wait, which calls this again. Only
   * a request that must wait for something else (a partial head, an async
   * handler, a slow write) or the connection's end settles the step the
   * serve loop awaits. So a kept-alive request costs one microtask hop and
   * one promise for its wait, where an awaited step costs three and three (a
   * sixth of a kept-alive request's JavaScript, in memory).
   */
  readonly #onIdleRead = (outcome: FillOutcome): void => {
    let step: Step<boolean>;
    try {
      // andThen(next, serve) written out, as on the hottest sites (see step.ts).
      const first = this.#afterIdleWait(outcome);
      step = first instanceof Promise ? first.then(this.#serve) : this.#serve(first);
      while (step === true) {
        const next = this.#read(null);
        if (next === WAITING) return; // this function runs again when that wait ends
        step = next instanceof Promise ? next.then(this.#serve) : this.#serve(next);
      }
    } catch (error) {
      step = Promise.reject(error);
    }
    const handBack = this.#handBack!;
    this.#handBack = null;
    handBack(step);
  };

  /** Reads the next head; {@link WAITING} when it took the idle wait's detour. */
  #read(acceptDeadline: number | null): Step<HeadOutcome> | typeof WAITING {
    const parser = this.#parser;
    const reader = this.#reader;
    parser.reset();
    const result = parser.feed(reader.buf, reader.start, reader.end);
    if (result.kind === "head") {
      reader.consume(result.consumed);
      return result.head;
    }
    // The usual wait between kept-alive requests (nothing of the next head
    // buffered, no write in flight) takes no async frame: about an eighth of
    // a kept-alive request's JavaScript, in memory.
    if (
      result.kind === "incomplete" && acceptDeadline === null && !parser.started &&
      !this.#output.busy
    ) {
      this.#output.send();
      if (this.#ctx.draining()) return SHUTDOWN;
      this.#idle = true;
      this.#reader.fillThen(this.#onIdleRead, this.#ctx.limits.idleTimeoutMs);
      return WAITING;
    }
    return this.#awaitHead(result, acceptDeadline, false);
  }

  /** The end of the idle wait: the next head, or the general wait for the rest. */
  #afterIdleWait(outcome: FillOutcome): Step<HeadOutcome> {
    this.#idle = false;
    if (outcome !== "data") return this.#noHead(outcome, false);
    const reader = this.#reader;
    const result = this.#parser.feed(reader.buf, reader.start, reader.end);
    if (result.kind === "head") {
      reader.consume(result.consumed);
      return result.head;
    }
    return this.#awaitHead(result, null, true);
  }

  /**
   * Reads until a head is complete, refused, or a wait ends without bytes.
   * `waited`: a wait for this head has been waited already (see below).
   */
  async #awaitHead(
    first: HeadResult,
    acceptDeadline: number | null,
    waited: boolean,
  ): Promise<HeadOutcome> {
    const parser = this.#parser;
    const reader = this.#reader;
    const output = this.#output;
    const limits = this.#ctx.limits;
    // The first head must be complete within CLIENT_TIMEOUT of accept; a later
    // one within CLIENT_TIMEOUT of its first byte (until then IDLE_TIMEOUT runs).
    let headDeadline = acceptDeadline ?? Infinity;
    // IDLE_TIMEOUT counts from the wait's start, as a timeout the deadline
    // wheel fixes (no clock read per request). Should that wait bring only
    // empty lines, the waits after it share one deadline: sending empty
    // lines cannot hold a connection past about twice IDLE_TIMEOUT.
    let idleDeadline = acceptDeadline ?? -1;
    for (let result = first;; result = parser.feed(reader.buf, reader.start, reader.end)) {
      if (result.kind === "head") {
        reader.consume(result.consumed);
        return result.head;
      }
      if (result.kind === "error") return result.code;
      const started = parser.started;
      if (started && headDeadline === Infinity) {
        headDeadline = performance.now() + limits.clientTimeoutMs;
      }
      // Answers to pipelined requests go out before we wait; the write runs
      // while we wait (a write error shows at the next flush or at the end).
      if (output.busy) await output.flush(); // at most one write in flight
      else output.send();
      if (!started && acceptDeadline === null && this.#ctx.draining()) return SHUTDOWN;
      this.#idle = !started;
      if (!started && idleDeadline < 0 && waited) {
        idleDeadline = performance.now() + limits.idleTimeoutMs;
      }
      waited = true;
      const outcome = await (started
        ? reader.fill(headDeadline)
        : idleDeadline >= 0
        ? reader.fill(idleDeadline)
        : reader.fillWithin(limits.idleTimeoutMs));
      this.#idle = false;
      if (outcome !== "data") {
        return this.#noHead(outcome, started);
      }
    }
  }

  /**
   * A wait for a head that ended without bytes: a head begun and not finished
   * in time is refused with 408 (one too large, 431); otherwise the
   * connection just ends (idle timeout, or closed by the client).
   */
  #noHead(outcome: Exclude<FillOutcome, "data">, started: boolean): RejectionCode | null {
    if (outcome === "timeout" && started) return "header_timeout";
    if (outcome === "full") return "head_too_large"; // unreachable while the parser enforces it
    connectionLog.debug("closing connection from {remote}: {reason}", {
      remote: peer(this.#remote),
      reason: outcome !== "timeout"
        ? (started ? "closed mid-head" : "closed")
        : this.#ctx.draining()
        ? "shutting down"
        : "idle timeout",
    });
    return null;
  }
}
