/**
 * WebSocket upgrades for native handlers: {@link upgradeWebSocket} checks the
 * request (RFC 6455 §4.2.1), makes the socket, and returns the 101 answer the
 * handler returns; the connection, seeing that answer, writes it and hands
 * its socket over (connection.ts, websocket_handover.ts). A request that is
 * not a valid upgrade is a {@link WebSocketUpgradeError}, which the handler
 * call answers with its own status (400, or 426 with the version we speak).
 *
 * @module
 */

import type { RawRequest } from "../app/request.ts";
import type { RawResponse } from "../app/response.ts";
import {
  checkUpgrade,
  chooseProtocol,
  switchingHeaders,
  type WsRefusalCode,
} from "../protocol/ws_handshake.ts";
import { ServerWebSocket } from "./server_websocket.ts";

/** What `upgradeWebSocket` takes, as `Deno.upgradeWebSocket` does. */
export interface UpgradeWebSocketOptions {
  /** The subprotocol to answer with; it must be one the client offered. */
  readonly protocol?: string;
  /**
   * Seconds without input before the socket pings, then closes (Deno's
   * option, default 30 or the server's WS_IDLE_TIMEOUT); 0 turns it off.
   */
  readonly idleTimeout?: number;
}

/** What `upgradeWebSocket` returns: the socket, and the response the handler must return. */
export interface WebSocketUpgrade<R> {
  /** The server side of the WebSocket: `open` fires once the 101 is written. */
  readonly socket: WebSocket;
  /** What the handler must return: the 101 answer. */
  readonly response: R;
}

/** A request that cannot be upgraded; answered with `status` and a fixed text. */
export class WebSocketUpgradeError extends TypeError {
  /** 400, or 426 when the client asked for a version other than 13. */
  readonly status: 400 | 426;
  /** Fields the answer carries (`Sec-WebSocket-Version: 13` with a 426). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Which check failed. */
  readonly code: WsRefusalCode;

  /** A refusal of check `code`, answered with `status`, `text` and `headers`. */
  constructor(
    code: WsRefusalCode,
    status: 400 | 426,
    text: string,
    headers: ReadonlyArray<readonly [string, string]>,
  ) {
    super(text);
    this.name = "WebSocketUpgradeError";
    this.code = code;
    this.status = status;
    this.headers = headers;
  }
}

/** The 101 answers `upgradeWebSocket` made, with their sockets and requests, until taken. */
const PENDING = new WeakMap<object, { socket: ServerWebSocket; request: RawRequest }>();

/**
 * Upgrades a native request to a WebSocket, as `Deno.upgradeWebSocket` does
 * for `Deno.serve`'s: returns the socket (open once the 101 is written) and
 * the response to return. Throws a {@link WebSocketUpgradeError} for a
 * request that is not a valid upgrade, a TypeError for a protocol the client
 * did not offer or a bad idleTimeout.
 *
 * @example
 * ```ts ignore
 * router.get("/ws", (req) => {
 *   const { socket, response } = upgradeWebSocket(req);
 *   socket.onmessage = (e) => socket.send(e.data);
 *   return response;
 * });
 * ```
 */
export function upgradeWebSocket(
  request: RawRequest,
  options: UpgradeWebSocketOptions = {},
): WebSocketUpgrade<RawResponse> {
  const check = checkUpgrade(request);
  if (check.kind === "refuse") {
    throw new WebSocketUpgradeError(check.code, check.status, check.text, check.headers);
  }
  const choice = chooseProtocol(request, options.protocol);
  if (!choice.ok) throw new TypeError(`upgradeWebSocket(): ${choice.message}`);
  const idle = options.idleTimeout;
  if (idle !== undefined && !(typeof idle === "number" && idle >= 0 && idle <= 3600)) {
    throw new TypeError("upgradeWebSocket(): idleTimeout must be seconds from 0 to 3600");
  }
  if (request.upgraded !== null) {
    throw new TypeError("upgradeWebSocket(): this request is upgraded already");
  }
  const socket = new ServerWebSocket(null, new Uint8Array(0), {
    protocol: choice.protocol,
    ...(idle !== undefined ? { idleTimeoutMs: idle * 1000 } : {}),
  });
  // 101 is no status a handler may answer with otherwise: the connection
  // finds this answer in PENDING and writes it itself.
  const response = { status: 101, headers: switchingHeaders(check.accept, choice.protocol) };
  PENDING.set(response, { socket, request });
  request.upgraded = socket;
  return { socket, response: response as unknown as RawResponse };
}

/**
 * The socket of an answer `upgradeWebSocket` made for the request whose
 * header fields are `headers` (taken once), or null: for another request's
 * 101, one answered already, or one it did not make.
 */
export function takeUpgrade(response: RawResponse, headers: object): ServerWebSocket | null {
  const pending = PENDING.get(response);
  if (pending === undefined || pending.request.headers !== headers) return null;
  PENDING.delete(response);
  return pending.socket;
}
