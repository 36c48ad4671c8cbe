/**
 * One connection's life: read a head, run the handler through the pool with
 * the body buffered or streamed, write the response, and again while the
 * connection is kept alive.
 *
 * This is the only place where refusal codes become bytes on the wire
 * ({@link rejection}), and the only module besides the server that holds the
 * socket. Requests on one connection are answered in order; responses to
 * pipelined requests already in the buffer are queued and go out in one write
 * just before the loop next waits for the client.
 *
 * @module
 */

import { BodyReader } from "./body.ts";
import { rejection, type RejectionCode } from "../protocol/rejections.ts";
import { bodyFraming, type Framing } from "../protocol/framing.ts";
import { hasToken } from "../protocol/headers.ts";
import { currentHttpDate } from "../protocol/http_date.ts";
import { accessLog, connectionLog, handlerLog } from "./log.ts";
import { type Metrics, UNMATCHED_ROUTE } from "./metrics.ts";
import { Output } from "../io/output.ts";
import { HeadParser, type HeadResult, type RequestHead } from "../protocol/head_parser.ts";
import { type Permit, type Pool, POOL_FULL } from "./pool.ts";
import { type FillOutcome, SocketReader } from "../io/reader.ts";
import { Exchange } from "./exchange.ts";
import { isThenable } from "./thenable.ts";
import { ChunkSource } from "../io/ready_chunks.ts";
import { RawRequest, type RemoteAddr } from "../app/request.ts";
import { isRawResponse, isStreamBody, type RawResponse, text } from "../app/response.ts";
import {
  queueFixed,
  StreamFailedEarly,
  type WriteOptions,
  writeResponse,
  type Written,
} from "./response_writer.ts";
import type { Limits } from "../protocol/limits.ts";
import type { Route, Routes } from "../app/router.ts";
import { CONTINUE_BYTES, serializeResponse } from "../protocol/serializer.ts";

/** The limits a connection enforces (their units, defaults and reasons: protocol/limits.ts). */
export type ConnectionLimits = Readonly<
  Pick<
    Limits,
    | "maxRequestLineBytes"
    | "maxHeadBytes"
    | "maxHeaderCount"
    | "recvBufferBytes"
    | "maxBodyBytes"
    | "maxRequestsPerConnection"
    | "clientTimeoutMs"
    | "idleTimeoutMs"
    | "bodyTimeoutMs"
    | "writeTimeoutMs"
    | "lingerTimeoutMs"
  >
>;

/** What a connection shares with the server and every other connection. */
export interface ConnectionContext {
  readonly limits: ConnectionLimits;
  readonly router: Routes;
  readonly pool: Pool;
  readonly metrics: Metrics;
  /** True once shutdown began: finish the current request, then close. */
  readonly draining: () => boolean;
}

/** The socket side a connection needs; `Deno.Conn` has it. */
export interface Socket {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
}

/** Flush queued pipelined responses once they pass this many bytes. */
const MAX_QUEUED_OUTPUT_BYTES = 64 * 1024;

const NOT_FOUND = text("Not Found\n", { status: 404 });

/** For `.then`: null, whatever came before. */
const NULL = (): null => null;

/** What {@link Connection}'s readHead returns when the idle wait's read will go on from there. */
const WAITING = Symbol("waiting");

/** The body of a request that has none (allocating even an empty array costs ~0.5 µs). */
const NO_BYTES = new Uint8Array(0);

/**
 * One request being answered: what {@link Connection}'s first step decided,
 * for the steps after the handler. A class, not an object literal (see
 * server.ts on V8's pretenuring of literals).
 */
class Turn {
  /** The route `/metrics` counts the request under, or null when it is not counted. */
  counted: string | null = UNMATCHED_ROUTE;
  /** The streaming route's exchange, if any. */
  streaming: Exchange | null = null;
  constructor(
    readonly head: RequestHead,
    readonly body: BodyReader,
    /** Whether the connection stays open after this request (later steps may say no). */
    public keepAlive: boolean,
    /** Whether the client waits for `100 Continue` before sending its body. */
    readonly wantsContinue: boolean,
    /** The access log's start time, or null when it is off. */
    readonly started: number | null,
    /**
     * Whether the client meant to send more requests on the connection (it
     * did not ask to close): if the server closes anyway, they may be on
     * their way, and the close must linger.
     */
    readonly clientKeepsAlive: boolean,
  ) {}
}

