/**
 * The demo application: the routes `deno task start` serves.
 *
 * @module
 */

import { fileRoute, staticFiles, type StaticOptions } from "../handlers/static.ts";
import { healthHandler, Readiness, readinessHandler } from "../handlers/health.ts";
import { metricsHandler, type MetricsReport } from "../handlers/metrics.ts";
import type { Metrics } from "../server/metrics.ts";
import type { Pool } from "../server/pool.ts";
import { type Handler, json, text } from "../app/response.ts";
import { Router } from "../app/router.ts";
import { SERVER_NAME } from "../protocol/serializer.ts";
import { upgradeWebSocket } from "../server/upgrade.ts";

/** What the demo routes read. */
export interface AppOptions {
  /** The folder /about and /static/* serve from. */
  readonly wwwDir: string;
  /** How they are served (Cache-Control and the rest; the handler's defaults otherwise). */
  readonly staticOptions?: StaticOptions;
  /** `performance.now()` when the process started, for uptime. */
  readonly startedAt: number;
  readonly metrics: Metrics;
  readonly pool: Pool;
  /** What `/ready` answers from: ready until shutdown begins (a fresh one by default). */
  readonly readiness?: Readiness;
  /**
   * Where `/metrics` gets its report when it must cover more than this
   * listener (`--listeners N`); by default, `metrics` and `pool` alone.
   */
  readonly metricsReport?: () => Promise<MetricsReport>;
}

/** The routes, with a line of description each, for the home page. */
const ROUTES: ReadonlyArray<readonly [string, string]> = [
  ["GET /", "this list"],
  ["GET /api/hello", "JSON greeting: {message, method, path, server}"],
  ["POST /api/echo", "the request body back, same Content-Type (also PUT)"],
  ["GET /about", "an HTML page about this server"],
  ["GET /static/*", "files from the www/ folder (/static/ws.html talks to /ws/echo)"],
  ["GET /ws/echo", "a WebSocket that greets, then echoes every message"],
  ["GET /health", "liveness: {status, uptime_seconds, timestamp}"],
  ["GET /ready", "readiness: 200 {status: ready}, 503 {status: draining} once shutdown began"],
  ["GET /metrics", "request counts, pool and connections (JSON; ?format=prometheus)"],
];

/** The home page text. */
export function homeText(): string {
  const width = Math.max(...ROUTES.map(([route]) => route.length));
  const lines = ROUTES.map(([route, what]) => `  ${route.padEnd(width)}  ${what}`);
  return `${SERVER_NAME}: an HTTP/1.1 server for Deno, from raw TCP up.\n\nRoutes:\n${
    lines.join("\n")
  }\n\nHEAD works wherever GET does.\n`;
}

/** Answers with the request body and its Content-Type. */
const echo: Handler = (req) => ({
  status: 200,
  headers: { "Content-Type": req.headers.get("content-type") ?? "application/octet-stream" },
  body: req.body,
});

/** Upgrades to a WebSocket that greets, then sends every message back. */
const echoSocket: Handler = (req) => {
  const { socket, response } = upgradeWebSocket(req);
  socket.onopen = () => socket.send("hello from rawhttp");
  socket.onmessage = (e) => socket.send(e.data);
  return response;
};

/** Builds the demo app's router. */
export function createApp(options: AppOptions): Router {
  options.metrics.timing = true; // /metrics has the latency histogram, whichever report it gives
  const home = text(homeText());
  return new Router()
    .get("/", () => home)
    .get("/api/hello", (req) =>
      json({
        message: "Hello, world!",
        method: req.method,
        path: req.path,
        server: SERVER_NAME,
      }))
    .post("/api/echo", echo)
    .add("PUT", "/api/echo", echo)
    .get("/about", fileRoute(options.wwwDir, "index.html", options.staticOptions))
    .get("/static/*", staticFiles(options.wwwDir, options.staticOptions))
    .get("/ws/echo", echoSocket)
    // Observability answers even when every worker is busy, and is not counted.
    .get("/health", healthHandler(options.startedAt), { metered: false, pooled: false })
    .get("/ready", readinessHandler(options.readiness ?? new Readiness()), {
      metered: false,
      pooled: false,
    })
    .get("/metrics", metricsHandler(options.metricsReport ?? options), {
      metered: false,
      pooled: false,
    });
}
