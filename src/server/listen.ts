/**
 * Opening the listener a server accepts on: TCP, TLS over TCP, or a Unix
 * socket, as `Deno.serve` offers them, from the options already checked by
 * server_options.ts.
 *
 * TLS announces `http/1.1` alone by ALPN (this server speaks nothing else).
 * A client that opens TLS and stalls is given up at CLIENT_TIMEOUT like one
 * that sends no head (but see docs/design.md: Deno keeps its TCP socket).
 *
 * @module
 */

import { DEFAULT_HOSTNAME, DEFAULT_PORT, type ServerOptions } from "./server_options.ts";
import { checkSocketPath } from "./unix_socket.ts";
import type { RemoteAddr } from "../app/request.ts";
import { connectionLog } from "./log.ts";
import type { LogThrottle } from "./log_throttle.ts";

/** How a listener's connections are reached: the scheme of their URLs. */
export type ListenScheme = "http" | "https" | "unix";

/** A listener, what it is bound to, and what closing it must also undo. */
export interface OpenListener {
  readonly listener: Deno.Listener<Deno.Conn, Deno.NetAddr | Deno.UnixAddr>;
  readonly addr: Deno.NetAddr | Deno.UnixAddr;
  readonly scheme: ListenScheme;
}

/** Only HTTP/1.1 is spoken: ALPN must not promise h2 to a client that asks. */
export const ALPN_PROTOCOLS: readonly string[] = ["http/1.1"];

/** Binds the listener `options` ask for. Throws as `Deno.listen` does when it cannot. */
export function openListener(options: ServerOptions): OpenListener {
  if (options.path !== undefined) {
    checkSocketPath(options.path);
    const listener = Deno.listen({ transport: "unix", path: options.path });
    return { listener, addr: listener.addr, scheme: "unix" };
  }
  const tcp: Deno.TcpListenOptions = {
    hostname: options.hostname ?? DEFAULT_HOSTNAME,
    port: options.port ?? DEFAULT_PORT,
    // Only when asked: without --unstable-net, Deno exits the process on this option.
    ...(options.reusePort === true ? { reusePort: true } : {}),
    ...(options.tcpBacklog !== undefined ? { tcpBacklog: options.tcpBacklog } : {}),
  };
  if (options.cert !== undefined && options.key !== undefined) {
    const listener = Deno.listenTls({
      ...tcp,
      transport: "tcp",
      cert: options.cert,
      key: options.key,
      alpnProtocols: [...ALPN_PROTOCOLS],
    });
    return { listener, addr: listener.addr, scheme: "https" };
  }
  const listener = Deno.listen({ ...tcp, transport: "tcp" });
  return { listener, addr: listener.addr, scheme: "http" };
}

/**
 * Sets up an accepted connection for its transport and gives its peer's
 * address: TCP without Nagle's delay (responses are whole; do not wait to
 * coalesce them); TLS with a warning when the handshake fails (plain HTTP
 * sent to the TLS port, an unknown certificate authority), at most one a
 * second through `failures`; a Unix socket's peer named by the socket's path.
 */
export function setUp(
  conn: Deno.Conn,
  listening: Deno.NetAddr | Deno.UnixAddr,
  failures: LogThrottle,
): RemoteAddr {
  const addr = conn.remoteAddr as Deno.NetAddr | Deno.UnixAddr;
  if ("path" in addr) return { hostname: "", port: 0, path: (listening as Deno.UnixAddr).path };
  if (!("handshake" in conn)) {
    (conn as Deno.TcpConn).setNoDelay(true);
    return addr;
  }
  (conn as Deno.TlsConn).handshake().catch((error) => {
    const skipped = failures.take();
    if (skipped === null) return; // one line a second: a flood must not flood the log
    connectionLog.warn("TLS handshake with {remote} failed: {error}{more}", {
      remote: `${addr.hostname}:${addr.port}`,
      error: error instanceof Error ? error.message : String(error),
      more: skipped === 0 ? "" : ` (and ${skipped} more since the last line)`,
    });
  });
  return addr;
}

/** Where a listener is, for a person: `http://127.0.0.1:8000/`, or the socket's path. */
export function listenUrl(addr: Deno.NetAddr | Deno.UnixAddr, scheme: ListenScheme): string {
  if ("path" in addr) return addr.path;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  return `${scheme}://${host}:${addr.port}/`;
}