/** Serves one accepted socket until it closes. */
export class Connection {
  readonly remote: RemoteAddr;
  readonly #socket: Socket;
  readonly #ctx: ConnectionContext;
  readonly #reader: SocketReader;
  readonly #output: Output;
  readonly #parser: HeadParser;
  readonly #onClose: () => void;
  /** True while waiting for the first byte of a request. */
  #idle = true;
  /**
   * Whether the connection, once its last answer is flushed, must close by
   * lingering (half-close, then discard what the client still sends within
   * LINGER_TIMEOUT) rather than at once: set when the client may still be
   * sending, since closing a socket with unread input sends a reset, which
   * can destroy the answer before the client reads it.
   */
  #lingerOnEnd = false;
  /** When the linger ends (set when it starts, or earlier by shutdown). */
  #lingerDeadline = Infinity;
  /** Whether our side is half-closed already (FIN sent). */
  #halfClosed = false;
  /**
   * The request read and not yet answered: its response has not been
   * queued. Shutdown's deadline answers it with 503 if it is still here.
   */
  #unanswered: Turn | null = null;
  /** Set when shutdown's deadline answered the request in progress: the handler's own answer is dropped. */
  #abandoned = false;
  /** Requests begun so far (heads read and being answered or answered). */
  #served = 0;
  #closed = false;
  /** The streaming request in progress, if any (close() aborts its signal). */
  #exchangeInFlight: Exchange | null = null;
  /**
   * Aborts when the socket closes, so a response stream stops waiting on its
   * producer. Made only when a stream asks: an AbortController and the
   * DOMException of its abort cost about 7% of a short connection's CPU.
   */
  #closing: AbortController | null = null;
  /** {@link #closing}'s signal, made on first use (already aborted if the socket is closed). */
  readonly #closingSignal = (): AbortSignal => {
    if (this.#closing === null) {
      this.#closing = new AbortController();
      if (this.#closed) this.#closing.abort(new DOMException("connection closed", "AbortError"));
    }
    return this.#closing.signal;
  };

  /** `onClose` runs once, when the socket is closed (by the loop or by the server). */
  constructor(
    socket: Socket,
    remote: RemoteAddr,
    ctx: ConnectionContext,
    onClose: () => void = () => {},
  ) {
    this.#socket = socket;
    this.#onClose = onClose;
    this.remote = remote;
    this.#ctx = ctx;
    const limits = ctx.limits;
    // The buffer must be able to hold one byte more than the largest head, so
    // the parser sees the overflow and refuses it.
    this.#reader = new SocketReader(socket, limits.recvBufferBytes, limits.maxHeadBytes + 1);
    // A write past WRITE_TIMEOUT closes the socket, which fails the write.
    this.#output = new Output(socket, limits.writeTimeoutMs, () => this.close());
    this.#parser = new HeadParser(limits);
  }

  /**
   * Whether the connection waits between requests, with no request begun:
   * safe to close at shutdown. A connection that has not sent its first
   * request is not idle: its client may have sent it already (it is in
   * flight), and a request lost on a fresh connection is not retried by
   * clients, so it gets served (with `Connection: close`) within CLIENT_TIMEOUT.
   */
  get idle(): boolean {
    return this.#idle && this.#served > 0;
  }

