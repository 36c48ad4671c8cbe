/**
 * Connections refused over MAX_CONNECTIONS: each gets a 503 with
 * `Retry-After` without its request being read, then a lingering close so
 * the client reads the 503 instead of a reset (it has usually sent its
 * request already). At most as many linger as MAX_CONNECTIONS; past that, a
 * refused connection is closed right after its 503 is written.
 *
 * @module
 */

import { closeLingering } from "./lingering_close.ts";
import { connectionLog } from "./log.ts";
import type { Metrics } from "./metrics.ts";
import { OpenList } from "./open_list.ts";
import { refusalBytes } from "./closing.ts";
import { telemetry } from "./telemetry.ts";

/** The refused connections still lingering, and refusing the next. */
export class ConnectionRefusals {
  readonly #lingering = new OpenList<Deno.Conn>();

  /**
   * @param maxLingering how many refused connections may linger at once (MAX_CONNECTIONS)
   * @param lingerTimeoutMs how long one lingers at most (LINGER_TIMEOUT)
   * @param onClosed called each time a refused connection is closed
   */
  constructor(
    readonly maxLingering: number,
    readonly lingerTimeoutMs: number,
    readonly metrics: Metrics,
    readonly onClosed: () => void,
  ) {}

  /** Refused connections not yet closed. */
  get size(): number {
    return this.#lingering.size;
  }

  /** Answers `conn` 503 and closes it by lingering; `open` is how many connections are served. */
  refuse(conn: Deno.Conn, open: number): void {
    this.metrics.connectionRefused();
    // No request is read: metrics only (over TLS, the conn has a handshake).
    if (telemetry !== null) {
      telemetry.refused(null, "too_many_connections", null, "handshake" in conn);
    }
    const addr = conn.remoteAddr;
    connectionLog.warn("refused connection from {remote}: {open} connections open", {
      remote: "hostname" in addr ? `${addr.hostname}:${addr.port}` : "a Unix socket",
      open,
    });
    const bytes = refusalBytes("too_many_connections", null, { "Retry-After": "1" });
    const linger = this.#lingering.size < this.maxLingering ? this.lingerTimeoutMs : 0;
    const entry = this.#lingering.add(conn);
    conn.write(bytes)
      .then(() => closeLingering(conn, linger), () => closeQuietly(conn))
      .finally(() => {
        this.#lingering.remove(entry);
        this.onClosed();
      });
  }

  /** Closes every refused connection now (shutdown's end). */
  closeAll(): void {
    for (const conn of this.#lingering.values()) closeQuietly(conn);
  }
}

/** Closes `conn`, which may be closed already. */
export function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch { /* already closed */ }
}
