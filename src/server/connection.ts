/**
 * One connection's life: read a head, plan the request, run its handler,
 * write the answer, keep the connection or close it, and again.
 *
 * The spine is two methods, the second where the handler's response comes
 * back: `#serveRequest` (plan, body reader and `Expect`, route, handler) and
 * `#answer` (write, keep or close). Its parts are files of their own: head
 * reading with the idle wait's detour (head_reader.ts), the plan
 * (request_plan.ts), the request's record (exchange.ts), the handler call
 * (handler_call.ts), streams (streams.ts, streaming.ts), writing
 * (answer_writer.ts), refusals, shutdown and the lingering close
 * (closing.ts), the access log (access_log.ts). A step that may wait returns
 * a {@link Step}: a value when it ran at once, so the usual request costs no
 * microtask hop.
 *
 * Only this connection's parts turn refusal codes into bytes on the wire
 * (closing.ts), and only they and the server hold the socket. Requests on
 * one connection are answered in order; responses to pipelined requests
 * already in the buffer are queued and go out in one write just before the
 * connection next waits for the client.
 *
 * @module
 */

import { accessStart, peer, recordAnswered } from "./access_log.ts";
import { withRequestId } from "./request_id.ts";
import { BodyReader, bodyReaderFor } from "./body.ts";
import { Closing } from "./closing.ts";
import type { ConnectionContext, ConnectionLimits, Socket } from "./connection_context.ts";
import { connectionLog } from "./log.ts";
import { currentHttpDate } from "../protocol/http_date.ts";
import { discard } from "./answer_writer.ts";
import { Exchange } from "./exchange.ts";
import { HandlerCaller, routeMiss } from "./handler_call.ts";
import { type HeadOutcome, HeadReader, SHUTDOWN } from "./head_reader.ts";
import { Output } from "../io/output.ts";
import { planRequest, type RequestPlan } from "./request_plan.ts";
import type { RawResponse } from "../app/response.ts";
import type { Route } from "../app/router.ts";
import type { RemoteAddr } from "../app/request.ts";
import { SocketReader } from "../io/reader.ts";
import type { Step } from "./step.ts";
import { Streams } from "./streams.ts";
import { telemetry } from "./telemetry.ts";
import type { Written } from "./response_writer.ts";
import { ServerWebSocket } from "./server_websocket.ts";
import { acceptUpgrade, HandedOver, handOver } from "./websocket_handover.ts";

export type { ConnectionContext, ConnectionLimits, Socket };

/** The body of a request that has none (allocating even an empty array costs ~0.5 µs). */
const NO_BYTES = new Uint8Array(0);

/** Flush queued pipelined responses once they pass this many bytes. */
const MAX_QUEUED_OUTPUT_BYTES = 64 * 1024;

