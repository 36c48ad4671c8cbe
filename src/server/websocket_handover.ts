/**
 * A connection handed over to a WebSocket after its 101: the socket's reads
 * go on through the connection's read buffer (so bytes the client sent
 * right after its handshake, and a read already in flight, are the socket's
 * first input), its writes straight to the socket, and closing it closes
 * the connection.
 *
 * @module
 */

import type { SocketReader } from "../io/reader.ts";
import type { Output } from "../io/output.ts";
import type { RawResponse } from "../app/response.ts";
import type { RemoteAddr } from "../app/request.ts";
import { switchingHead, validFields } from "../protocol/ws_handshake.ts";
import { rejection } from "../protocol/rejections.ts";
import type { RequestHead } from "../protocol/request_head.ts";
import { handlerLog } from "./log.ts";
import { takeUpgrade } from "./upgrade.ts";
import { recordAnswered } from "./access_log.ts";
import type { ConnectionContext, ConnectionLimits, Socket } from "./connection_context.ts";
import type { Exchange } from "./exchange.ts";
import type { ServerWebSocket } from "./server_websocket.ts";
import type { Streams } from "./streams.ts";
import { telemetry } from "./telemetry.ts";
import type { WsSessionOptions, WsTransport } from "./ws_options.ts";

/**
 * The socket a 101 answer stands for, when it may open: made by
 * `upgradeWebSocket()` for this very request, with fields that may go into a
 * head, not while shutting down. Else the answer to give instead, logged.
 */
export function acceptUpgrade(
  response: RawResponse,
  head: RequestHead,
  draining: boolean,
): ServerWebSocket | RawResponse {
  const socket = takeUpgrade(response, head.headers);
  const why = socket === null
    ? "a 101 answer that upgradeWebSocket() did not make for this request"
    : !Array.isArray(response.headers) || !validFields(response.headers)
    ? "the 101 answer's fields are not [token, string] pairs"
    : null;
  if (why !== null || draining) void socket?.shutdown(); // it never opens
  if (why !== null) {
    handlerLog.error("{path}: {why}", { path: head.rawPath, why });
    return rejection("handler_error");
  }
  return draining ? rejection("shutting_down", { "Retry-After": "1" }) : socket!;
}

/** What of the connection a handover uses. */
export interface HandoverParts {
  readonly ctx: ConnectionContext;
  readonly remote: RemoteAddr;
  readonly reader: SocketReader;
  readonly output: Output;
  readonly streams: Streams;
  readonly transport: WsTransport;
  /** Closes the connection (and so its socket); idempotent. */
  readonly closed: () => void;
}

/**
 * Writes the 101 (after any pipelined answers before it), counts and logs
 * the request, then opens `socket` over the connection. Resolves false: the
 * request loop ends, while the connection stays open, and counted, until
 * the socket closes. Rejects if the client left before the 101 went out.
 */
export async function handOver(
  socket: ServerWebSocket,
  response: RawResponse,
  exchange: Exchange,
  parts: HandoverParts,
): Promise<boolean> {
  const { ctx, output } = parts;
  const head = switchingHead(response.headers as Array<[string, string]>);
  output.queue(head);
  await output.flush();
  // Shutdown ended the socket while the 101 was written: no socket to open.
  if (socket.readyState === WebSocket.CLOSED) {
    parts.closed();
    return false;
  }
  if (telemetry !== null) telemetry.end(exchange, { status: 101, body: 0 }); // as Deno.serve: at the 101
  recordAnswered(ctx.metrics, parts.remote, exchange, 101, head.length, 0);
  ctx.metrics.websocketOpened();
  parts.streams.end(); // the 101 is delivered: the handler's `completed` settles
  socket.attach(parts.transport, new Uint8Array(0), {
    ...socketLimits(ctx.limits),
    onClosed: () => {
      ctx.metrics.websocketClosed();
      parts.closed();
    },
  });
  socket.start();
  return false;
}

/** The WebSocket's transport over a connection's reader and socket. */
export class HandedOver implements WsTransport {
  #reader: SocketReader | null;
  readonly #socket: Socket;
  readonly #close: () => void;

  constructor(reader: SocketReader, socket: Socket, close: () => void) {
    this.#reader = reader;
    this.#socket = socket;
    this.#close = close;
  }

  /**
   * What the connection's reader holds (bytes behind the head, or a read
   * that was in flight), then reads straight into `p`, with no deadline (the
   * socket's idle watch has one): the reader's buffer is given back then.
   */
  async read(p: Uint8Array): Promise<number | null> {
    const reader = this.#reader;
    if (reader !== null) {
      if (reader.buffered > 0 || reader.reading) {
        if (reader.buffered === 0 && (await reader.fill(Infinity)) !== "data") return null;
        const n = Math.min(reader.buffered, p.length);
        p.set(reader.buf.subarray(reader.start, reader.start + n));
        reader.consume(n);
        return n;
      }
      reader.dispose();
      this.#reader = null;
    }
    return await this.#socket.read(p);
  }

  write(p: Uint8Array): Promise<number> {
    return this.#socket.write(p);
  }

  close(): void {
    this.#close();
  }
}

/** A WebSocket's settings from the server's limits (an upgrade's own options win). */
export function socketLimits(limits: ConnectionLimits): WsSessionOptions {
  return {
    maxMessageBytes: limits.wsMaxMessageBytes,
    maxBufferedBytes: limits.wsMaxBufferedBytes,
    idleTimeoutMs: limits.wsIdleTimeoutMs,
    closeTimeoutMs: limits.wsCloseTimeoutMs,
  };
}
