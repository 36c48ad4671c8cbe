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
 * The last phase takes LINGER_TIMEOUT (the time a client is given to read a
 * refusal everywhere else), but at most half of SHUTDOWN_TIMEOUT, so a short
 * shutdown still leaves handlers half of it.
 *
 * @example
 * ```ts
 * import { shutdownSchedule } from "./shutdown_schedule.ts";
 * shutdownSchedule(8000, 2000); // { answerByMs: 6000, closeByMs: 8000 }
 * shutdownSchedule(1000, 2000); // { answerByMs: 500, closeByMs: 1000 }
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
  const lastPhase = Math.min(lingerTimeoutMs, shutdownTimeoutMs / 2);
  return { answerByMs: shutdownTimeoutMs - lastPhase, closeByMs: shutdownTimeoutMs };
}
