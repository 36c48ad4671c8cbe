/**
 * rawhttp's `serve()` (mod.ts) with the shared fetch handler, for the attacks
 * whose routes the demo program lacks (`POST /upload`, `GET /slow`). It takes
 * the demo program's flags and defaults (src/program/settings.ts: `--port`,
 * `--num-workers`, `--write-timeout`, `--shutdown-timeout`, ...), and adds
 * `GET /metrics` as a rawhttp route outside the pool, so the benchmark can
 * see the pool's queue. SIGTERM or SIGINT shuts it down gracefully; it exits
 * 0 when done, and when its stdin closes (the benchmark is gone).
 *
 * Usage: `deno run --allow-net --allow-env --allow-read bench/chaos/servers/rawhttp_serve.ts --host 127.0.0.1 --port PORT [flags]`
 *
 * @module
 */

import { type Handler, metricsHandler, Router, serve, setupLogging } from "../../../mod.ts";
import { limitsOf, loadConfig } from "../../../src/program/settings.ts";
import { exitWithParent } from "../../servers/common.ts";
import { chaosHandler } from "./handler.ts";

const startedAt = performance.now();
const loaded = loadConfig({}, Deno.args);
if (loaded.kind !== "config") {
  console.error(loaded.kind === "error" ? loaded.message : "see src/program/main.ts --help");
  Deno.exit(2);
}
const config = loaded.config;
await setupLogging(config.logLevel, config.logFormat);
exitWithParent();

/** `/metrics` of the server below, which exists by the time a request comes. */
const metricsRoute: Handler = (req) =>
  metricsHandler({ startedAt, metrics: server.server.metrics, pool: server.server.pool })(req);

const server = serve({
  ...limitsOf(config),
  hostname: config.host,
  port: config.port,
  routes: new Router().get("/metrics", metricsRoute, { metered: false, pooled: false }),
  onListen: () => {},
}, chaosHandler);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.addSignalListener(signal, () => {
    server.shutdown().then(() => server.finished).finally(() => Deno.exit(0));
  });
}
