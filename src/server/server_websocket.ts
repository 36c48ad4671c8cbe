/**
 * A server-side WebSocket over any byte transport: the standard `WebSocket`
 * interface, as `Deno.upgradeWebSocket()` hands it out, run by our own frame
 * parser and writer (RFC 6455).
 *
 * The upgrade plumbing builds one from the connection's socket and the bytes
 * it read past the HTTP head, writes the 101, then calls {@link
 * ServerWebSocket.start}: `open` fires and frames are read. Pings are answered;
 * a peer's close is echoed and the connection closed; our close waits for the
 * peer's within `closeTimeoutMs`; a protocol violation is answered with its
 * close code (1002, 1007, 1009), then `error` and `close` (wasClean false).
 * A quiet peer is pinged and, still quiet, closed with 1001 (`idleTimeoutMs`);
 * a peer that stops reading is dropped once `maxBufferedBytes` are queued.
 * docs/websocket.md has each rule and where Deno differs.
 *
 * @module
 */

import { CLOSE, closeArguments } from "../protocol/ws_close_codes.ts";
import { type WsEvent, WsFrameParser } from "../protocol/ws_frame_parser.ts";
import {
  binaryFrame,
  closeFrame,
  encodeFrame,
  OPCODE,
  pingFrame,
  pongFrame,
} from "../protocol/ws_frame_writer.ts";
import { WS_LIMITS } from "../protocol/ws_limits.ts";
import { WebSocketAttributes } from "./ws_attributes.ts";
import { IdleWatch } from "./ws_idle.ts";
import { WsOutbox } from "./ws_outbox.ts";
import { WsReader } from "./ws_reader.ts";
import type { WsClosed, WsSessionOptions, WsTransport } from "./ws_options.ts";

export type { WsClosed, WsSessionOptions, WsTransport } from "./ws_options.ts";

const CONNECTING = 0, OPEN = 1, CLOSING = 2, CLOSED = 3;
const encoder = new TextEncoder();

/** How the socket ends: its close event, and an error event's message before it, if any. */
type Ending = WsClosed & { readonly error?: string };

/** A server-side WebSocket; see the module doc. */
export class ServerWebSocket extends WebSocketAttributes implements WebSocket {
  // Set by #wire: at construction, or by attach() for a socket made before its connection.
  #transport: WsTransport | null = null;
  #outbox: WsOutbox | null = null;
  #idle: IdleWatch | null = null;
  #options: WsSessionOptions;
  #maxBuffered: number = WS_LIMITS.wsMaxBufferedBytes.default;
  #closeTimeoutMs: number = WS_LIMITS.wsCloseTimeoutMs.default;
  #reader: WsReader | null = null;
  #leftover: Uint8Array;
  #state = CONNECTING;
  #binaryType: BinaryType = "arraybuffer";
  #started = false;
  #closeSent = false;
  /** A close() before start(): sent once started. */
  #pendingClose: { code?: number; reason: string } | null = null;
  #closeTimer: ReturnType<typeof setTimeout> | null = null;
  #closeBy = Infinity;
  #fallback: Ending = { code: CLOSE.abnormal, reason: "", wasClean: false };
  readonly #closed: Promise<WsClosed>;
  #resolveClosed!: (closed: WsClosed) => void;

  /**
   * A socket over `transport`, which has already delivered `leftover`
   * (copied); call start() next. With a null transport (`upgradeWebSocket()`
   * makes the socket before the connection answers), attach() gives it one.
   */
  constructor(
    transport: WsTransport | null,
    leftover: Uint8Array,
    options: WsSessionOptions = {},
  ) {
    super();
    this.#leftover = leftover.slice();
    this.#options = options;
    this.#closed = new Promise((resolve) => this.#resolveClosed = resolve);
    if (transport !== null) this.#wire(transport);
  }

