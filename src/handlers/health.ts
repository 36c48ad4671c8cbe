/**
 * `GET /health`: liveness for load balancers and the container HEALTHCHECK.
 *
 * @module
 */

import { json } from "../app/response.ts";
import type { Handler } from "../app/response.ts";

/** What `/health` answers. */
export interface Health {
  readonly status: "ok";
  readonly uptime_seconds: number;
  /** Now, in UTC ISO-8601 ending in Z. */
  readonly timestamp: string;
}

/** Seconds since `startedAt` (a `performance.now()` reading), to the millisecond. */
export function uptimeSeconds(startedAt: number): number {
  return Math.round(performance.now() - startedAt) / 1000;
}

/** A `/health` handler for a process that started at `startedAt` (`performance.now()`). */
export function healthHandler(startedAt: number): Handler {
  return () => {
    const body: Health = {
      status: "ok",
      uptime_seconds: uptimeSeconds(startedAt),
      timestamp: new Date().toISOString(),
    };
    return json(body, { headers: { "Cache-Control": "no-store" } });
  };
}
