/**
 * One connection's life: read a head, read its body, run the handler through
 * the pool, write the response, and again while the connection is kept alive.
 *
 * This is the only place where refusal codes become bytes on the wire
 * ({@link REJECTIONS}), and the only module besides the server that touches the
 * socket. Requests on one connection are answered in order; responses to
 * pipelined requests already in the buffer are queued and go out in one write
 * just before the loop next waits for the client.
 *
 * @module
 */

import { readBody } from "./body.ts";
import { type RejectionCode, REJECTIONS } from "./errors.ts";
import { bodyFraming } from "./framing.ts";
import { hasToken } from "./headers.ts";
import { httpDate } from "./http_date.ts";
import { accessLog, connectionLog, handlerLog } from "./log.ts";
import type { Metrics } from "./metrics.ts";
import { type HeadLimits, HeadParser, type RequestHead } from "./parser.ts";
import { type Pool, POOL_FULL } from "./pool.ts";
import { beforeDeadline, SocketReader } from "./reader.ts";
import { RawRequest, type RemoteAddr } from "./request.ts";
import { type Handler, type RawResponse, responseHeader, text } from "./response.ts";
import type { Router } from "./router.ts";
import { CONTINUE_BYTES, serializeResponse } from "./serializer.ts";

/** Every limit and timeout a connection enforces (see config.ts for defaults and reasons). */
export interface ConnectionLimits extends HeadLimits {
  readonly recvBufferBytes: number;
  readonly maxBodyBytes: number;
  readonly maxRequestsPerConnection: number;
  readonly clientTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly writeTimeoutMs: number;
  readonly lingerTimeoutMs: number;
}

/** What a connection shares with the server and every other connection. */
export interface ConnectionContext {
  readonly limits: ConnectionLimits;
  readonly router: Router;
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

/** Serves one accepted socket until it closes. */
export class Connection {
  readonly remote: RemoteAddr;
  readonly #socket: Socket;
  readonly #ctx: ConnectionContext;
  readonly #reader: SocketReader;
  readonly #parser: HeadParser;
  /** True while waiting for the first byte of a request: safe to close at shutdown. */
  #idle = true;
  #closed = false;
  #queued: Uint8Array[] = [];
  #queuedBytes = 0;

  readonly #onClose: () => void;

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
    this.#parser = new HeadParser(limits);
  }

  /** Whether the connection waits between requests, with no request begun. */
  get idle(): boolean {
    return this.#idle;
  }

  /** Closes the socket now; a pending read or write fails and the loop ends. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#socket.close();
    } catch {
      // already closed by the peer's reset; nothing to do
    }
    this.#onClose();
  }

  /** Runs the request loop; resolves when the connection is closed. Never rejects. */
  async serve(): Promise<void> {
    const limits = this.#ctx.limits;
    let waitDeadline = Date.now() + limits.clientTimeoutMs;
    try {
      for (let served = 1;; served++) {
        const head = await this.#readHead(waitDeadline, served === 1);
        if (head === null) break;
        const keepAlive = await this.#respond(head, served);
        if (!keepAlive) break;
        waitDeadline = Date.now() + limits.idleTimeoutMs;
      }
      await this.#flush();
    } catch (error) {
      // A write to a peer that went away, or a write timeout: nothing to answer.
      connectionLog.debug("connection from {remote} ended: {error}", {
        remote: this.#remoteText(),
        error: String(error),
      });
    } finally {
      this.close();
    }
  }

