/**
 * The request a native handler receives: the parsed head, the whole body, the peer.
 *
 * @module
 */

import type { RequestHeaders } from "../protocol/headers.ts";
import type { HttpVersion, RequestHead } from "../protocol/head_parser.ts";

/** Where a request came from. */
export interface RemoteAddr {
  /** The peer's IP address ("" on a Unix socket). */
  readonly hostname: string;
  /** The peer's port (0 on a Unix socket). */
  readonly port: number;
  /** On a Unix socket, the socket's path (its peers have no address of their own). */
  readonly path?: string;
}

const UTF8 = new TextDecoder();

/** What a streaming route's request carries besides the head. */
export interface StreamingParts {
  /** The body, pulled from the socket as it is read; null when the request has none. */
  readonly bodyStream: ReadableStream<Uint8Array> | null;
  /** Aborts when the client goes away before the response is done. */
  readonly signal: AbortSignal;
  /** Settles when the response has been written; rejects if it could not be. */
  readonly completed: Promise<void>;
  /**
   * True once the body was refused while read (too large, malformed, too
   * slow, or cut off by the client): the connection answers with that
   * refusal, whatever the handler returns.
   */
  readonly bodyRefused: boolean;
}

/**
 * One request as the native path sees it. Fields are read straight from the
 * parsed head; the query is parsed only when a handler asks for it.
 *
 * @example
 * ```ts ignore
 * const handler = (req: RawRequest) => text(`hello ${req.query.get("name") ?? "world"}`);
 * ```
 */
export class RawRequest {
  /** The method, case-sensitive as sent (RFC 9110 §9.1). */
  readonly method: string;
  /** The request-target exactly as sent. */
  readonly target: string;
  /** The percent-decoded path. */
  readonly path: string;
  /** The path exactly as sent. */
  readonly rawPath: string;
  /** The query string without `?`, as sent. */
  readonly rawQuery: string;
  /** The protocol version of the request. */
  readonly version: HttpVersion;
  /** The header fields, names case-insensitive. */
  readonly headers: RequestHeaders;
  /** The whole body (empty when the request had none). */
  readonly body: Uint8Array;
  /** Where the request came from. */
  readonly remoteAddr: RemoteAddr;
  /** Values of the route's `:name` segments and `*`. */
  readonly params: Readonly<Record<string, string>>;
  /**
   * On routes registered with `{ body: "stream" }`: the body as a stream pulled
   * from the socket (`body` is then empty), null when the request has none.
   */
  readonly bodyStream: ReadableStream<Uint8Array> | null;
  /** Whether the request came over TLS (its URL's scheme is https). */
  readonly secure: boolean;
  /** The WebSocket `upgradeWebSocket()` made for this request; null until then. */
  upgraded: WebSocket | null = null;
  readonly #streaming: StreamingParts | null;
  #query: URLSearchParams | undefined;

  /** A request from a parsed head, its body, its peer and its route's params. */
  constructor(
    head: RequestHead,
    body: Uint8Array,
    remoteAddr: RemoteAddr,
    params: Readonly<Record<string, string>>,
    streaming: StreamingParts | null = null,
    secure = false,
  ) {
    this.method = head.method;
    this.target = head.target;
    this.path = head.path;
    this.rawPath = head.rawPath;
    this.rawQuery = head.query;
    this.version = head.version;
    this.headers = head.headers;
    this.body = body;
    this.remoteAddr = remoteAddr;
    this.params = params;
    this.bodyStream = streaming?.bodyStream ?? null;
    this.#streaming = streaming;
    this.secure = secure;
  }

  /** On streaming routes: aborts when the client goes away before the response is done. */
  get signal(): AbortSignal | null {
    return this.#streaming?.signal ?? null; // made on first use
  }

  /** On streaming routes: settles when the response has been written (rejects if it was not). */
  get completed(): Promise<void> | null {
    return this.#streaming?.completed ?? null; // made on first use
  }

  /**
   * On streaming routes: true once the body stream failed because the body
   * was refused (too large, malformed, too slow, or cut off by the client).
   * The connection then answers with that refusal, whatever the handler returns.
   */
  get bodyRefused(): boolean {
    return this.#streaming?.bodyRefused ?? false;
  }

  /** The query string parsed as `URLSearchParams` (WHATWG rules), on first use. */
  get query(): URLSearchParams {
    return this.#query ??= new URLSearchParams(this.rawQuery);
  }

  /** The body decoded as UTF-8 (invalid bytes become U+FFFD). */
  text(): string {
    return UTF8.decode(this.body);
  }
}
