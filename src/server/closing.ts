/**
 * How a connection closes: refused requests, shutdown (the drain, then the
 * deadline for answers), and the lingering close.
 *
 * A refusal always closes the connection (the framing of what follows may
 * be in doubt), with its status and a fixed text that never echoes the
 * client's input (protocol/rejections.ts). Any close after which the client
 * may still be sending lingers (see lingering_close.ts): closing a socket
 * with unread input sends a reset, which can destroy the answer before the
 * client reads it.
 *
 * @module
 */

import { accessStart, logAccess } from "./access_log.ts";
import type { BodyReader } from "./body.ts";
import { discard } from "./answer_writer.ts";
import type { RawResponse } from "../app/response.ts";
import type { ConnectionContext, Socket } from "./connection_context.ts";
import { currentHttpDate } from "../protocol/http_date.ts";
import type { Exchange } from "./exchange.ts";
import type { Output } from "../io/output.ts";
import { ReaderLinger } from "./lingering_close.ts";
import { rejection, type RejectionCode, REJECTIONS } from "../protocol/rejections.ts";
import type { RemoteAddr } from "../app/request.ts";
import type { RequestHead } from "../protocol/head_parser.ts";
import { serializeResponse } from "../protocol/serializer.ts";
import type { SocketReader } from "../io/reader.ts";
import type { Streams } from "./streams.ts";
import { telemetry } from "./telemetry.ts";

/** What {@link Closing} needs of its connection. */
export interface ClosingHost {
  readonly remote: RemoteAddr;
  /** Whether the connection waits between requests, with no request begun. */
  readonly idle: boolean;
  close(): void;
}

/** One connection's closing state and the ways it closes. */
export class Closing {
  /** Whether the socket is closed. */
  closed = false;
  /** Set when shutdown's deadline answered the request in progress: its handler's own answer is dropped. */
  abandoned = false;
  /** The request read and not yet answered (its response not queued): shutdown's deadline answers it with 503. */
  unanswered: Exchange | null = null;
  /** Whether the connection, once its last answer is flushed, must close by lingering rather than at once. */
  lingerOnEnd = false;
  readonly #host: ClosingHost;
  readonly #socket: Socket;
  readonly #reader: SocketReader;
  readonly #output: Output;
  readonly #ctx: ConnectionContext;
  readonly #streams: Streams;
  /** The lingering close, made when it starts (by the connection's end or by shutdown). */
  #linger: ReaderLinger | null = null;

  constructor(
    host: ClosingHost,
    socket: Socket,
    reader: SocketReader,
    output: Output,
    ctx: ConnectionContext,
    streams: Streams,
  ) {
    this.#host = host;
    this.#socket = socket;
    this.#reader = reader;
    this.#output = output;
    this.#ctx = ctx;
    this.#streams = streams;
  }

  /**
   * Answers a refused request (`head` and `body` null where not read) with
   * its status and fixed text, logs the reason, and sets the connection to
   * close. Resolves to false (the connection is not kept) once flushed.
   */
  async refuse(
    code: RejectionCode,
    head: RequestHead | null,
    body: BodyReader | null,
  ): Promise<false> {
    if (this.abandoned || this.closed) return false; // shutdown's deadline answered already
    this.unanswered = null;
    this.#queueRefusal(code, head, accessStart("warning"));
    this.lingerOnEnd = lingersAfterRefusal(code, head, body);
    await this.#output.flush();
    return false;
  }

  /**
   * Refuses the request of `exchange` for its body's failure (found as the
   * handler read it, or as a response stream echoed it), dropping `response`
   * if it was not sent.
   */
  refuseBody(exchange: Exchange, response: RawResponse | null): Promise<false> {
    const failure = exchange.body.failure!;
    this.#streams.end(new Error(`request body refused: ${failure}`));
    if (response !== null) discard(response); // never sent: its producer must not wait forever
    return this.refuse(failure, exchange.head, exchange.body);
  }

  /** Queues the refusal, counts it and logs it (when `started` is not null). */
  #queueRefusal(
    code: RejectionCode,
    head: RequestHead | null,
    started: number | null,
    headers?: Readonly<Record<string, string>>,
  ): void {
    const bytes = refusalBytes(code, head, headers);
    const status = REJECTIONS[code].status;
    this.#output.queue(bytes);
    this.#ctx.metrics.record(null, status);
    if (telemetry !== null) telemetry.refused(this.#host, code, head, this.#ctx.secure === true);
    if (started !== null) logAccess(this.#host.remote, head, status, bytes.length, started, code);
  }

  /**
   * The lingering close (see lingering_close.ts), until the client closes
   * its side or LINGER_TIMEOUT passes; the caller closes the socket after.
   */
  async linger(): Promise<void> {
    if (this.closed) return;
    const timeoutMs = this.#ctx.limits.lingerTimeoutMs;
    await (this.#linger ??= new ReaderLinger(this.#reader, this.#socket, timeoutMs)).run();
  }

  /**
   * Shutdown began: a connection waiting for its next request ends now, by
   * lingering (it may be sending that request this very moment); one busy
   * with a request ends after answering it, with `Connection: close`; one
   * that has not sent its first request yet is served within CLIENT_TIMEOUT.
   */
  drain(): void {
    if (this.closed || !this.#host.idle) return;
    this.lingerOnEnd = true;
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
    if (this.closed) return;
    const exchange = this.unanswered;
    if (exchange === null && this.#streams.writing) {
      this.#host.close(); // a response stream in progress: nothing to add to it
      return;
    }
    this.abandoned = true;
    this.unanswered = null;
    exchange?.body.stop(); // the linger alone reads from now on
    try {
      if (exchange !== null) {
        this.#streams.end(new DOMException("server shutting down", "AbortError"));
        const retry = { "Retry-After": "1" };
        this.#queueRefusal("shutting_down", exchange.head, exchange.started, retry);
      }
      await this.#output.flush();
      await this.linger();
    } catch {
      // the peer went away meanwhile
    } finally {
      this.#host.close();
    }
  }
}

/**
 * The whole response refusing the request with `head` (null when no head
 * was read) for `code`, with `Connection: close`, and `headers` added.
 */
export function refusalBytes(
  code: RejectionCode,
  head: RequestHead | null,
  headers?: Readonly<Record<string, string>>,
): Uint8Array {
  return serializeResponse(rejection(code, headers), {
    keepAlive: false,
    omitBody: head?.method === "HEAD",
    date: currentHttpDate(),
  });
}

/**
 * Whether the close after refusing for `code` must linger, because the
 * client may still be sending. Not after a timeout: the client is slow
 * anyway. Not when it waits for `100 Continue` before its body (`body`
 * never read): it sends nothing more.
 */
export function lingersAfterRefusal(
  code: RejectionCode,
  head: RequestHead | null,
  body: BodyReader | null,
): boolean {
  return code !== "header_timeout" && code !== "body_timeout" &&
    (body === null || body.started || head?.expect == null);
}
