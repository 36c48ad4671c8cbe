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
  "pool",
  "metrics",
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
    if (key === "transport" && given[key] === "tcp") continue; // Deno.serve's spelling of what this is
    const why = key === "cert" || key === "key"
      ? " (TLS is not supported yet: terminate TLS in a proxy in front)"
      : key === "path" || key === "transport"
      ? ' (only TCP is supported yet: transport "tcp" or none)'
      : "";
    throw new TypeError(`${who}: unsupported option "${key}"${why}`);
  }
  for (const name of Object.keys(LIMITS) as LimitName[]) {
    if (given[name] !== undefined) checkLimit(name, given[name]);
  }
  const port = options.port;
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new RangeError("port must be an integer from 0 to 65535");
  }
}