  /**
   * Reads the next request head, or returns null after the connection should
   * end (closed, timed out, or refused: a refusal has been answered already).
   */
  async #readHead(waitDeadline: number, first: boolean): Promise<RequestHead | null> {
    const parser = this.#parser;
    const reader = this.#reader;
    const limits = this.#ctx.limits;
    parser.reset();
    // The first head must be complete within CLIENT_TIMEOUT of accept; a later
    // one within CLIENT_TIMEOUT of its first byte (until then IDLE_TIMEOUT runs).
    let headDeadline = first ? waitDeadline : Infinity;
    for (;;) {
      const result = parser.feed(reader.buf, reader.start, reader.end);
      if (result.kind === "head") {
        reader.consume(result.consumed);
        return result.head;
      }
      if (result.kind === "error") {
        await this.#refuse(result.code, null);
        return null;
      }
      const started = parser.started;
      if (started && headDeadline === Infinity) headDeadline = Date.now() + limits.clientTimeoutMs;
      await this.#flush(); // answers to pipelined requests go out before we wait
      if (!started && this.#ctx.draining()) return null;
      this.#idle = !started;
      const outcome = await reader.fill(started ? headDeadline : waitDeadline);
      this.#idle = false;
      if (outcome === "data") continue;
      if (outcome === "timeout" && started) {
        await this.#refuse("header_timeout", null);
      } else if (outcome === "full") {
        await this.#refuse("head_too_large", null); // unreachable while the parser enforces it
      } else {
        connectionLog.debug("closing connection from {remote}: {reason}", {
          remote: this.#remoteText(),
          reason: outcome === "timeout" ? "idle timeout" : started ? "closed mid-head" : "closed",
        });
      }
      return null;
    }
  }

  /** Reads the body, runs the handler and queues the response. Returns keep-alive. */
  async #respond(head: RequestHead, served: number): Promise<boolean> {
    const started = performance.now();
    const ctx = this.#ctx;
    const limits = ctx.limits;
    const framing = bodyFraming(head);
    if (typeof framing === "string") return await this.#refuse(framing, head);

    // Expect (RFC 9110 §10.1.1): only 100-continue exists, and HTTP/1.0
    // clients' expectations are ignored.
    const expect = head.headers.get("expect");
    let sendContinue = false;
    if (expect !== null && head.version === "HTTP/1.1") {
      if (expect.toLowerCase() !== "100-continue") {
        return await this.#refuse("unsupported_expectation", head);
      }
      sendContinue = framing.kind !== "none";
    }

    let body: Uint8Array = new Uint8Array(0);
    if (framing.kind !== "none") {
      if (framing.kind === "length" && framing.length > limits.maxBodyBytes) {
        return await this.#refuse("body_too_large", head); // before a byte of it is read
      }
      if (sendContinue && this.#reader.buffered === 0) {
        this.#queue(CONTINUE_BYTES);
        await this.#flush();
      }
      const read = await readBody(this.#reader, framing, limits, Date.now() + limits.bodyTimeoutMs);
      if (typeof read === "string") return await this.#refuse(read, head);
      body = read;
    }

    // Keep-alive (RFC 9112 §9.3): HTTP/1.1 unless "close"; HTTP/1.0 only on request.
    const connection = head.headers.get("connection");
    let keepAlive = head.version === "HTTP/1.1"
      ? !hasToken(connection, "close")
      : hasToken(connection, "keep-alive");
    if (served >= limits.maxRequestsPerConnection) keepAlive = false;

    let response: RawResponse;
    let metered = true;
    const match = ctx.router.match(head.method, head.path);
    if (match.kind === "not_found") {
      response = NOT_FOUND;
    } else if (match.kind === "method_not_allowed") {
      response = text("Method Not Allowed\n", { status: 405, headers: { "Allow": match.allow } });
    } else {
      metered = match.route.metered;
      const request = new RawRequest(head, body, this.remote, match.params);
      const call = () => this.#callHandler(match.route.handler, request);
      const outcome = match.route.pooled ? ctx.pool.run(call) : call();
      if (outcome === POOL_FULL) {
        keepAlive = false;
        response = rejection("overloaded", { "Retry-After": "1" });
      } else {
        response = await outcome;
      }
    }
    // Checked after the handler: shutdown may have begun while it ran.
    if (ctx.draining() || hasToken(responseHeader(response, "connection") ?? null, "close")) {
      keepAlive = false;
    }

    const options = { keepAlive, omitBody: head.method === "HEAD", date: httpDate() };
    let bytes: Uint8Array;
    try {
      bytes = serializeResponse(response, options);
    } catch (error) {
      handlerLog.error("invalid response to {method} {path}: {error}", {
        method: head.method,
        path: head.rawPath,
        error,
      });
      response = rejection("handler_error");
      bytes = serializeResponse(response, options);
    }
    this.#queue(bytes);
    if (metered) ctx.metrics.record(head.path, response.status);
    this.#logAccess(head, response.status, bytes.length, started, null);
    if (!keepAlive) await this.#flush();
    else if (this.#queuedBytes >= MAX_QUEUED_OUTPUT_BYTES) await this.#flush();
    return keepAlive;
  }

  async #callHandler(handler: Handler, request: RawRequest): Promise<RawResponse> {
    try {
      return await handler(request);
    } catch (error) {
      handlerLog.error("handler for {method} {path} threw: {error}", {
        method: request.method,
        path: request.rawPath,
        error,
      });
      return rejection("handler_error");
    }
  }

