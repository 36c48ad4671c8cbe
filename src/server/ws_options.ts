/**
 * What a `ServerWebSocket` (server_websocket.ts) is given and what it
 * reports: the transport it runs over, its options (each limit defaulting to
 * protocol/ws_limits.ts), and how it closed.
 *
 * @module
 */

/** The byte stream under a WebSocket; `Deno.Conn` (and the connection's `Socket`) has it. */
export interface WsTransport {
  /** Reads into `p`: the count read, or null at the end of the input. */
  read(p: Uint8Array): Promise<number | null>;
  /** Writes from `p`: the count written, perhaps fewer than all. */
  write(p: Uint8Array): Promise<number>;
  /** Closes the connection; a read or write in flight then fails. */
  close(): void;
}

/** How a socket closed: what its `close` event says. */
export interface WsClosed {
  /** The close code: the peer's, ours on a violation, 1005 for none, 1006 without a handshake. */
  readonly code: number;
  /** The close reason. */
  readonly reason: string;
  /** Whether the closing handshake completed. */
  readonly wasClean: boolean;
}

/** A socket's settings; each limit defaults to protocol/ws_limits.ts. */
export interface WsSessionOptions {
  /** The negotiated subprotocol ("" for none), as `protocol` reports it. */
  readonly protocol?: string;
  /** What `url` reports; "" as Deno's server sockets. */
  readonly url?: string;
  /** Largest message from the peer, fragments together; more is closed with 1009. */
  readonly maxMessageBytes?: number;
  /** Queued bytes past which a send() drops a peer that does not read. */
  readonly maxBufferedBytes?: number;
  /** Half of it without input: a ping; all of it: close 1001. 0 turns the pings off. */
  readonly idleTimeoutMs?: number;
  /** How long a closing socket waits for the peer's close frame. */
  readonly closeTimeoutMs?: number;
  /** Called once, when the socket and its transport are closed, before the `close` event. */
  readonly onClosed?: (closed: WsClosed) => void;
}
