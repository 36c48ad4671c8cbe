/**
 * What {@link Server.listen} takes: where to listen, the limits (each
 * defaulting to protocol/limits.ts), a pool and counters to share; and the
 * check that refuses an option it does not act on or a value out of range.
 *
 * @module
 */

import type { ConnectionLimits } from "./connection_context.ts";
import { checkLimit, type LimitName, LIMITS } from "../protocol/limits.ts";
import type { Metrics } from "./metrics.ts";
import type { Pool } from "./pool.ts";

/** Options of {@link Server.listen}; a limit left out has its default (protocol/limits.ts). */
export interface ServerOptions extends Partial<ConnectionLimits> {
  /** Address to listen on (HOST). */
  readonly hostname?: string;
  /** Port to listen on; 0 picks a free one (PORT). */
  readonly port?: number;
  /**
   * Set SO_REUSEPORT, so several listeners (processes or workers) share the
   * port and the kernel spreads connections across them. Linux only, and it
   * needs `--unstable-net` (deno.json sets it).
   */
  readonly reusePort?: boolean;
  /** Connections the kernel queues before they are accepted (`listen(2)`'s backlog; Deno's default 511). */
  readonly tcpBacklog?: number;
  /** "tcp" (the default) or "unix", which needs `path`; as `Deno.serve` takes it. */
  readonly transport?: "tcp" | "unix";
  /** A Unix socket to listen on instead of TCP; an existing file is refused (see `clearStaleSocket`). */
  readonly path?: string;
  /** TLS: the certificate chain, PEM; with `key`, the server speaks HTTPS. */
  readonly cert?: string;
  /** TLS: the private key, PEM (RSA, EC or PKCS#8); with `cert`. */
  readonly key?: string;
  /** The format of `cert` and `key`: only "pem", as `Deno.serve` takes. */
  readonly keyFormat?: "pem";
  /** Pool permits (NUM_WORKERS); ignored when `pool` is given. */
  readonly numWorkers?: number;
  /** Pool queue bound (MAX_QUEUE); ignored when `pool` is given. */
  readonly maxQueue?: number;
  /** Open connections before new ones get 503 (MAX_CONNECTIONS). */
  readonly maxConnections?: number;
  /** How long requests in flight may finish at shutdown, ms (SHUTDOWN_TIMEOUT). */
  readonly shutdownTimeoutMs?: number;
  /** A pool to share, e.g. with the `/metrics` handler. */
  readonly pool?: Pool;
  /** Counters to share, e.g. with the `/metrics` handler. */
  readonly metrics?: Metrics;
  /**
   * Whether every response carries `X-Request-Id` (REQUEST_ID_HEADER): the
   * client's when well-formed, else one made here; the access log shows it
   * either way. Off by default: a head unique to each response costs the
   * serializer's reuse of the last head (see docs/performance.md).
   */
  readonly requestIdHeader?: boolean;
}

/** Where a server listens by default: every interface (as a container needs). */
export const DEFAULT_HOSTNAME = "0.0.0.0";
/** The port a server listens on by default; 8080 needs no root. */
export const DEFAULT_PORT = 8080;

/** The limits `options` sets, without the ones it leaves undefined. */
export function definedLimits(options: ServerOptions): Partial<Record<LimitName, number>> {
  const given = options as Record<string, unknown>;
  const out: Partial<Record<LimitName, number>> = {};
  for (const name of Object.keys(LIMITS) as LimitName[]) {
    if (given[name] !== undefined) out[name] = given[name] as number;
  }
  return out;
}

/** The options {@link Server.listen} acts on. */
const KNOWN_OPTIONS: readonly string[] = [
  ...Object.keys(LIMITS),
  "hostname",
  "port",
  "reusePort",
  "tcpBacklog",
  "transport",
  "path",
  "cert",
  "key",
  "keyFormat",
  "pool",
  "metrics",
  "requestIdHeader",
];

/**
 * Checks the options: a name it does not act on is a TypeError (code written
 * for `Deno.serve` may pass `cert`/`key` or `path`, or misspell a limit, and
 * serving without it would be a silent surprise), every limit given and the
 * port must lie in their ranges (protocol/limits.ts), else a RangeError.
 * `also` names options the caller acts on itself (`serve()`'s).
 */
export function checkOptions(
  options: ServerOptions,
  who = "Server.listen()",
  also: readonly string[] = [],
): void {
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (given[key] === undefined || KNOWN_OPTIONS.includes(key) || also.includes(key)) continue;
    if (key === "automaticCompression" && given[key] === false) continue; // what it does anyway
    const why = key === "cid"
      ? " (VSOCK is not supported: listen on TCP or a Unix socket)"
      : key === "automaticCompression"
      ? " (responses are not compressed yet: compress in the handler or a proxy)"
      : "";
    throw new TypeError(`${who}: unsupported option "${key}"${why}`);
  }
  checkTransport(options, who);
  for (const name of Object.keys(LIMITS) as LimitName[]) {
    if (given[name] !== undefined) checkLimit(name, given[name]);
  }
  const port = options.port;
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new RangeError("port must be an integer from 0 to 65535");
  }
}

/** The transport options must describe one listener: TCP, TLS over TCP, or a Unix socket. */
function checkTransport(options: ServerOptions, who: string): void {
  const { transport, path, cert, key, keyFormat, tcpBacklog } = options;
  if (transport !== undefined && transport !== "tcp" && transport !== "unix") {
    const detail = transport === "vsock" ? ": VSOCK is not supported" : "";
    throw new TypeError(`${who}: transport must be "tcp" or "unix"${detail}`);
  }
  if (path !== undefined && (typeof path !== "string" || path === "")) {
    throw new TypeError(`${who}: path must be a non-empty string`);
  }
  if (transport === "unix" && path === undefined) {
    throw new TypeError(`${who}: transport "unix" needs a path`);
  }
  if (path !== undefined) {
    if (transport === "tcp") throw new TypeError(`${who}: path needs transport "unix", not "tcp"`);
    for (const name of ["port", "hostname", "reusePort", "tcpBacklog", "cert", "key"] as const) {
      if (options[name] !== undefined) {
        throw new TypeError(`${who}: ${name} is for TCP and cannot go with a Unix socket path`);
      }
    }
  }
  // Without the flag, Deno ends the process from inside Deno.listen; listenDatagram exists only with it.
  if (options.reusePort === true && !("listenDatagram" in Deno)) {
    throw new TypeError(`${who}: reusePort needs Deno's --unstable-net flag`);
  }
  if ((cert === undefined) !== (key === undefined)) {
    throw new TypeError(`${who}: TLS needs both cert and key (PEM strings)`);
  }
  for (const [name, value] of [["cert", cert], ["key", key]] as const) {
    if (value !== undefined && (typeof value !== "string" || !value.includes("-----BEGIN "))) {
      throw new TypeError(`${who}: ${name} must be a PEM string (-----BEGIN ...)`);
    }
  }
  if (keyFormat !== undefined && (keyFormat !== "pem" || cert === undefined)) {
    throw new TypeError(`${who}: keyFormat must be "pem", with cert and key`);
  }
  if (
    tcpBacklog !== undefined &&
    !(Number.isInteger(tcpBacklog) && tcpBacklog >= 1 && tcpBacklog <= 65535)
  ) {
    throw new RangeError(`${who}: tcpBacklog must be an integer from 1 to 65535`);
  }
}
