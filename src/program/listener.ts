/**
 * One listener of the `rawhttp` program: the demo app on its own pool and
 * counters, bound to the configured address. `main.ts` starts one; with
 * `--listeners N` each worker thread starts one on the shared port.
 *
 * @module
 */

import { createApp } from "./demo_app.ts";
import { type Config, limitsOf } from "./settings.ts";
import type { MetricsReport } from "../handlers/metrics.ts";
import type { Readiness } from "../handlers/health.ts";
import { Metrics } from "../server/metrics.ts";
import { Pool } from "../server/pool.ts";
import { Server } from "../server/server.ts";
import { collectWhenIdle, exposedGc } from "./idle_gc.ts";

/** What differs between the single listener and the listeners of a cluster. */
export interface ListenerOptions {
  /** `performance.now()` of this thread when the process started, for uptime. */
  readonly startedAt: number;
  /** The port to bind; a cluster's later listeners get the one the first bound. */
  readonly port: number;
  /** SO_REUSEPORT, so the cluster's listeners share the port. */
  readonly reusePort: boolean;
  /** What `/ready` answers from; drained when shutdown begins. */
  readonly readiness?: Readiness;
  /** How `/metrics` covers every listener of a cluster. */
  readonly metricsReport?: () => Promise<MetricsReport>;
}

/**
 * Builds the app and binds it. Throws if the address cannot be bound.
 * `config.wwwDir` must already be resolved (not "").
 */
export function startListener(
  config: Config,
  options: ListenerOptions,
): Server<Deno.NetAddr | Deno.UnixAddr> {
  const pool = new Pool(config.numWorkers, config.maxQueue);
  const metrics = new Metrics();
  const router = createApp({
    wwwDir: config.wwwDir,
    staticOptions: {
      cacheControl: config.staticCacheControl,
      compress: config.staticCompress === "on",
    },
    startedAt: options.startedAt,
    metrics,
    pool,
    ...(options.readiness ? { readiness: options.readiness } : {}),
    ...(options.metricsReport ? { metricsReport: options.metricsReport } : {}),
  });
  const where = config.unixSocket !== ""
    ? { path: config.unixSocket }
    : { hostname: config.host, port: options.port, reusePort: options.reusePort, ...tls(config) };
  const server: Server<Deno.NetAddr | Deno.UnixAddr> = Server.listen({
    ...limitsOf(config),
    ...where,
    pool,
    metrics,
    requestIdHeader: config.requestIdHeader === "on",
  }, router);
  if (config.idleGcAfterMs > 0 && exposedGc() !== null) {
    const collector = collectWhenIdle({
      afterMs: config.idleGcAfterMs,
      activity: () => metrics.connections().accepted + metrics.requests,
    });
    server.finished.then(() => collector.stop());
  }
  return server;
}

/** The certificate and key the TLS settings name, read now; none when TLS is off. */
function tls(config: Config): { cert: string; key: string } | Record<never, never> {
  if (config.tlsCertFile === "") return {};
  return {
    cert: Deno.readTextFileSync(config.tlsCertFile),
    key: Deno.readTextFileSync(config.tlsKeyFile),
  };
}