  /**
   * Answers a refused request with its status and fixed text, logs the reason,
   * and sets the connection to close (framing may be in doubt). Returns false.
   */
  async #refuse(code: RejectionCode, head: RequestHead | null): Promise<false> {
    const started = performance.now();
    const response = rejection(code);
    const bytes = serializeResponse(response, {
      keepAlive: false,
      omitBody: head?.method === "HEAD",
      date: httpDate(),
    });
    this.#queue(bytes);
    this.#ctx.metrics.record(null, response.status);
    this.#logAccess(head, response.status, bytes.length, started, code);
    await this.#flush();
    // After a timeout a read is still pending on the socket; the client is slow
    // anyway, so close at once instead of lingering.
    if (code !== "header_timeout" && code !== "body_timeout") await this.#linger();
    return false;
  }

  /**
   * Half-closes, then reads and discards what the client still sends, for at
   * most LINGER_TIMEOUT, so the refusal is read before the close resets the
   * connection (a close with unread input sends RST, which can destroy our
   * answer in the client's receive buffer).
   */
  async #linger(): Promise<void> {
    const timeout = this.#ctx.limits.lingerTimeoutMs;
    if (timeout === 0) return;
    const deadline = Date.now() + timeout;
    try {
      await this.#socket.closeWrite();
      const scratch = new Uint8Array(16 * 1024);
      for (;;) {
        const n = await beforeDeadline(this.#socket.read(scratch), deadline);
        if (n === null || n === "timeout") return;
      }
    } catch {
      // the peer already went away: nothing left to linger for
    }
  }

  #queue(bytes: Uint8Array): void {
    this.#queued.push(bytes);
    this.#queuedBytes += bytes.length;
  }

  /** Writes all queued responses, as one buffer, within WRITE_TIMEOUT. */
  async #flush(): Promise<void> {
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
    const deadline = Date.now() + this.#ctx.limits.writeTimeoutMs;
    for (let written = 0; written < out.length;) {
      const n = await beforeDeadline(this.#socket.write(out.subarray(written)), deadline);
      if (n === "timeout") throw new Error("write timeout");
      written += n;
    }
  }

  #remoteText(): string {
    return `${this.remote.hostname}:${this.remote.port}`;
  }

  #logAccess(
    head: RequestHead | null,
    status: number,
    bytes: number,
    started: number,
    refused: RejectionCode | null,
  ): void {
    if (!accessLog.isEnabledFor(refused === null ? "info" : "warning")) return;
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

/** The response for a refusal code: its status and fixed text, as plain text. */
export function rejection(
  code: RejectionCode,
  headers: Readonly<Record<string, string>> = {},
): RawResponse {
  const { status, text: body } = REJECTIONS[code];
  return text(body + "\n", { status, headers });
}
