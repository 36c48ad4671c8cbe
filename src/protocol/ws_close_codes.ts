/**
 * WebSocket close codes (RFC 6455 §7.4 and the IANA "WebSocket Close Code
 * Number" registry): what each means, and which may travel in a close frame.
 *
 * A close frame may carry 1000-1003, 1007-1014 and 3000-4999, as the
 * Autobahn test suite expects. 1004 is reserved; 1005 (no code), 1006 (closed
 * without a close frame) and 1015 (TLS handshake) are only ever reported
 * locally and must never be sent; 0-999 are unused; 1016-2999 are reserved
 * for future RFCs and extensions, so a peer sending one is in error (we
 * negotiate no extension); 5000 and above do not exist.
 *
 * @example
 * ```ts
 * import { CLOSE, isSendableCloseCode } from "./ws_close_codes.ts";
 * isSendableCloseCode(CLOSE.goingAway); // true
 * isSendableCloseCode(CLOSE.noStatus); // false: 1005 is reported, never sent
 * ```
 *
 * @module
 */

/** The close codes by name (RFC 6455 §7.4.1; 1012-1014 from the IANA registry). */
export const CLOSE = {
  /** 1000: the purpose of the connection is fulfilled. */
  normal: 1000,
  /** 1001: the endpoint is going away: a server shutting down, a page left. */
  goingAway: 1001,
  /** 1002: the peer broke the protocol. */
  protocolError: 1002,
  /** 1003: a kind of data the endpoint cannot accept. */
  unsupportedData: 1003,
  /** 1005: reported when a close frame carried no code; never sent. */
  noStatus: 1005,
  /** 1006: reported when the connection closed without a close frame; never sent. */
  abnormal: 1006,
  /** 1007: a text message (or close reason) that is not UTF-8. */
  invalidPayload: 1007,
  /** 1008: a message that violates the endpoint's policy. */
  policyViolation: 1008,
  /** 1009: a message too big to process. */
  messageTooBig: 1009,
  /** 1010: (client) the server did not negotiate an extension the client needs. */
  mandatoryExtension: 1010,
  /** 1011: the server met an unexpected condition. */
  internalError: 1011,
  /** 1012: the service is restarting (IANA). */
  serviceRestart: 1012,
  /** 1013: try again later (IANA). */
  tryAgainLater: 1013,
  /** 1014: a gateway got a bad answer upstream (IANA). */
  badGateway: 1014,
  /** 1015: reported when the TLS handshake failed; never sent. */
  tlsHandshake: 1015,
} as const;

/** One of the named close codes. */
export type CloseCode = typeof CLOSE[keyof typeof CLOSE];

/**
 * Whether `code` may be carried by a close frame, ours or the peer's: 1000-1003,
 * 1007-1014, or 3000-4999 (3000-3999 registered with IANA, 4000-4999 private).
 * A peer's close frame with any other code is a protocol error (1002).
 */
export function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999);
}

/**
 * Whether an application may pass `code` to `WebSocket.close()` in a browser:
 * 1000 or 3000-4999 (WHATWG WebSockets, "close()"). Server sockets here accept
 * every {@link isSendableCloseCode} code (see docs/websocket.md).
 */
export function isClientCloseCode(code: number): boolean {
  return code === 1000 || (code >= 3000 && code <= 4999);
}

/** The longest close reason: a control frame's 125 bytes less the 2-byte code. */
const MAX_REASON_BYTES = 123;
const encoder = new TextEncoder();

/**
 * The arguments of `WebSocket.close(code, reason)`, converted and checked as
 * the standard does: the code clamped to an unsigned short, then one a close
 * frame may carry ({@link isSendableCloseCode}; a browser allows fewer, see
 * {@link isClientCloseCode}), else an InvalidAccessError; the reason made a
 * well-formed string of at most 123 UTF-8 bytes, else a SyntaxError. A
 * reason without a code is sent with 1000.
 */
export function closeArguments(
  code?: unknown,
  reason?: unknown,
): { code?: number; reason: string } {
  let checked: number | undefined;
  if (code !== undefined) {
    checked = Math.min(65535, Math.max(0, Math.round(Number(code) || 0)));
    if (!isSendableCloseCode(checked)) {
      throw new DOMException(
        `The close code must be 1000-1003, 1007-1014 or 3000-4999: received ${checked}`,
        "InvalidAccessError",
      );
    }
  }
  const text = reason === undefined ? "" : String(reason).toWellFormed();
  if (encoder.encode(text).length > MAX_REASON_BYTES) {
    throw new DOMException("The close reason may not be longer than 123 bytes", "SyntaxError");
  }
  // A reason travels only behind a code (RFC 6455 §5.5.1); the standard leaves a lone reason open.
  if (checked === undefined && text !== "") checked = CLOSE.normal;
  return checked === undefined ? { reason: text } : { code: checked, reason: text };
}
