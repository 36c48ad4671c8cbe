/**
 * The listener: accepts TCP connections, caps how many are open, gives each
 * its own async task, and shuts down gracefully within a deadline.
 *
 * @module
 */

import { acceptErrorKind } from "./accept_errors.ts";
import { defaultLimits } from "../protocol/limits.ts";
import { Connection } from "./connection.ts";
import {
  checkOptions,
  DEFAULT_HOSTNAME,
  DEFAULT_PORT,
  definedLimits,
  type ServerOptions,
} from "./server_options.ts";
import { type ListenScheme, openListener, setUp } from "./listen.ts";

export { DEFAULT_HOSTNAME, DEFAULT_PORT, type ServerOptions };
import type { ConnectionContext, ConnectionLimits } from "./connection_context.ts";
import { connectionLog, serverLog } from "./log.ts";
import { Metrics } from "./metrics.ts";
import { type OpenEntry, OpenList } from "./open_list.ts";
import { closeQuietly, ConnectionRefusals } from "./connection_refusal.ts";
import { Pool } from "./pool.ts";
import { shutdownSchedule } from "./shutdown_schedule.ts";
import { LogThrottle } from "./log_throttle.ts";
import type { Routes } from "../app/router.ts";

/**
 * An open connection with its socket. A class, not an object
 * literal, on purpose: V8 pretenures a literal whose objects mostly survive
 * (under keep-alive load, connections live long), and then allocates every
 * later one in the old generation, with the Connection stored into it. Under
 * new-connection load that made each short-lived connection outlive the
 * scavenges: they took ~9 ms instead of ~1, each followed by a full collection
 * (measured with --trace-gc; allocation checked with %InYoungGeneration).
 */
class Open {
  constructor(readonly connection: Connection, readonly conn: Deno.Conn) {}
}

/** A Unix socket's options: its server's address is the socket's path. */
type UnixOptions = ServerOptions & { readonly path: string };

/**
 * A running server.
 *
 * @example
 * ```ts ignore
 * const server = Server.listen({ port: 0 }, new Router().get("/", () => text("hi")));
 * await fetch(`http://127.0.0.1:${server.addr.port}/`);
 * await server.shutdown();
 * ```
 */
export class Server<Addr extends Deno.NetAddr | Deno.UnixAddr = Deno.NetAddr> {
  /** The address actually bound (the real port when 0 was asked for; a Unix socket's path). */
  readonly addr: Addr;
  /** "https" over TLS, "unix" on a Unix socket, else "http". */
  readonly scheme: ListenScheme;
  /** The worker pool handlers run in. */
  readonly pool: Pool;
  /** Request and connection counters. */
  readonly metrics: Metrics;
  /** Resolves when the server has stopped: after {@link shutdown} completes. */
  readonly finished: Promise<void>;
  readonly #listener: Deno.Listener<Deno.Conn, Deno.NetAddr | Deno.UnixAddr>;
  readonly #limits: ConnectionLimits;
  readonly #router: Routes;
  readonly #maxConnections: number;
  readonly #shutdownTimeoutMs: number;
  /** Open connections, with their socket (a list: see open_list.ts). */
  readonly #connections = new OpenList<Open>();
  #refed = true;
  /** Ends an accept backoff early, at shutdown. */
  #wake: (() => void) | null = null;
  readonly #finished = Promise.withResolvers<void>();
  #acceptLoop: Promise<void> = Promise.resolve();
  #draining = false;
  readonly #requestIdHeader: boolean;
  #shutdown: Promise<void> | null = null;
  /** Connections refused over MAX_CONNECTIONS, lingering until their client has read the 503. */
  readonly #refusing: ConnectionRefusals;
  /** Failed TLS handshakes: logged at most once a second (listen.ts). */
  readonly #handshakeFailures = new LogThrottle();
  /** Set while shutdown waits for every connection to close. */
  #onAllClosed: (() => void) | null = null;

