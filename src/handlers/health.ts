/**
 * `GET /health`: liveness for load balancers and the container HEALTHCHECK;
 * `GET /ready`: readiness, which fails as soon as the server starts to drain.
 *
 * @module
 */

import { json } from "../app/response.ts";
import type { Handler } from "../app/response.ts";

/** What `/health` answers. */
export interface Health {
  /** Always "ok": a process that answers is alive. */
  readonly status: "ok";
  /** Seconds since the process started. */
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

/**
 * Whether the server should get new requests: true until shutdown begins
 * (or {@link Readiness.drain} is called), so a load balancer that polls the
 * readiness route stops routing here first. A liveness check (`/health`)
 * stays 200 meanwhile: the process is not to be restarted.
 */
export class Readiness {
  #ready = true;

  /** True until drain() is called. */
  get ready(): boolean {
    return this.#ready;
  }

  /** From now on the readiness route answers 503: the server is going away. */
  drain(): void {
    this.#ready = false;
  }
}

/** What the readiness route answers. */
export interface ReadinessBody {
  /** "ready", or "draining" once shutdown began. */
  readonly status: "ready" | "draining";
}

/**
 * A readiness handler (`/ready`): 200 `{"status":"ready"}`, then, once
 * `readiness` drains, 503 `{"status":"draining"}`. Register it unpooled and
 * unmetered, as `/health`.
 */
export function readinessHandler(readiness: Readiness): Handler {
  const ready = json({ status: "ready" } satisfies ReadinessBody, {
    headers: { "Cache-Control": "no-store" },
  });
  const draining = json({ status: "draining" } satisfies ReadinessBody, {
    status: 503,
    headers: { "Cache-Control": "no-store" },
  });
  return () => readiness.ready ? ready : draining;
}
