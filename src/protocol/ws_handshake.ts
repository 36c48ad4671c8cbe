/**
 * The WebSocket opening handshake, server side (RFC 6455 §4.2): whether a
 * request head is a valid upgrade, the `Sec-WebSocket-Accept` answer, and the
 * subprotocol choice. Pure: the caller writes the 101 or the refusal.
 *
 * Refusals are codes with a status and a short fixed text that never echoes
 * the request, like the HTTP refusals (rejections.ts). A version other than 13
 * gets 426 with `Sec-WebSocket-Version: 13` (§4.4); every other flaw gets 400.
 *
 * @example
 * ```ts
 * import { acceptKey, checkUpgrade } from "./ws_handshake.ts";
 * acceptKey("dGhlIHNhbXBsZSBub25jZQ=="); // "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" (RFC 6455 §1.3)
 * const headers = new Headers({
 *   upgrade: "websocket",
 *   connection: "Upgrade",
 *   "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
 *   "sec-websocket-version": "13",
 * });
 * checkUpgrade({ method: "GET", version: "HTTP/1.1", headers }).kind; // "accept"
 * ```
 *
 * @module
 */

import { hasToken } from "./headers.ts";
import { TOKEN } from "./chars.ts";
import { sha1 } from "./_sha1.ts";

/** What the handshake reads of a request: a `RequestHead`, or a fetch `Request` and its version. */
export interface UpgradeRequest {
  /** The request method, case-sensitive. */
  readonly method: string;
  /** "HTTP/1.1" or "HTTP/1.0". */
  readonly version: string;
  /** Field values by case-insensitive name, repeats joined by ", " (`RequestHeaders`, `Headers`). */
  readonly headers: { get(name: string): string | null };
}

/** Why an upgrade is refused: status and a fixed text. */
export const WS_REFUSALS = {
  ws_method: { status: 400, text: "Bad Request: a WebSocket upgrade must be GET" },
  ws_http_version: { status: 400, text: "Bad Request: a WebSocket upgrade needs HTTP/1.1" },
  ws_upgrade: { status: 400, text: "Bad Request: Upgrade must name websocket" },
  ws_connection: { status: 400, text: "Bad Request: Connection must name Upgrade" },
  ws_version: { status: 426, text: "Upgrade Required: Sec-WebSocket-Version must be 13" },
  ws_key: { status: 400, text: "Bad Request: invalid Sec-WebSocket-Key" },
  ws_body: { status: 400, text: "Bad Request: a WebSocket upgrade has no body" },
} as const satisfies Record<string, { status: 400 | 426; text: string }>;

/** The name of one refusal, such as `"ws_key"`. */
export type WsRefusalCode = keyof typeof WS_REFUSALS;

/** The outcome of {@link checkUpgrade}. */
export type UpgradeCheck =
  | {
    readonly kind: "accept";
    /** The `Sec-WebSocket-Accept` value for the 101. */
    readonly accept: string;
  }
  | {
    readonly kind: "refuse";
    readonly code: WsRefusalCode;
    readonly status: 400 | 426;
    readonly text: string;
    /** Fields the refusal must carry: `Sec-WebSocket-Version: 13` with a 426. */
    readonly headers: ReadonlyArray<readonly [string, string]>;
  };

/** The GUID every server appends to the key (RFC 6455 §1.3). */
export const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** The only protocol version there is (RFC 6455 §4.1). */
export const WS_VERSION = "13";

const encoder = new TextEncoder();

/** Whether a request asks for a WebSocket: its `Upgrade` names `websocket`. */
export function wantsWebSocket(request: UpgradeRequest): boolean {
  return hasToken(request.headers.get("upgrade"), "websocket");
}

/**
 * Checks an upgrade request (RFC 6455 §4.2.1), in this order: GET, HTTP/1.1,
 * `Upgrade` lists `websocket` and `Connection` lists `upgrade` (both as
 * case-insensitive tokens), no body, `Sec-WebSocket-Version: 13` (else 426),
 * and a `Sec-WebSocket-Key` given once that is base64 of exactly 16 bytes.
 */