  private constructor(options: ServerOptions, router: Routes) {
    checkOptions(options);
    const d = { ...defaultLimits(), ...definedLimits(options) };
    this.#limits = {
      recvBufferBytes: d.recvBufferBytes,
      maxRequestLineBytes: d.maxRequestLineBytes,
      maxHeadBytes: d.maxHeadBytes,
      maxHeaderCount: d.maxHeaderCount,
      maxBodyBytes: d.maxBodyBytes,
      maxRequestsPerConnection: d.maxRequestsPerConnection,
      clientTimeoutMs: d.clientTimeoutMs,
      idleTimeoutMs: d.idleTimeoutMs,
      bodyTimeoutMs: d.bodyTimeoutMs,
      writeTimeoutMs: d.writeTimeoutMs,
      lingerTimeoutMs: d.lingerTimeoutMs,
      wsMaxMessageBytes: d.wsMaxMessageBytes,
      wsMaxBufferedBytes: d.wsMaxBufferedBytes,
      wsIdleTimeoutMs: d.wsIdleTimeoutMs,
      wsCloseTimeoutMs: d.wsCloseTimeoutMs,
    };
    this.#router = router;
    this.#maxConnections = d.maxConnections;
    this.#shutdownTimeoutMs = d.shutdownTimeoutMs;
    this.pool = options.pool ??
      new Pool(d.numWorkers, d.maxQueue);
    this.metrics = options.metrics ?? new Metrics();
    this.#requestIdHeader = options.requestIdHeader === true;
    this.metrics.inFlight = () => {
      let n = 0;
      for (const open of this.#connections.values()) if (open.connection.answering) n++;
      return n;
    };
    this.#refusing = new ConnectionRefusals(
      d.maxConnections,
      d.lingerTimeoutMs,
      this.metrics,
      () => this.#closedOne(),
    );
    const opened = openListener(options);
    this.#listener = opened.listener;
    this.addr = opened.addr as Addr;
    this.scheme = opened.scheme;
    this.finished = this.#finished.promise;
  }

  /**
   * Binds and starts accepting at once: on TCP, over TLS when `cert` and
   * `key` are given, or on the Unix socket at `path`. Throws if the address
   * cannot be bound, or if an option is unknown or out of range.
   */
  static listen(options: UnixOptions, router: Routes): Server<Deno.UnixAddr>;
  /** Binds TCP (TLS with `cert` and `key`) and starts accepting at once. */
  static listen(options: ServerOptions, router: Routes): Server<Deno.NetAddr>;
  static listen(options: ServerOptions, router: Routes): Server<Deno.NetAddr | Deno.UnixAddr> {
    const server = new Server(options, router);
    server.#acceptLoop = server.#accept();
    return server;
  }

  async #accept(): Promise<void> {
    const ctx: ConnectionContext = {
      limits: this.#limits,
      router: this.#router,
      pool: this.pool,
      metrics: this.metrics,
      draining: () => this.#draining,
      secure: this.scheme === "https",
      requestIdHeader: this.#requestIdHeader,
    };
    let backoffMs = 0;
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener.accept();
      } catch (error) {
        const kind = acceptErrorKind(error);
        if (this.#draining || kind === "closed") return;
        if (kind === "connection") {
          // A client that reset before we took its connection: nothing to do
          // with the listener, so the next accept runs at once.
          connectionLog.debug("a connection failed before it was accepted: {error}", {
            error: String(error),
          });
          continue;
        }
        // EMFILE and friends: the next accept fails the same way until a
        // socket closes, so back off (5 ms, doubling to 1 s, as Go does)
        // instead of spinning a core and flooding the log.
        backoffMs = Math.min(backoffMs === 0 ? 5 : backoffMs * 2, 1000);
        serverLog.error("accept failed: {error}; retrying in {ms} ms", { error, ms: backoffMs });
        await this.#pause(backoffMs);
        continue;
      }
      backoffMs = 0;
      if (this.#connections.size >= this.#maxConnections) {
        try {
          this.#refusing.refuse(conn, this.#connections.size);
        } catch (error) { // a peer gone before its 503 could start: never stop accepting for it
          connectionLog.debug("dropped a refused connection: {error}", { error: String(error) });
          closeQuietly(conn);
        }
        continue;
      }
      try {
        this.#adopt(conn, ctx);
      } catch (error) {
        // One socket that fails its setup (a peer reset before setNoDelay, on
        // some systems) must not stop the server from accepting others.
        connectionLog.debug("dropped a connection during setup: {error}", { error: String(error) });
        try {
          conn.close();
        } catch { /* already closed */ }
      }
    }
  }

  #adopt(conn: Deno.Conn, ctx: ConnectionContext): void {
    const remote = setUp(conn, this.addr, this.#handshakeFailures);
    // Counted closed when the socket closes, even if a force-closed
    // connection's handler is still running.
    let entry: OpenEntry<Open> | null = null;
    const connection = new Connection(conn, remote, ctx, () => {
      if (entry !== null) this.#connections.remove(entry);
      this.metrics.connectionClosed();
      this.#closedOne();
    });
    if (!this.#refed) conn.unref();
    this.metrics.connectionOpened();
    entry = this.#connections.add(new Open(connection, conn));
    connection.serve(); // never rejects; the connection removes itself from the list when it closes
  }

  /** Waits `ms`, or less if shutdown begins meanwhile. */
  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  /** Lets the listener and open connections keep the process alive (the default). */
  ref(): void {
    this.#setRef(true);
  }

  /** Lets the process exit even while the server listens or connections are open. */
  unref(): void {
    this.#setRef(false);
  }

  #setRef(refed: boolean): void {
    this.#refed = refed;
    const apply = (target: { ref(): void; unref(): void }) => refed ? target.ref() : target.unref();
    apply(this.#listener);
    for (const { conn } of this.#connections.values()) apply(conn);
  }

  /**
   * Stops accepting, closes idle connections (lingering: see
   * lingering_close.ts), lets requests in flight finish, answers what is
   * still unanswered with 503 near the end, and closes what is left once
   * SHUTDOWN_TIMEOUT has passed (see shutdown_schedule.ts). Idempotent;
   * resolves when every connection is closed.
   */
  shutdown(): Promise<void> {
    if (this.#shutdown === null) this.#shutdown = this.#drain();
    return this.#shutdown;
  }

  /** The shutdown; never rejects, and `finished` resolves however it ends. */
  async #drain(): Promise<void> {
    try {
      await this.#stop();
    } catch (error) {
      serverLog.error("shutdown failed: {error}; closing every connection", { error });
      for (const { connection } of this.#connections.values()) connection.close();
      this.#refusing.closeAll();
    } finally {
      this.#finished.resolve();
    }
  }

  async #stop(): Promise<void> {
    this.#draining = true;
    try {
      this.#listener.close();
    } catch { /* closed already */ }
    this.#wake?.();
    await this.#acceptLoop;
    const { answerByMs, closeByMs } = shutdownSchedule(
      this.#shutdownTimeoutMs,
      this.#limits.lingerTimeoutMs,
    );
    for (const { connection } of this.#connections.values()) connection.drain();
    const busy = this.#connections.size;
    if (busy > 0) {
      serverLog.info("waiting for {busy} connection(s) to finish", { busy });
    }
    if (!(await this.#allClosedWithin(answerByMs))) {
      serverLog.warn("shutdown: answering what {n} connection(s) still have in progress with 503", {
        n: this.#connections.size,
      });
      for (const { connection } of this.#connections.values()) connection.abandon();
      if (!(await this.#allClosedWithin(closeByMs - answerByMs))) {
        serverLog.warn("shutdown deadline passed: closing {n} connection(s)", {
          n: this.#connections.size + this.#refusing.size,
        });
        for (const { connection } of this.#connections.values()) connection.close();
        this.#refusing.closeAll();
      }
    }
  }

  /** Whether every connection (refused ones lingering included) closes within `ms`. */
  async #allClosedWithin(ms: number): Promise<boolean> {
    if (this.#openCount() === 0) return true;
    const { promise, resolve } = Promise.withResolvers<boolean>();
    this.#onAllClosed = () => resolve(true);
    const timer = setTimeout(resolve, ms, false);
    const closed = await promise;
    clearTimeout(timer);
    this.#onAllClosed = null;
    return closed;
  }

  #openCount(): number {
    return this.#connections.size + this.#refusing.size;
  }

  /** Called when a connection or a refusal closes: ends a wait of {@link #allClosedWithin}. */
  #closedOne(): void {
    if (this.#onAllClosed !== null && this.#openCount() === 0) this.#onAllClosed();
  }
}
