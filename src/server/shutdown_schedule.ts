/**
 * The phases of a graceful shutdown, within SHUTDOWN_TIMEOUT.
 *
 * Shutdown stops accepting at once and closes idle connections (lingering,
 * so a request sent that very moment meets a clean close, not a reset).
 * Requests in progress then have until `answerByMs` to finish; whatever is
 * still unanswered at that point gets 503 with `Connection: close`, and its
 * connection until `closeByMs` (SHUTDOWN_TIMEOUT) to read that answer before
 * everything left is closed. So every request the server read gets an
 * answer, and the process ends within SHUTDOWN_TIMEOUT.
 *
 * The last phase needs only a round trip from a client that behaves: the
 * 503 out, its close back (a client that does not close is cut off at
 * `closeByMs`). So it takes a tenth of SHUTDOWN_TIMEOUT (800 ms of the
 * default 8 s, a round trip on any network that works at all), and never
 * more than LINGER_TIMEOUT, the time a client is given to read a refusal
 * everywhere else: handlers get nine tenths or more.
 *
 * @example
 * ```ts
 * import { shutdownSchedule } from "./shutdown_schedule.ts";
 * shutdownSchedule(8000, 2000); // { answerByMs: 7200, closeByMs: 8000 }
 * shutdownSchedule(8000, 500); // { answerByMs: 7500, closeByMs: 8000 }
 * ```
 *
 * @module
 */

/** When, counted from the start of shutdown, unanswered requests get 503, and when the rest is closed. */
export interface ShutdownSchedule {
  /** Until then requests in progress may finish; then the unanswered get 503. */
  readonly answerByMs: number;
  /** Then every connection still open is closed (SHUTDOWN_TIMEOUT). */
  readonly closeByMs: number;
}

/** The schedule for SHUTDOWN_TIMEOUT `shutdownTimeoutMs` and LINGER_TIMEOUT `lingerTimeoutMs`. */
export function shutdownSchedule(
  shutdownTimeoutMs: number,
  lingerTimeoutMs: number,
): ShutdownSchedule {
  const lastPhase = Math.min(lingerTimeoutMs, shutdownTimeoutMs / 10);
  return { answerByMs: shutdownTimeoutMs - lastPhase, closeByMs: shutdownTimeoutMs };
}