  /** Closes the socket now; a pending read or write fails and the loop ends. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#output.dispose();
    this.#reader.dispose();
    if (this.#exchangeInFlight !== null || this.#closing !== null) {
      const reason = new DOMException("connection closed", "AbortError");
      this.#endExchange(reason);
      this.#closing?.abort(reason);
    }
    try {
      this.#socket.close();
    } catch {
      // already closed by the peer's reset; nothing to do
    }
    this.#onClose();
  }

  /** Runs the request loop; resolves when the connection is closed. Never rejects. */
  async serve(): Promise<void> {
    const acceptDeadline = performance.now() + this.#ctx.limits.clientTimeoutMs;
    try {
      // Each step reads a request and answers it. A step that ran at once
      // (a pipelined head, a synchronous handler) comes back as a value: no
      // microtask hop. A step that waits for the next request may answer
      // many before it settles (see #onIdleRead).
      let step = this.#serveNext(acceptDeadline);
      for (;;) {
        const keepAlive = step instanceof Promise ? await step : step;
        if (!keepAlive) break;
        step = this.#serveNext(null);
      }
      await this.#output.flush();
      if (this.#lingerOnEnd && !this.#abandoned) await this.#linger();
    } catch (error) {
      // A write to a peer that went away, or a write timeout: nothing to answer.
      connectionLog.debug("connection from {remote} ended: {error}", {
        remote: this.#remoteText(),
        error: String(error),
      });
    } finally {
      // An abandoned connection is closed by abandon(), once its 503 had its time to be read.
      if (!this.#abandoned) this.close();
    }
  }

  /**
   * Reads the next request and answers it; returns whether to keep the
   * connection, as a value when every step ran at once, else as a promise.
   */
  #serveNext(acceptDeadline: number | null): boolean | Promise<boolean> {
    const next = this.#readHead(acceptDeadline);
    if (next !== WAITING) return this.#answerHead(next);
    return new Promise<boolean>((resolve) => this.#handBack = resolve);
  }

  /** Answers `next` once it is read: false when there is none (the connection ends). */
  #answerHead(next: RequestHead | null | Promise<RequestHead | null>): boolean | Promise<boolean> {
    return next instanceof Promise ? next.then(this.#answerRead) : this.#answerRead(next);
  }

  readonly #answerRead = (head: RequestHead | null): boolean | Promise<boolean> =>
    head === null ? false : this.#respond(head, ++this.#served);

  /**
   * Settles the step {@link #serveNext} returned while the idle wait's
   * requests are answered by {@link #onIdleRead}.
   */
  #handBack: ((step: boolean | Promise<boolean>) => void) | null = null;

  /**
   * The end of an idle wait ({@link #readHead}), called by the read itself
   * (or by IDLE_TIMEOUT): answers the request that came, and the ones after
   * it while each is read and answered at once, up to the next idle wait,
   * which calls this again.
   * Only a request that must wait for something else (a partial head, an
   * async handler, a slow write) or the connection's end settles the step
   * the serve loop awaits. So a kept-alive request costs one microtask hop
   * and one promise for its wait, where an awaited step costs three and
   * three (a sixth of a kept-alive request's JavaScript, in memory).
   */
  readonly #onIdleRead = (outcome: FillOutcome): void => {
    let step: boolean | Promise<boolean>;
    try {
      step = this.#answerHead(this.#afterIdleWait(outcome));
      while (step === true) {
        const next = this.#readHead(null);
        if (next === WAITING) return; // this function runs again when it ends
        step = this.#answerHead(next);
      }
    } catch (error) {
      step = Promise.reject(error);
    }
    const handBack = this.#handBack!;
    this.#handBack = null;
    handBack(step);
  };

  /**
   * Reads the next request head, or returns null after the connection should
   * end (closed, timed out, or refused: a refusal has been answered already).
   * `acceptDeadline` is the first request's (CLIENT_TIMEOUT from accept); a
   * later request's wait is IDLE_TIMEOUT from when the reading starts.
   */
  #readHead(
    acceptDeadline: number | null,
  ): RequestHead | null | Promise<RequestHead | null> | typeof WAITING {
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
      if (this.#ctx.draining()) return this.#endForShutdown();
      this.#idle = true;
      // The read (or IDLE_TIMEOUT) calls #onIdleRead when the wait ends.
      reader.fillThen(this.#onIdleRead, this.#ctx.limits.idleTimeoutMs);
      return WAITING;
    }
    return this.#awaitHead(result, acceptDeadline, false);
  }

  /** The end of {@link #readHead}'s idle wait: the next head, or the general loop for the rest. */
  #afterIdleWait(outcome: FillOutcome): RequestHead | null | Promise<RequestHead | null> {
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
  ): Promise<RequestHead | null> {
    const parser = this.#parser;
    const reader = this.#reader;
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
      if (result.kind === "error") {
        await this.#refuse(result.code, null, null);
        return null;
      }
      const started = parser.started;
      if (started && headDeadline === Infinity) {
        headDeadline = performance.now() + limits.clientTimeoutMs;
      }
      // Answers to pipelined requests go out before we wait; the write runs
      // while we wait (a write error shows at the next flush or at the end).
      if (this.#output.busy) await this.#output.flush(); // at most one write in flight
      else this.#output.send();
      if (!started && acceptDeadline === null && this.#ctx.draining()) {
        return this.#endForShutdown();
      }
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
        return await this.#noHead(outcome, started);
      }
    }
  }

  /**
   * A wait for a head that ended without bytes: a head begun and not finished
   * in time is answered 408 (one too large, 431); otherwise the connection
   * just ends (idle timeout, or closed by the client). Always null.
   */
  #noHead(outcome: Exclude<FillOutcome, "data">, started: boolean): null | Promise<null> {
    if (outcome === "timeout" && started) {
      return this.#refuse("header_timeout", null, null).then(NULL);
    }
    if (outcome === "full") {
      return this.#refuse("head_too_large", null, null).then(NULL); // unreachable while the parser enforces it
    }
    connectionLog.debug("closing connection from {remote}: {reason}", {
      remote: this.#remoteText(),
      reason: outcome !== "timeout"
        ? (started ? "closed mid-head" : "closed")
        : this.#ctx.draining()
        ? "shutting down"
        : "idle timeout",
    });
    return null;
  }

  /**
   * Answers one request whose head has been read. Returns whether to keep the
   * connection: as a value when every step ran at once (a synchronous
   * handler's text or bytes answer, the usual case), else as a promise. The
   * steps are methods, not one async function, so the usual request costs no
   * async frame (it was ~700 B per request) and no microtask turn.
   */
  #respond(head: RequestHead, served: number): boolean | Promise<boolean> {
    if (this.#abandoned) return false; // read while shutdown's deadline closes the connection
    // The access log's start time, or null when it is off: asked once per
    // request, and the clock is not read for nothing.
    const started = accessLog.isEnabledFor("info") ? performance.now() : null;
    const ctx = this.#ctx;
    const framing = bodyFraming(head);
    if (typeof framing === "string") return this.#refuse(framing, head, null);

    // Expect (RFC 9110 §10.1.1): only 100-continue exists, and HTTP/1.0
    // clients' expectations are ignored.
    const expect = head.expect;
    const wantsContinue = expect !== null && head.version === "HTTP/1.1" &&
      framing.kind !== "none";
    if (expect !== null && head.version === "HTTP/1.1" && expect.toLowerCase() !== "100-continue") {
      return this.#refuse("unsupported_expectation", head, null);
    }
    const body = this.#bodyReader(framing, wantsContinue);
    if (body.failure !== null) return this.#refuse(body.failure, head, body);

    // Keep-alive (RFC 9112 §9.3): HTTP/1.1 unless "close"; HTTP/1.0 only on request.
    const connection = head.connection;
    const clientKeepsAlive = head.version === "HTTP/1.1"
      ? !hasToken(connection, "close")
      : hasToken(connection, "keep-alive");
    const keepAlive = clientKeepsAlive && served < ctx.limits.maxRequestsPerConnection;
    const turn = new Turn(head, body, keepAlive, wantsContinue, started, clientKeepsAlive);
    this.#unanswered = turn;

    const match = ctx.router.match(head.method, head.rawPath);
    if (match.kind === "not_found") return this.#answer(turn, NOT_FOUND);
    if (match.kind === "method_not_allowed") {
      turn.counted = match.metered ? match.pattern : null;
      const allow = { "Allow": match.allow };
      return this.#answer(turn, text("Method Not Allowed\n", { status: 405, headers: allow }));
    }
    const route = match.route;
    turn.counted = route.metered ? route.pattern : null;
    if (!route.streamBody && !body.done) return this.#readBodyThenRun(turn, route, match.params);
    return this.#runRoute(turn, route, match.params, NO_BYTES);
  }

  /** Reads a buffered route's whole body, then runs the route. */
  async #readBodyThenRun(
    turn: Turn,
    route: Route,
    params: Readonly<Record<string, string>>,
  ): Promise<boolean> {
    // Read before taking a permit: a slow upload holds a connection, not a worker.
    const all = await turn.body.readAll();
    if (this.#abandoned) return false; // shutdown answered it meanwhile: its handler must not run
    if (typeof all === "string") return await this.#refuse(all, turn.head, turn.body);
    return await this.#runRoute(turn, route, params, all);
  }

  /** Runs the route's handler on the request, then answers with what it returns. */
  #runRoute(
    turn: Turn,
    route: Route,
    params: Readonly<Record<string, string>>,
    buffered: Uint8Array,
  ): boolean | Promise<boolean> {
    if (route.streamBody) turn.streaming = this.#exchange(turn.body);
    const request = new RawRequest(turn.head, buffered, this.remote, params, turn.streaming);
    if (!route.pooled) return this.#handle(turn, route, request, null);
    const permit = this.#ctx.pool.acquire();
    if (permit === POOL_FULL) {
      this.#endExchange(new Error("server busy"));
      turn.keepAlive = false;
      return this.#answer(turn, rejection("overloaded", { "Retry-After": "1" }));
    }
    if (!(permit instanceof Promise)) return this.#handle(turn, route, request, permit);
    return permit.then((granted) => {
      // The connection closed while the request waited (the client left), or
      // shutdown's deadline answered it with 503: its handler must not run (a
      // client may retry a 503, and a request must not be carried out twice).
      if (this.#closed || this.#abandoned) {
        granted.release();
        return false;
      }
      return this.#handle(turn, route, request, granted);
    });
  }

  /** Sends the response (or the request body's refusal), then finishes the request. */
  #answer(turn: Turn, response: RawResponse): boolean | Promise<boolean> {
    if (this.#abandoned) {
      // Shutdown's deadline answered this request already.
      discard(response);
      return false;
    }
    this.#unanswered = null;
    const { head, body } = turn;
    // A body refused while the handler read it (too large, malformed, too slow)
    // is answered with its own status, whatever the handler made of the error.
    if (body.failure !== null) {
      this.#endExchange(new Error(`request body refused: ${body.failure}`));
      discard(response); // never sent: its producer must not wait for a reader forever
      return this.#refuse(body.failure, head, body);
    }
    // Checked after the handler: shutdown may have begun while it ran. (A
    // handler's own Connection: close is honoured by the serialiser.) A
    // 100-continue client never told to send its body cannot reuse the
    // connection: say so in this response's head (RFC 9110 §10.1.1).
    if (this.#ctx.draining() || (turn.wantsContinue && !body.started && !body.done)) {
      turn.keepAlive = false;
    }
    const options = {
      keepAlive: turn.keepAlive,
      omitBody: head.method === "HEAD",
      date: currentHttpDate(),
      version: head.version,
      closingSignal: this.#closingSignal,
    };
    let written;
    try {
      written = this.#write(head, response, options, body);
    } catch (error) {
      return this.#failExchange(error);
    }
    if (written instanceof Promise) {
      return written.then(
        (result) => this.#finish(turn, result),
        (error) => this.#failExchange(error),
      );
    }
    return this.#finish(turn, written);
  }

  /** After the response went out (or was queued): the body's rest, the counters, the log. */
  #finish(turn: Turn, written: Written | null): boolean | Promise<boolean> {
    const { head, body } = turn;
    if (written === null) {
      // The response stream failed on the request body it was echoing: the
      // body's own refusal answers, and the connection closes.
      this.#endExchange(new Error(`request body refused: ${body.failure}`));
      return this.#refuse(body.failure!, head, body);
    }
    // A body that failed while streamed back cannot be read past: close.
    if (!written.reusable || body.failure !== null) turn.keepAlive = false;
    if (!turn.keepAlive) this.#lingerOnEnd = this.#mayStillSend(turn);
    // The handler may have left some of the body unread (or echoed it, so this
    // comes after the write). Read past it so the next request starts at the
    // right byte, sending the answer first; if it turns out malformed, close.
    if (!body.done && turn.keepAlive) return this.#drainThenEnd(turn, written);
    return this.#end(turn, written);
  }

  async #drainThenEnd(turn: Turn, written: Written): Promise<boolean> {
    this.#output.send();
    if (!(await turn.body.drain())) {
      // Too large, malformed or too slow to read past: close, letting the client read the answer.
      turn.keepAlive = false;
      this.#lingerOnEnd = true;
    }
    return await this.#end(turn, written);
  }

  /** Counts and logs the request, and flushes when the answers should go out now. */
  #end(turn: Turn, written: Written): boolean | Promise<boolean> {
    const head = turn.head;
    if (turn.counted !== null) this.#ctx.metrics.record(turn.counted, written.status);
    if (turn.started !== null) {
      this.#logAccess(head, written.status, written.bytes, turn.started, null);
    }
    if (
      !turn.keepAlive || this.#output.queuedBytes >= MAX_QUEUED_OUTPUT_BYTES ||
      turn.streaming?.awaited === true // completed settles once the bytes are out
    ) {
      return this.#flushThenEnd(turn.keepAlive);
    }
    this.#endExchange();
    return turn.keepAlive;
  }

  async #flushThenEnd(keepAlive: boolean): Promise<boolean> {
    try {
      await this.#output.flush();
    } catch (error) {
      return this.#failExchange(error); // info.completed settles either way
    }
    this.#endExchange();
    return keepAlive;
  }

  /** Fails the streaming request in progress with a socket error, and rethrows it. */
  #failExchange(error: unknown): never {
    this.#endExchange(error);
    throw error; // the peer went away or stopped reading
  }

  /**
   * Queues (or, for a stream, writes) the response. A handler's invalid head
   * becomes a 500; a stream that fails before its first byte becomes a 500,
   * or null when the failure was the request body's (the caller refuses it).
   * A text or bytes body is queued at once, and the result is a value, not a
   * promise: the usual response costs no microtask turn here.
   */
  #write(
    head: RequestHead,
    response: RawResponse,
    options: WriteOptions,
    body: BodyReader,
  ): Written | null | Promise<Written | null> {
    const payload = response.body;
    if (payload !== undefined && isStreamBody(payload)) {
      return this.#writeStream(head, response, options, body);
    }
    try {
      return queueFixed(this.#output, response, options);
    } catch (error) {
      return this.#writeFailed(head, error, options);
    }
  }

  /** Whether a streamed response is being written (shutdown cuts it; see {@link abandon}). */
  #streaming = false;

  async #writeStream(
    head: RequestHead,
    response: RawResponse,
    options: WriteOptions,
    body: BodyReader,
  ): Promise<Written | null> {
    this.#streaming = true;
    try {
      return await this.#writeStreamOut(head, response, options, body);
    } finally {
      this.#streaming = false;
    }
  }

  async #writeStreamOut(
    head: RequestHead,
    response: RawResponse,
    options: WriteOptions,
    body: BodyReader,
  ): Promise<Written | null> {
    // A client that leaves during a stream is noticed by a read, not by a
    // write (the stream may be idle): once the writer finds the stream waiting
    // on its producer (it asks for the closing signal then), watch for EOF.
    // A stream whose chunks are all ready needs no watch.
    const watching: WriteOptions = {
      ...options,
      closingSignal: () => {
        if (body.done) this.#watchForClose();
        return options.closingSignal();
      },
    };
    try {
      return await writeResponse(this.#output, response, watching);
    } catch (error) {
      if (error instanceof StreamFailedEarly && body.failure !== null) return null;
      return this.#writeFailed(head, error, options);
    }
  }

  /** A response that could not be written as the handler made it: 500, or rethrow a socket error. */
  #writeFailed(head: RequestHead, error: unknown, options: WriteOptions): Written {
    if (error instanceof StreamFailedEarly) {
      handlerLog.error("response stream for {method} {path} failed: {error}", {
        method: head.method,
        path: head.rawPath,
        error: error.cause,
      });
    } else if (error instanceof TypeError) {
      handlerLog.error("invalid response to {method} {path}: {error}", {
        method: head.method,
        path: head.rawPath,
        error,
      });
    } else {
      throw error; // the peer went away or stopped reading
    }
    const fallback = rejection("handler_error");
    return queueFixed(this.#output, fallback, options);
  }

  /** Closes the connection when the client closes its side (a read sees EOF). */
  #watchForClose(): void {
    this.#reader.watch().then((closed) => {
      if (closed) this.close();
    });
  }

  /** A body reader for `framing` that sends `100 Continue` before its first socket read. */
  #bodyReader(framing: Framing, wantsContinue: boolean): BodyReader {
    // A request without a body (most of them) gets the connection's one
    // reader of no body: it is done from the start and never changes.
    if (framing.kind === "none") {
      return this.#noBody ??= new BodyReader(this.#reader, framing, this.#ctx.limits, Infinity);
    }
    // A client that sent body bytes already (not waiting after all) needs no 100.
    const sendContinue = wantsContinue && this.#reader.buffered === 0
      ? async () => {
        this.#output.queue(CONTINUE_BYTES);
        await this.#output.flush();
      }
      : null;
    const limits = this.#ctx.limits;
    const deadline = performance.now() + limits.bodyTimeoutMs;
    return new BodyReader(this.#reader, framing, limits, deadline, sendContinue);
  }

  /** The body reader of every request without a body, made on first need. */
  #noBody: BodyReader | null = null;

  /**
   * The exchange of a streaming route's request: its body stream, and the
   * signal and completion promise made when the handler asks for them.
   */
  #exchange(body: BodyReader): Exchange {
    let bodyStream: ReadableStream<Uint8Array> | null = null;
    if (!body.done) {
      bodyStream = new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          const piece = await body.read();
          if (piece === null) {
            controller.close();
            exchange.bodyEnded();
          } else if (typeof piece === "string") {
            exchange.bodyFailed();
            const error = new Error(`request body refused: ${piece}`);
            controller.error(error);
            // The client stopped sending (a reset, or a half-close): the
            // handler's signal aborts, and the refusal is still sent, for a
            // client that half-closed can read it.
            if (piece === "incomplete_body") this.#endExchange(error);
          } else {
            controller.enqueue(piece);
          }
        },
      }, { highWaterMark: 0 });
    }
    const exchange = new Exchange(bodyStream, () => this.#watchForClose());
    // A shutdown deadline or a client gone: the signal aborts, completed rejects.
    this.#exchangeInFlight = exchange;
    return exchange;
  }

  /** Ends the streaming request in progress, if any: delivered, or failed with `error`. */
  #endExchange(error?: unknown): void {
    const exchange = this.#exchangeInFlight;
    if (exchange === null) return;
    this.#exchangeInFlight = null;
    exchange.done(error);
  }

  /**
   * Runs the route's handler and answers with what it gives, giving back its
   * permit (when it holds one) as soon as the handler is done. A synchronous
   * handler's answer is answered at once: no microtask hop. An asynchronous
   * one's settling is one `then` that releases, checks and answers (a chain
   * of three, pool, check and answer, cost about 0.4 µs of a fetch request).
   * While a streaming handler waits for its body to arrive, its permit is
   * lent to the pool (see pool.ts): a slow upload holds no worker.
   */
  #handle(
    turn: Turn,
    route: Route,
    request: RawRequest,
    permit: Permit | null,
  ): boolean | Promise<boolean> {
    if (permit !== null && !turn.body.done) turn.body.lendWhileWaiting(permit);
    let result: unknown;
    try {
      result = route.handler(request);
    } catch (error) {
      permit?.release();
      return this.#answer(turn, this.#handlerFailed(request, error));
    }
    if (isThenable(result)) {
      // A native promise, or any thenable (another realm's, a library's): adopted as await would.
      const settling = result instanceof Promise ? result : Promise.resolve(result);
      return settling.then(
        (response) => {
          permit?.release();
          return this.#answer(turn, this.#checked(request, response));
        },
        (error) => {
          permit?.release();
          return this.#answer(turn, this.#handlerFailed(request, error));
        },
      );
    }
    permit?.release();
    return this.#answer(turn, this.#checked(request, result));
  }

  /** The handler's answer if it is a response; a 500 otherwise. */
  #checked(request: RawRequest, response: unknown): RawResponse {
    if (isRawResponse(response)) return response;
    return this.#handlerFailed(
      request,
      new TypeError("handler returned something that is not a response"),
    );
  }

  #handlerFailed(request: RawRequest, error: unknown): RawResponse {
    handlerLog.error("handler for {method} {path} threw: {error}", {
      method: request.method,
      path: request.rawPath,
      error,
    });
    return rejection("handler_error");
  }

  /**
   * Answers a refused request with its status and fixed text, logs the reason,
   * and sets the connection to close (framing may be in doubt). Returns false.
   */
  async #refuse(
    code: RejectionCode,
    head: RequestHead | null,
    body: BodyReader | null,
  ): Promise<false> {
    if (this.#abandoned || this.#closed) return false; // shutdown's deadline answered already
    const started = accessLog.isEnabledFor("warning") ? performance.now() : null;
    const response = rejection(code);
    const bytes = serializeResponse(response, {
      keepAlive: false,
      omitBody: head?.method === "HEAD",
      date: currentHttpDate(),
    });
    this.#unanswered = null;
    this.#output.queue(bytes);
    this.#ctx.metrics.record(null, response.status);
    if (started !== null) this.#logAccess(head, response.status, bytes.length, started, code);
    // Linger only where the client may still be sending: after a timeout it is
    // slow anyway, and before a 100-continue it waits for us.
    this.#lingerOnEnd = code !== "header_timeout" && code !== "body_timeout" &&
      (body === null || body.started || head?.expect == null);
    await this.#output.flush();
    return false;
  }

  /**
   * Whether the client may still send after the response to `turn`, so
   * closing must linger: it meant to keep the connection (more requests may
   * be on their way), sent bytes beyond this request, or has not finished
   * sending its body (unless it waits for `100 Continue`, which it never got).
   */
  #mayStillSend(turn: Turn): boolean {
    const body = turn.body;
    const bodyComing = !body.done && !(turn.wantsContinue && !body.started);
    return turn.clientKeepsAlive || this.#reader.buffered > 0 || bodyComing;
  }

  /**
   * Ends the connection because shutdown began: nothing is in progress, but
   * the client may be sending its next request right now, so the close
   * lingers (it sees a clean end, not a reset, and may retry elsewhere).
   */
  #endForShutdown(): null {
    this.#lingerOnEnd = true;
    return null;
  }

  /**
   * Half-closes, then reads and discards what the client still sends, until
   * it closes its side or LINGER_TIMEOUT passes, so our last answer is read
   * before the close resets the connection (a close with unread input sends
   * RST, which can destroy the answer in the client's receive buffer). This
   * is Go's closeWriteAndWait and nginx's lingering close.
   */
  async #linger(): Promise<void> {
    const timeout = this.#ctx.limits.lingerTimeoutMs;
    if (timeout === 0 || this.#closed) return;
    if (this.#lingerDeadline === Infinity) this.#lingerDeadline = performance.now() + timeout;
    const reader = this.#reader;
    try {
      if (!this.#halfClosed) {
        this.#halfClosed = true;
        await this.#socket.closeWrite();
      }
      for (;;) {
        reader.consume(reader.buffered);
        if ((await reader.fill(this.#lingerDeadline)) !== "data") return;
      }
    } catch {
      // the peer already went away: nothing left to linger for
    }
  }

  /**
   * Shutdown began: a connection waiting for its next request ends now, by
   * lingering (it may be sending that request this very moment); one busy
   * with a request ends after answering it, with `Connection: close`; one
   * that has not sent its first request yet is served within CLIENT_TIMEOUT.
   */
  drain(): void {
    if (this.#closed || !this.idle) return;
    this.#lingerOnEnd = true;
    this.#reader.endWait(); // the idle wait ends at once; its read stays in flight for the linger
  }

  /**
   * Shutdown's deadline for answers passed: a request read and not yet
   * answered gets 503 with `Connection: close` (its handler's answer, if it
   * ever comes, is dropped, and its signal aborts); a response still being
   * streamed is cut; then the connection closes by lingering. Resolves when
   * the socket is closed.
   */
  async abandon(): Promise<void> {
    if (this.#closed) return;
    const turn = this.#unanswered;
    if (turn === null && this.#streaming) {
      this.close(); // a response stream in progress: nothing to add to it
      return;
    }
    this.#abandoned = true;
    this.#unanswered = null;
    turn?.body.stop(); // the linger alone reads from now on
    try {
      if (turn !== null) {
        const bytes = serializeResponse(rejection("shutting_down", { "Retry-After": "1" }), {
          keepAlive: false,
          omitBody: turn.head.method === "HEAD",
          date: currentHttpDate(),
        });
        this.#ctx.metrics.record(null, 503);
        if (turn.started !== null) {
          this.#logAccess(turn.head, 503, bytes.length, turn.started, "shutting_down");
        }
        this.#endExchange(new DOMException("server shutting down", "AbortError"));
        this.#output.queue(bytes);
      }
      await this.#output.flush();
      await this.#linger();
    } catch {
      // the peer went away meanwhile
    } finally {
      this.close();
    }
  }

  #remoteText(): string {
    return `${this.remote.hostname}:${this.remote.port}`;
  }

  /** One access line; callers check the level first (they need the answer for the clock). */
  #logAccess(
    head: RequestHead | null,
    status: number,
    bytes: number,
    started: number,
    refused: RejectionCode | null,
  ): void {
    const fields = {
      method: head?.method ?? "-",
      // The path as sent: only visible ASCII, so it cannot forge log lines.
      path: head?.rawPath ?? "-",
      status,
      bytes,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      remote: this.#remoteText(),
      reason: refused ?? undefined,
    };
    if (refused === null) {
      accessLog.info("{method} {path} {status} {bytes}B {durationMs}ms {remote}", fields);
    } else {
      accessLog.warn(
        "{method} {path} {status} {bytes}B {durationMs}ms {remote} refused: {reason}",
        fields,
      );
    }
  }
}

/** Cancels a response's stream body, if it has one that is not locked (a locked one's reader ends it). */
function discard(response: RawResponse): void {
  const body = response.body;
  if (body === undefined || !isStreamBody(body)) return;
  if (body instanceof ReadableStream && body.locked) return;
  new ChunkSource(body).cancel();
}
