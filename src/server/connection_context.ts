/**
 * What a connection is given: its socket, its limits, and what it
 * shares with the server and every other connection.
 *
 * @module
 */

import type { Limits } from "../protocol/limits.ts";
import type { Metrics } from "./metrics.ts";
import type { Pool } from "./pool.ts";
import type { Routes } from "../app/router.ts";

/** The limits a connection enforces (their units, defaults and reasons: protocol/limits.ts). */
export type ConnectionLimits = Readonly<
  Pick<
    Limits,
    | "maxRequestLineBytes"
    | "maxHeadBytes"
    | "maxHeaderCount"
    | "recvBufferBytes"
    | "maxBodyBytes"
    | "maxRequestsPerConnection"
    | "clientTimeoutMs"
    | "idleTimeoutMs"
    | "bodyTimeoutMs"
    | "writeTimeoutMs"
    | "lingerTimeoutMs"
    | "wsMaxMessageBytes"
    | "wsMaxBufferedBytes"
    | "wsIdleTimeoutMs"
    | "wsCloseTimeoutMs"
  >
>;

/** What a connection shares with the server and every other connection. */
export interface ConnectionContext {
  readonly limits: ConnectionLimits;
  readonly router: Routes;
  readonly pool: Pool;
  readonly metrics: Metrics;
  /** Whether connections come over TLS (requests' URLs are https). */
  readonly secure?: boolean;
  /** True once shutdown began: finish the current request, then close. */
  readonly draining: () => boolean;
  /** Whether responses carry `X-Request-Id` (see ServerOptions.requestIdHeader). */
  readonly requestIdHeader?: boolean;
}

/** The socket side a connection needs; `Deno.Conn` has it. */
export interface Socket {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
}