export function checkUpgrade(request: UpgradeRequest): UpgradeCheck {
  const h = request.headers;
  if (request.method !== "GET") return refuse("ws_method");
  if (request.version !== "HTTP/1.1") return refuse("ws_http_version");
  if (!hasToken(h.get("upgrade"), "websocket")) return refuse("ws_upgrade");
  if (!hasToken(h.get("connection"), "upgrade")) return refuse("ws_connection");
  // Bytes after the head are frames; a body would be read as frames.
  const length = h.get("content-length");
  if ((length !== null && length !== "0") || h.get("transfer-encoding") !== null) {
    return refuse("ws_body");
  }
  if (h.get("sec-websocket-version") !== WS_VERSION) return refuse("ws_version");
  const key = h.get("sec-websocket-key");
  // Given twice, the values arrive joined by ", ", which is no base64: refused too.
  if (key === null || !isKey(key)) return refuse("ws_key");
  return { kind: "accept", accept: acceptKey(key) };
}

function refuse(code: WsRefusalCode): UpgradeCheck {
  const { status, text } = WS_REFUSALS[code];
  const headers: ReadonlyArray<readonly [string, string]> = status === 426
    ? [["sec-websocket-version", WS_VERSION]]
    : [];
  return { kind: "refuse", code, status, text, headers };
}

const BASE64 = /^[A-Za-z0-9+/]{22}==$/;

/**
 * Whether `key` is base64 of exactly 16 bytes: 22 characters of the standard
 * alphabet and "==" (RFC 4648 §4). The unused low bits of the last character
 * are not checked, as `atob` does not check them (nor Python's websockets).
 */
export function isKey(key: string): boolean {
  return key.length === 24 && BASE64.test(key);
}

/** `Sec-WebSocket-Accept`: base64(SHA-1(key + GUID)) (RFC 6455 §4.2.2). */
export function acceptKey(key: string): string {
  const digest = sha1(encoder.encode(key + WS_GUID));
  let binary = "";
  for (const b of digest) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * The subprotocols a client offers in `Sec-WebSocket-Protocol`, in order
 * (RFC 6455 §4.1: a list of tokens), or null when the field is malformed.
 * No field is an empty list.
 */
export function offeredProtocols(request: UpgradeRequest): string[] | null {
  const value = request.headers.get("sec-websocket-protocol");
  if (value === null) return [];
  const out: string[] = [];
  for (const part of value.split(",")) {
    const token = part.trim();
    if (token === "" || !isToken(token)) return null;
    out.push(token);
  }
  return out;
}

function isToken(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f || TOKEN[c] !== 1) return false;
  }
  return true;
}

/** The outcome of {@link chooseProtocol}. */
export type ProtocolChoice =
  | { readonly ok: true; readonly protocol: string }
  | { readonly ok: false; readonly message: string };

/**
 * Settles the subprotocol: none chosen (`undefined` or "") is "" and no
 * `Sec-WebSocket-Protocol` in the 101; a chosen one must be among those the
 * client offered (§4.2.2), else an error message for the application (as
 * `Deno.upgradeWebSocket` throws a TypeError).
 */
export function chooseProtocol(request: UpgradeRequest, chosen?: string): ProtocolChoice {
  if (chosen === undefined || chosen === "") return { ok: true, protocol: "" };
  const offered = offeredProtocols(request);
  if (offered === null) {
    return { ok: false, message: "the request's Sec-WebSocket-Protocol is malformed" };
  }
  if (!offered.includes(chosen)) {
    return { ok: false, message: `protocol "${chosen}" is not one the client offered` };
  }
  return { ok: true, protocol: chosen };
}

/** The fields of the 101 answer, names lower-case: Upgrade, Connection, Accept, the protocol. */
export function switchingHeaders(
  accept: string,
  protocol = "",
): Array<[string, string]> {
  const fields: Array<[string, string]> = [
    ["upgrade", "websocket"],
    ["connection", "Upgrade"],
    ["sec-websocket-accept", accept],
  ];
  if (protocol !== "") fields.push(["sec-websocket-protocol", protocol]);
  return fields;
}

/**
 * Whether `fields` may go into a 101 head: names are tokens, values strings
 * without CR, LF or NUL (a handler may add fields to its 101 answer).
 */
export function validFields(fields: ReadonlyArray<readonly [unknown, unknown]>): boolean {
  return fields.every(([name, value]) =>
    typeof name === "string" && name !== "" && isToken(name) &&
    typeof value === "string" && !/[\r\n\0]/.test(value)
  );
}

/**
 * The 101 head's bytes (the serializer answers only 2xx-5xx): the status
 * line and `fields`, {@link switchingHeaders}' and any the handler added
 * ({@link validFields} checked).
 */
export function switchingHead(fields: ReadonlyArray<readonly [string, string]>): Uint8Array {
  let head = "HTTP/1.1 101 Switching Protocols\r\n";
  for (const [name, value] of fields) head += `${name}: ${value}\r\n`;
  return encoder.encode(head + "\r\n");
}