  /**
   * Gives a socket made without a transport its transport, the bytes read
   * past the head, and the server's limits; options given at construction
   * win over `limits`. Call start() next.
   */
  attach(transport: WsTransport, leftover: Uint8Array, limits: WsSessionOptions = {}): void {
    if (this.#transport !== null) throw new Error("ServerWebSocket.attach(): it has a transport");
    this.#leftover = leftover.slice();
    const given = Object.entries(this.#options).filter(([, value]) => value !== undefined);
    const onClosed = [limits.onClosed, this.#options.onClosed].filter((f) => f !== undefined);
    this.#options = {
      ...limits,
      ...Object.fromEntries(given),
      onClosed: (closed) => onClosed.forEach((f) => f(closed)),
    };
    this.#wire(transport);
  }

  #wire(transport: WsTransport): void {
    const options = this.#options;
    this.#transport = transport;
    this.#maxBuffered = options.maxBufferedBytes ?? WS_LIMITS.wsMaxBufferedBytes.default;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? WS_LIMITS.wsCloseTimeoutMs.default;
    const maxMessageBytes = options.maxMessageBytes ?? WS_LIMITS.wsMaxMessageBytes.default;
    this.#reader = new WsReader(transport, new WsFrameParser({ maxMessageBytes }));
    const outbox = this.#outbox = new WsOutbox(transport, () => this.#lost());
    this.#idle = new IdleWatch(options.idleTimeoutMs ?? WS_LIMITS.wsIdleTimeoutMs.default, {
      ping: () => this.#closeSent || outbox.push(pingFrame()),
      dead: () =>
        this.#closeSent || this.#closeWith(CLOSE.goingAway, "No response from ping frame."),
    });
  }

  /** Opens the socket (fires `open`) and starts reading; call it once the 101 is written. */
  start(): void {
    if (this.#started) throw new Error("ServerWebSocket.start() called twice");
    if (this.#transport === null) throw new Error("ServerWebSocket.start() before attach()");
    this.#started = true;
    if (this.#state === CONNECTING) {
      this.#state = OPEN;
      this.dispatchEvent(new Event("open"));
    } else if (this.#pendingClose !== null && this.#state === CLOSING) {
      this.#sendClose(this.#pendingClose.code, this.#pendingClose.reason);
      this.#deadline(this.#closeTimeoutMs);
    }
    if (this.#state === CLOSED) return;
    const idle = this.#idle!;
    idle.start();
    void this.#reader!.run(this.#leftover, {
      input: () => idle.touch(),
      event: (event) => this.#onEvent(event),
      lost: () => this.#lost(),
    });
  }

  /**
   * Server shutdown: sends close `code` (1001, going away) and closes the
   * connection once the peer answers or `timeoutMs` passed. Resolves when closed.
   */
  shutdown(
    code: number = CLOSE.goingAway,
    timeoutMs = this.#closeTimeoutMs,
    reason = "",
  ): Promise<void> {
    if (this.#state === CONNECTING) {
      this.#finish({ code: CLOSE.abnormal, reason: "", wasClean: false });
    } else if (this.#state !== CLOSED) {
      if (this.#state === OPEN) {
        this.#state = CLOSING;
        this.#sendClose(code, reason);
      }
      this.#deadline(timeoutMs);
    }
    return this.#closed.then(() => {});
  }

  /** Resolves with the close event's fields once the socket and its transport are closed. */
  get closed(): Promise<WsClosed> {
    return this.#closed;
  }

  // --- The WebSocket interface ---

  /** CONNECTING (0) until start(), OPEN (1), CLOSING (2) once a close is sent, CLOSED (3). */
  get readyState(): number {
    return this.#state;
  }
  /** The URL given in the options; "" by default, as Deno's server sockets. */
  get url(): string {
    return this.#options.url ?? "";
  }
  /** The negotiated subprotocol, or "". */
  get protocol(): string {
    return this.#options.protocol ?? "";
  }
  /** Always "": no extension is negotiated. */
  get extensions(): string {
    return "";
  }
  /** Application bytes sent and not yet handed to the socket. */
  get bufferedAmount(): number {
    return this.#outbox?.bufferedAmount ?? 0;
  }
  /** How binary messages arrive: "arraybuffer" (the default, as Deno's server sockets) or "blob". */
  get binaryType(): BinaryType {
    return this.#binaryType;
  }
  set binaryType(value: BinaryType) {
    if (value === "arraybuffer" || value === "blob") this.#binaryType = value;
  }
  /**
   * Queues a message: a string as text, bytes or a Blob as binary, in order.
   * Throws InvalidStateError before `open`; ignored once closing.
   */
  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    if (arguments.length === 0) throw new TypeError("send() needs 1 argument, got 0");
    if (this.#state === CONNECTING) {
      throw new DOMException("'readyState' not OPEN", "InvalidStateError");
    }
    if (this.#state !== OPEN) return;
    const outbox = this.#outbox!;
    if (outbox.queuedBytes > this.#maxBuffered) return this.#overCap();
    if (data instanceof Blob) outbox.pushBlob(data);
    else if (ArrayBuffer.isView(data)) {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      outbox.push(binaryFrame(bytes), bytes.length);
    } else if (data instanceof ArrayBuffer || data instanceof SharedArrayBuffer) {
      outbox.push(binaryFrame(new Uint8Array(data)), data.byteLength);
    } else {
      const bytes = encoder.encode(String(data));
      outbox.push(encodeFrame(OPCODE.text, bytes), bytes.length);
    }
  }

  /**
   * Starts the closing handshake. `code` must be one a close frame may carry
   * (1000-1003, 1007-1014, 3000-4999; browsers allow 1000 and 3000-4999 only),
   * else InvalidAccessError; `reason` at most 123 UTF-8 bytes, else SyntaxError.
   */
  close(code?: number, reason?: string): void {
    const args = closeArguments(code, reason);
    if (this.#state === CONNECTING) {
      this.#state = CLOSING;
      this.#pendingClose = args;
    } else if (this.#state === OPEN) {
      this.#state = CLOSING;
      this.#sendClose(args.code, args.reason);
      this.#deadline(this.#closeTimeoutMs);
    }
  }

  // --- Reading ---

  #onEvent(event: WsEvent): void {
    switch (event.kind) {
      case "text":
        if (this.#state === OPEN) this.#dispatchMessage(event.data);
        break;
      case "binary":
        if (this.#state === OPEN) {
          const data = event.data;
          this.#dispatchMessage(this.#binaryType === "blob" ? new Blob([data]) : data.buffer);
        }
        break;
      case "ping": {
        if (this.#closeSent) break;
        // A peer that pings and never reads would queue pongs without end: the cap counts them.
        const outbox = this.#outbox!;
        if (outbox.queuedBytes > this.#maxBuffered) return this.#overCap();
        outbox.push(pongFrame(event.data));
        break;
      }
      case "pong":
        break;
      case "close": {
        // Echo the peer's code (RFC 6455 §5.5.1), then close the connection: the server closes first.
        this.#reader!.stop();
        if (this.#state === OPEN) this.#state = CLOSING;
        this.#sendClose(event.code ?? undefined, "");
        const code = event.code ?? CLOSE.noStatus;
        this.#finishAfterFlush({ code, reason: event.reason, wasClean: true });
        break;
      }
      case "error":
        this.#closeWith(event.code, event.reason);
        break;
    }
  }

  #dispatchMessage(data: unknown): void {
    this.dispatchEvent(new MessageEvent("message", { data, origin: this.url }));
  }

  // --- Closing ---

  /** Fails the connection: close frame with `code`, then error and close events (wasClean false). */
  #closeWith(code: number, reason: string): void {
    this.#reader!.stop();
    if (this.#state === OPEN) this.#state = CLOSING;
    this.#sendClose(code, reason);
    this.#finishAfterFlush({ code, reason, wasClean: false, error: reason });
  }

  #sendClose(code: number | undefined, reason: string): void {
    if (this.#closeSent) return;
    this.#closeSent = true;
    this.#outbox!.push(closeFrame(code, reason));
  }

  /** Ends once everything queued (our close frame last) is written, or the close timeout passes. */
  #finishAfterFlush(ending: Ending): void {
    this.#deadline(this.#closeTimeoutMs, ending);
    void this.#outbox!.drained().then(() => this.#finish(ending));
  }

  /** Ends the socket at most `ms` from now, as `ending` says (1006 unless told). */
  #deadline(ms: number, ending?: Ending): void {
    if (ending !== undefined) this.#fallback = ending;
    const by = performance.now() + ms;
    if (by >= this.#closeBy) return;
    this.#closeBy = by;
    if (this.#closeTimer !== null) clearTimeout(this.#closeTimer);
    this.#closeTimer = setTimeout(() => this.#finish(this.#fallback), ms);
  }

  /** More than `maxBufferedBytes` queued for a peer that does not read: dropped, no close frame. */
  #overCap(): void {
    const error = "send buffer over maxBufferedBytes: the peer is not reading";
    this.#finish({ code: CLOSE.abnormal, reason: "", wasClean: false, error });
  }

  /** The transport failed or ended before the closing handshake did. */
  #lost(): void {
    this.#finish({ code: CLOSE.abnormal, reason: "", wasClean: false, error: "connection lost" });
  }

  #finish(ending: Ending): void {
    if (this.#state === CLOSED) return;
    this.#state = CLOSED;
    this.#reader?.stop();
    if (this.#closeTimer !== null) clearTimeout(this.#closeTimer);
    this.#closeTimer = null;
    this.#idle?.stop();
    this.#outbox?.stop();
    try {
      this.#transport?.close();
    } catch {
      // already closed by the peer's reset
    }
    const closed = { code: ending.code, reason: ending.reason, wasClean: ending.wasClean };
    this.#options.onClosed?.(closed);
    // The events come after the code that closed the socket has run (a send() over the cap, a
    // shutdown()), as a browser queues them, never inside it.
    queueMicrotask(() => {
      if (ending.error !== undefined) {
        this.dispatchEvent(new ErrorEvent("error", { message: ending.error }));
      }
      this.dispatchEvent(new CloseEvent("close", closed));
      this.#resolveClosed(closed);
    });
  }
}
