/**
 * The access log: one line per answered or refused request, on the
 * `rawhttp.access` logger (served requests at info, refusals at warning).
 *
 * The clock is read only when the line will be written: a request asks
 * {@link accessStart} once, and gets null when the log is off.
 *
 * @module
 */

import { accessLog } from "./log.ts";
import type { RejectionCode } from "../protocol/rejections.ts";
import type { RemoteAddr } from "../app/request.ts";
import type { RequestHead } from "../protocol/head_parser.ts";
import { requestIdOf } from "./request_id.ts";
import type { Exchange } from "./exchange.ts";
import type { Metrics } from "./metrics.ts";

/** The start time of a request the access log will show (at `level`), or null when it will not. */
export function accessStart(level: "info" | "warning"): number | null {
  return accessLog.isEnabledFor(level) ? performance.now() : null;
}

/**
 * Writes one access line: `head` (null when none was read), what went out,
 * and the reason when the request was refused. Callers got `started` from
 * {@link accessStart}, so the level has been checked. `route` is the route
 * that answered, as registered (null: none); `id` the request id when one
 * was given already (see request_id.ts), else the client's or a new one;
 * `ended` the clock at the end, when the caller read it already.
 *
 * The line: method, path, status, bytes, duration, peer, route, request id
 * and user agent; as JSON, the same fields under `properties`.
 */
export function logAccess(
  remote: RemoteAddr,
  head: RequestHead | null,
  status: number,
  bytes: number,
  started: number,
  refused: RejectionCode | null,
  route: string | null = null,
  id: string | null = null,
  ended: number = performance.now(),
): void {
  const headers = head?.headers ?? null;
  const fields = {
    method: head?.method ?? "-",
    // The path as sent: only visible ASCII, so it cannot forge log lines.
    path: head?.rawPath ?? "-",
    status,
    bytes,
    durationMs: Math.round((ended - started) * 1000) / 1000,
    remote: peer(remote),
    route: route ?? "-",
    requestId: id ?? requestIdOf(headers),
    // Field values hold no CR or LF (the parser refuses them), so they cannot forge lines.
    userAgent: headers?.get("user-agent") ?? "-",
    reason: refused ?? undefined,
  };
  if (refused === null) {
    accessLog.info(
      "{method} {path} {status} {bytes}B {durationMs}ms {remote} {route} id={requestId} ua={userAgent}",
      fields,
    );
  } else {
    accessLog.warn(
      "{method} {path} {status} {bytes}B {durationMs}ms {remote} id={requestId} ua={userAgent} refused: {reason}",
      fields,
    );
  }
}

/** The peer as `host:port`, as the logs show it. */
export function peer(remote: RemoteAddr): string {
  if (remote.path !== undefined) return `unix:${remote.path}`;
  return `${remote.hostname}:${remote.port}`;
}

/**
 * An answered request, counted in `metrics` (and timed, when the exchange
 * was: see `Metrics.timing`) and written to the access log, with one clock
 * read for both. `bytes` is what went out, `bodyBytes` its body alone.
 */
export function recordAnswered(
  metrics: Metrics,
  remote: RemoteAddr,
  exchange: Exchange,
  status: number,
  bytes: number,
  bodyBytes: number,
): void {
  const { started, counted, begun } = exchange;
  if (counted === null && started === null) return;
  const now = begun < 0 ? -1 : performance.now();
  if (counted !== null) {
    const seconds = begun < 0 ? -1 : (now - begun) / 1000;
    metrics.observe(
      counted,
      status,
      exchange.head.method,
      seconds,
      exchange.body.received,
      bodyBytes,
    );
  }
  if (started !== null) {
    logAccess(
      remote,
      exchange.head,
      status,
      bytes,
      started,
      null,
      exchange.route,
      exchange.requestId,
      now,
    );
  }
}
