/**
 * Closing a socket the client may still be writing to, without destroying
 * what we last wrote.
 *
 * A socket closed while unread input waits in it sends a reset (RST), and a
 * client's kernel that receives a reset drops whatever it had received and
 * not yet handed to the client: our answer is lost, and the client sees
 * "connection reset" or a broken pipe instead of, say, its 503. So we
 * half-close first (FIN: the answer is complete), read and discard what still
 * comes until the client closes its side or the time is up, and only then
 * close. This is Go's closeWriteAndWait and nginx's lingering close.
 *
 * A connection lingers through its own reader, since a read may be in
 * flight there ({@link ReaderLinger}); {@link closeLingering} is for sockets
 * that have none, such as a connection refused over MAX_CONNECTIONS.
 *
 * @module
 */

import { beforeDeadline } from "../io/deadlines.ts";
import type { SocketReader } from "../io/reader.ts";

/** What a lingering close needs of a socket; `Deno.TcpConn` has it. */
export interface LingeringSocket {
  read(p: Uint8Array): Promise<number | null>;
  closeWrite(): Promise<void>;
  close(): void;
}

/**
 * Where discarded input goes: one buffer for every lingering socket, since
 * nothing in it is ever read (a buffer each would cost 16 KiB per refused
 * connection during a flood).
 */
const DISCARD = new Uint8Array(16 * 1024);

/**
 * Half-closes `socket`, discards its input until EOF or `timeoutMs`, then
 * closes it. Never rejects. With `timeoutMs` 0 it closes at once.
 */
export async function closeLingering(socket: LingeringSocket, timeoutMs: number): Promise<void> {
  try {
    if (timeoutMs > 0) {
      const deadline = performance.now() + timeoutMs;
      await socket.closeWrite();
      for (;;) {
        const n = await beforeDeadline(socket.read(DISCARD), deadline);
        if (n === null || n === "timeout") break;
      }
    }
  } catch {
    // reset by the peer, or closed meanwhile: nothing left to wait for
  } finally {
    try {
      socket.close();
    } catch { /* already closed */ }
  }
}

/**
 * A connection's lingering close, through its own reader: half-closes, then
 * reads and discards what the client still sends until it closes its side or
 * LINGER_TIMEOUT passes. The caller closes the socket after. Started by the
 * connection's end or by shutdown, whichever comes first; should both run,
 * they share one half-close and one deadline.
 */
export class ReaderLinger {
  readonly #reader: SocketReader;
  readonly #socket: LingeringSocket;
  readonly #timeoutMs: number;
  #deadline = Infinity;
  #halfClosed = false;

  constructor(reader: SocketReader, socket: LingeringSocket, timeoutMs: number) {
    this.#reader = reader;
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
  }

  /** Lingers until EOF or the deadline. Never rejects; with a timeout of 0 it returns at once. */
  async run(): Promise<void> {
    if (this.#timeoutMs === 0) return;
    if (this.#deadline === Infinity) this.#deadline = performance.now() + this.#timeoutMs;
    const reader = this.#reader;
    try {
      if (!this.#halfClosed) {
        this.#halfClosed = true;
        await this.#socket.closeWrite();
      }
      for (;;) {
        reader.consume(reader.buffered);
        if ((await reader.fill(this.#deadline)) !== "data") return;
      }
    } catch {
      // the peer already went away: nothing left to linger for
    }
  }
}