/** Serves one accepted socket until it closes. */
export class Connection {
  readonly remote: RemoteAddr;
  readonly #socket: Socket;
  readonly #ctx: ConnectionContext;
  readonly #reader: SocketReader;
  readonly #output: Output;
  readonly #heads: HeadReader;
  readonly #streams: Streams;
  readonly #closing: Closing;
  readonly #handlers: HandlerCaller;
  readonly #onClose: () => void;
  /** Requests begun so far (heads read and being answered or answered). */
  #served = 0;
  /** The body reader of every request without a body, made on first need. */
  #noBody: BodyReader | null = null;
  /** The WebSocket the connection was handed over to after a 101 (websocket_handover.ts). */
  #websocket: ServerWebSocket | null = null;

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
    const { recvBufferBytes, maxHeadBytes } = limits;
    const reader = this.#reader = new SocketReader(socket, recvBufferBytes, maxHeadBytes + 1);
    // A write past WRITE_TIMEOUT closes the socket, which fails the write.
    const output = this.#output = new Output(socket, limits.writeTimeoutMs, () => this.close());
    this.#heads = new HeadReader(reader, output, ctx, remote, this.#onHead);
    this.#streams = new Streams(reader, output, this);
    const closing = this.#closing = new Closing(this, socket, reader, output, ctx, this.#streams);
    this.#handlers = new HandlerCaller(remote, ctx, this.#streams, closing, this.#onResponse);
  }

  /**
   * Whether the connection waits between requests, with no request begun:
   * safe to close at shutdown. A connection that has not sent its first
   * request is not idle: its client may have sent it already (it is in
   * flight), and a request lost on a fresh connection is not retried by
   * clients, so it gets served (with `Connection: close`) within CLIENT_TIMEOUT.
   */
  get idle(): boolean {
    return this.#heads.idle && this.#served > 0 && this.#websocket === null;
  }

  /** Closes the socket now; a pending read or write fails and the loop ends. */
  close(): void {
    if (this.#closing.closed) return;
    this.#closing.closed = true;
    if (telemetry !== null) telemetry.closed(this); // a request still open ends unanswered
    this.#output.dispose();
    this.#reader.dispose();
    this.#streams.closed();
    try {
      this.#socket.close();
    } catch {
      // already closed by the peer's reset; nothing to do
    }
    this.#onClose();
  }

  /** Shutdown began: an idle connection ends now, a busy one after its answer (see closing.ts). */
  drain(): void {
    if (this.#websocket !== null) void this.#websocket.shutdown(); // close 1001, going away
    else this.#closing.drain();
  }

  /**
   * Shutdown's deadline for answers passed: a request not yet answered gets
   * 503, a response stream is cut, then the connection closes by lingering
   * (see closing.ts). Resolves when the socket is closed.
   */
  abandon(): Promise<void> {
    if (this.#websocket !== null) return this.#websocket.shutdown(1001, 0);
    return this.#closing.abandon();
  }

  /** Runs the request loop; resolves when the connection is closed. Never rejects. */
  async serve(): Promise<void> {
    const closing = this.#closing;
    const acceptDeadline = performance.now() + this.#ctx.limits.clientTimeoutMs;
    try {
      // Each step reads a request and answers it; one that ran at once (a
      // pipelined head, a synchronous handler) comes back as a value, with
      // no microtask hop. One that waits for the next request may answer
      // many before it settles (see head_reader.ts).
      let step = this.#heads.serveNext(acceptDeadline);
      for (;;) {
        const keepAlive = step instanceof Promise ? await step : step;
        if (!keepAlive) break;
        step = this.#heads.serveNext(null);
      }
      await this.#output.flush();
      if (closing.lingerOnEnd && !closing.abandoned) await closing.linger();
    } catch (error) {
      // A write to a peer that went away, or a write timeout: nothing to answer.
      connectionLog.debug("connection from {remote} ended: {error}", {
        remote: peer(this.remote),
        error: String(error),
      });
    } finally {
      // An abandoned connection is closed by abandon(), once its 503 had its time to be
      // read; one handed over to a WebSocket, when the socket closes.
      if (!closing.abandoned && this.#websocket === null) this.close();
    }
  }

  /**
   * The spine, first half: one request's life from what reading its head
   * brought to its handler, whose response {@link #answer} writes. Every
   * step runs at once unless it must wait; the detours say where.
   */
  #serveRequest(next: HeadOutcome): Step<boolean> {
    const closing = this.#closing;
    // No head: the connection ends. Shutdown ends it between requests; the
    // client may be sending its next one right now, so the close lingers.
    if (next === null) return false;
    if (next === SHUTDOWN) {
      closing.lingerOnEnd = true;
      return false;
    }
    if (typeof next === "string") return closing.refuse(next, null, null);
    const head = next;
    const served = ++this.#served;
    if (closing.abandoned) return false; // read while shutdown's deadline closes the connection
    const started = accessStart("info");
    // The plan, from the head alone: the body's framing, Expect, keep-alive.
    const plan = planRequest(head, served, this.#ctx.limits);
    if (typeof plan === "string") return closing.refuse(plan, head, null);
    // The route, whose body limits the body reader keeps (a route may set its own).
    const match = this.#ctx.router.match(head.method, head.rawPath);
    // The body reader, which answers `Expect: 100-continue` before its first read.
    const body = this.#bodyReader(plan, match.kind === "found" ? match.route : null);
    if (body.failure !== null) return closing.refuse(body.failure, head, body);
    const exchange = new Exchange(head, plan, body, started, this.#streams);
    closing.unanswered = exchange;
    // One clock read, shared with the access log; none when neither logs nor times.
    exchange.begun = started ?? (this.#ctx.metrics.timing ? performance.now() : -1);
    if (telemetry !== null) telemetry.begin(this, exchange, match, this.#ctx.secure === true);
    // A path or method the router does not know is answered at once.
    if (match.kind !== "found") return this.#answer(routeMiss(match, exchange), exchange);
    const route = match.route;
    exchange.route = route.pattern;
    exchange.counted = route.metered ? route.pattern : null;
    // Detour: a buffered route's body is read whole before its handler runs.
    if (!route.streamBody && !body.done) {
      return this.#handlers.readBodyThenRun(exchange, route, match.params);
    }
    // The handler, in a pool permit; its response comes back to #answer.
    return this.#handlers.run(exchange, route, match.params, NO_BYTES);
  }

  /**
   * The spine, second half: writes the response to `exchange` (the
   * handler's, or the connection's own), then keeps the connection or
   * closes it.
   */
  #answer(response: RawResponse, exchange: Exchange): Step<boolean> {
    const closing = this.#closing;
    if (closing.abandoned) { // shutdown's deadline answered this request already
      discard(response);
      return false;
    }
    closing.unanswered = null;
    // Detour: the handler upgraded the request to a WebSocket (or answers why not).
    if ((response.status as number) === 101) {
      const socket = acceptUpgrade(response, exchange.head, this.#ctx.draining());
      if (socket instanceof ServerWebSocket) return this.#upgrade(socket, response, exchange);
      return this.#answer(socket, exchange);
    }
    const body = exchange.body;
    // A body refused while the handler read it (too large, malformed, too slow)
    // is answered with its own status, whatever the handler made of the error.
    if (body.failure !== null) return closing.refuseBody(exchange, response);
    // Checked after the handler: shutdown may have begun while it ran. (A
    // handler's own Connection: close is honoured by the serialiser.) A
    // 100-continue client never told to send its body cannot reuse the
    // connection: say so in this response's head (RFC 9110 §10.1.1).
    if (this.#ctx.draining() || (exchange.plan.wantsContinue && !body.started && !body.done)) {
      exchange.keepAlive = false;
    }
    exchange.date = currentHttpDate();
    if (this.#ctx.requestIdHeader === true) response = withRequestId(response, exchange);
    // andThen(written, #keepOrClose) written out, as on the hottest sites (see step.ts).
    const written = this.#streams.writeResponse(response, exchange);
    if (written instanceof Promise) return written.then((w) => this.#keepOrClose(w, exchange));
    return this.#keepOrClose(written, exchange);
  }

  /** After the response went out (or was queued): keep or close, read past the body's rest, end. */
  #keepOrClose(written: Written | null, exchange: Exchange): Step<boolean> {
    // Null: the response stream failed on the request body it was echoing.
    if (written === null) return this.#closing.refuseBody(exchange, null);
    const body = exchange.body;
    // A body that failed while streamed back cannot be read past: close.
    if (!written.reusable || body.failure !== null) exchange.keepAlive = false;
    if (!exchange.keepAlive) {
      this.#closing.lingerOnEnd = exchange.mayStillSend(this.#reader.buffered);
    }
    // Detour: the handler left some of the body unread (or echoed it, so this
    // comes after the write); read past it so the next request starts at the
    // right byte, sending the answer first.
    if (!body.done && exchange.keepAlive) return this.#drainThenEnd(exchange, written);
    return this.#end(exchange, written);
  }

  // The spine's halves as callbacks, bound once per connection: the head
  // reader calls #onHead, the handler call #onResponse. The code is in
  // methods, not in arrow fields: V8 optimised the spine so about 3% better.
  readonly #onHead = (next: HeadOutcome): Step<boolean> => this.#serveRequest(next);
  readonly #onResponse = (response: RawResponse, exchange: Exchange): Step<boolean> =>
    this.#answer(response, exchange);

  /** True while a request was read and its response has not begun (the in-flight gauge). */
  get answering(): boolean {
    return this.#closing.unanswered !== null;
  }

  /** Counts and logs the request, and flushes when the answers should go out now. */
  #end(exchange: Exchange, written: Written): Step<boolean> {
    const keepAlive = exchange.keepAlive;
    if (telemetry !== null) telemetry.end(this, written);
    recordAnswered(
      this.#ctx.metrics,
      this.remote,
      exchange,
      written.status,
      written.bytes,
      written.body,
    );
    if (
      !keepAlive || this.#output.queuedBytes >= MAX_QUEUED_OUTPUT_BYTES ||
      exchange.streaming?.awaited === true // completed settles once the bytes are out
    ) {
      return this.#flushThenEnd(keepAlive);
    }
    this.#streams.end();
    return keepAlive;
  }

  async #drainThenEnd(exchange: Exchange, written: Written): Promise<boolean> {
    this.#output.send();
    if (!(await exchange.body.drain())) {
      // Too large, malformed or too slow to read past: close, letting the client read the answer.
      exchange.keepAlive = false;
      this.#closing.lingerOnEnd = true;
    }
    return await this.#end(exchange, written);
  }

  async #flushThenEnd(keepAlive: boolean): Promise<boolean> {
    try {
      await this.#output.flush();
    } catch (error) {
      this.#streams.end(error); // completed settles either way
      throw error;
    }
    this.#streams.end();
    return keepAlive;
  }

  /** Writes the 101 and hands the connection over to `socket` (websocket_handover.ts). */
  #upgrade(socket: ServerWebSocket, response: RawResponse, exchange: Exchange): Promise<boolean> {
    this.#websocket = socket;
    const close = () => this.close();
    return handOver(socket, response, exchange, {
      ctx: this.#ctx,
      remote: this.remote,
      reader: this.#reader,
      output: this.#output,
      streams: this.#streams,
      transport: new HandedOver(this.#reader, this.#socket, close),
      closed: close,
    }).catch((error) => { // the client left before its 101: the socket never opens
      this.#websocket = null;
      void socket.shutdown();
      throw error;
    });
  }

  /** The body reader for the plan, which sends `100 Continue` before its first socket read. */
  #bodyReader({ framing, wantsContinue }: RequestPlan, route: Route | null): BodyReader {
    const limits = this.#ctx.limits;
    // A request without a body (most of them) gets the connection's one
    // reader of no body: it is done from the start and never changes.
    if (framing.kind === "none") {
      return this.#noBody ??= new BodyReader(this.#reader, framing, limits, Infinity);
    }
    const own = route?.bodyLimits ?? null; // a route's own body limits, over the server's
    const kept = own === null ? limits : { ...limits, ...own };
    return bodyReaderFor(this.#reader, this.#output, framing, wantsContinue, kept);
  }
}
