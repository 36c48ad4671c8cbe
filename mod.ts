/**
 * rawhttp: an HTTP/1.1 server for Deno, written from raw TCP upward.
 *
 * `Deno.listen` hands over sockets; the byte parser, body framing, bounded
 * pool, router and serialiser above them are this package's own TypeScript,
 * with strict RFC 9112 parsing and a named limit for everything.
 *
 * @example
 * ```ts ignore
 * import { json, Router, Server } from "./mod.ts";
 *
 * const router = new Router().get("/hello/:name", (req) => json({ hello: req.params.name }));
 * const server = Server.listen({ port: 8000 }, router);
 * // later: await server.shutdown();
 * ```
 *
 * @module
 */

export {
  type HttpServer,
  serve,
  SERVE_DEFAULTS,
  type ServeInit,
  type ServeOptions,
  type ServeUnixOptions,
} from "./src/fetch/serve.ts";
export {
  defaultOnError,
  type ErrorHandler,
  type FetchHandler,
  fetchHandler,
  type ServeHandlerInfo,
} from "./src/fetch/adapter.ts";
export { Server, type ServerOptions } from "./src/server/server.ts";
export {
  upgradeWebSocket,
  type UpgradeWebSocketOptions,
  type WebSocketUpgrade,
} from "./src/fetch/upgrade.ts";
export { WebSocketUpgradeError } from "./src/server/upgrade.ts";
export { WS_REFUSALS, type WsRefusalCode } from "./src/protocol/ws_handshake.ts";
export { clearStaleSocket } from "./src/server/unix_socket.ts";
export type { ListenScheme } from "./src/server/listen.ts";
export {
  FALLBACK_ROUTE,
  type Match,
  type Route,
  type RouteOptions,
  Router,
  type Routes,
  withFallback,
} from "./src/app/router.ts";
export { RawRequest, type RemoteAddr, type StreamingParts } from "./src/app/request.ts";
export type { HeadLimits, HttpVersion } from "./src/protocol/head_parser.ts";
export type { LogFormat, LogLevel } from "./src/server/log.ts";
export {
  type FixedBody,
  type Handler,
  type HeaderList,
  html,
  json,
  type RawResponse,
  type ResponseBody,
  type ResponseInit,
  type StreamBody,
  text,
} from "./src/app/response.ts";
export { RequestHeaders } from "./src/protocol/headers.ts";
export { type Permit, Pool, POOL_FULL, type PoolStats } from "./src/server/pool.ts";
export {
  type ConnectionStats,
  DURATION_BUCKETS,
  type DurationSeries,
  KNOWN_METHODS,
  Metrics,
  OTHER_METHOD,
  type RequestCounts,
  type RequestTraffic,
  UNMATCHED_ROUTE,
} from "./src/server/metrics.ts";
export type { ProcessStats } from "./src/server/process_metrics.ts";
export type { ConnectionLimits } from "./src/server/connection_context.ts";
export {
  defaultLimits,
  type LimitName,
  LIMITS,
  type Limits,
  type LimitSpec,
  type LimitUnit,
} from "./src/protocol/limits.ts";
export {
  type BodylessStatus,
  type ContentStatus,
  type InformationalStatus,
  type Status,
  STATUS_TEXT,
} from "./src/protocol/status.ts";
export { type RejectionCode, REJECTIONS } from "./src/protocol/rejections.ts";
export { setupLogging } from "./src/server/log.ts";
export { serveFile, staticFiles, type StaticOptions } from "./src/handlers/static.ts";
export {
  type Health,
  healthHandler,
  Readiness,
  type ReadinessBody,
  readinessHandler,
} from "./src/handlers/health.ts";
export {
  type ListenerShare,
  metricsHandler,
  type MetricsOrigin,
  type MetricsReport,
  type MetricsSources,
} from "./src/handlers/metrics.ts";
