/**
 * `GET /metrics`: request counts, pool and connections, as JSON or as
 * Prometheus text (`?format=prometheus`, or an Accept header that prefers
 * `text/plain`, as Prometheus's scraper sends).
 *
 * @module
 */

import {
  type ConnectionStats,
  DURATION_BUCKETS,
  mergeCounts,
  mergeTraffic,
  type Metrics,
  type RequestCounts,
  type RequestTraffic,
} from "../server/metrics.ts";
import {
  type ProcessStats,
  processStats,
  startLoopDelaySampler,
} from "../server/process_metrics.ts";
import type { Pool, PoolStats } from "../server/pool.ts";
import type { RawRequest } from "../app/request.ts";
import { json } from "../app/response.ts";
import type { Handler, RawResponse } from "../app/response.ts";
import { uptimeSeconds } from "./health.ts";

/** Everything `/metrics` reads, live. */
export interface MetricsSources {
  /** `performance.now()` when the process started. */
  readonly startedAt: number;
  /** The server's counters. */
  readonly metrics: Metrics;
  /** The server's worker pool. */
  readonly pool: Pool;
  /** Which listener this is, under `--listeners N` (0 to N-1); 0 by default. */
  readonly listener?: number;
}

/** One listener's share of the load: is the kernel spreading connections evenly? */
export interface ListenerShare {
  /** 0 to LISTENERS-1. */
  readonly index: number;
  /** Requests this listener answered. */
  readonly requests_total: number;
  /** Connections this listener accepted. */
  readonly connections_accepted: number;
}

/** The JSON body of `/metrics`. */
export interface MetricsReport extends RequestCounts, RequestTraffic {
  /** Seconds since the process started. */
  readonly uptime_seconds: number;
  /** The listeners the figures cover (LISTENERS of them), by index; pool and connections are their sums. */
  readonly listeners: readonly ListenerShare[];
  /**
   * Listeners whose figures did not come within METRICS_TIMEOUT (a stuck
   * thread), by index: the figures above leave them out. Empty when complete.
   */
  readonly missing_listeners: readonly number[];
  /** The pool's permits and queue, live. */
  readonly pool: PoolStats;
  /** Connection counts, live. */
  readonly connections: ConnectionStats;
  /** Requests read whose response has not begun, now. */
  readonly requests_in_flight: number;
  /** Memory, heap, event-loop delay and open descriptors of the process. */
  readonly process: ProcessStats;
}

/** Builds the report from the live sources. */
export function metricsReport(src: MetricsSources): MetricsReport {
  startLoopDelaySampler(); // from the first report on, in this thread
  const counts = src.metrics.snapshot();
  const connections = src.metrics.connections();
  return {
    uptime_seconds: uptimeSeconds(src.startedAt),
    listeners: [{
      index: src.listener ?? 0,
      requests_total: counts.requests_total,
      connections_accepted: connections.accepted,
    }],
    missing_listeners: [],
    ...counts,
    ...src.metrics.traffic(),
    pool: src.pool.stats(),
    connections,
    requests_in_flight: src.metrics.requestsInFlight(),
    process: processStats(),
  };
}

/**
 * One report for several listeners (`--listeners N`): counts, pools and
 * connections summed, and the longest uptime.
 */
export function mergeReports(reports: readonly MetricsReport[]): MetricsReport {
  const sum = (pick: (r: MetricsReport) => number) => reports.reduce((n, r) => n + pick(r), 0);
  return {
    uptime_seconds: Math.max(0, ...reports.map((r) => r.uptime_seconds)),
    listeners: reports.flatMap((r) => r.listeners).sort((a, b) => a.index - b.index),
    missing_listeners: reports.flatMap((r) => r.missing_listeners).sort((a, b) => a - b),
    ...mergeCounts(reports),
    ...mergeTraffic(reports),
    pool: {
      total_workers: sum((r) => r.pool.total_workers),
      active_workers: sum((r) => r.pool.active_workers),
      idle_workers: sum((r) => r.pool.idle_workers),
      queue_depth: sum((r) => r.pool.queue_depth),
    },
    connections: {
      open: sum((r) => r.connections.open),
      accepted: sum((r) => r.connections.accepted),
      refused: sum((r) => r.connections.refused),
      websockets: sum((r) => r.connections.websockets),
      websockets_total: sum((r) => r.connections.websockets_total),
    },
    requests_in_flight: sum((r) => r.requests_in_flight),
    process: mergeProcess(reports.map((r) => r.process)),
  };
}

/**
 * The listeners are threads of one process: memory and descriptors are the
 * process's (the latest read), the event-loop delay the worst listener's.
 */
function mergeProcess(all: readonly ProcessStats[]): ProcessStats {
  const last = all.at(-1) ?? processStats();
  return {
    ...last,
    event_loop_delay_seconds: Math.max(0, ...all.map((p) => p.event_loop_delay_seconds)),
    event_loop_delay_max_seconds: Math.max(0, ...all.map((p) => p.event_loop_delay_max_seconds)),
  };
}

/** Where a `/metrics` handler gets its report: live sources, or a function (e.g. one that asks every listener). */
export type MetricsOrigin = MetricsSources | (() => MetricsReport | Promise<MetricsReport>);

function wantsPrometheus(req: RawRequest): boolean {
  const format = req.query.get("format");
  if (format !== null) return format === "prometheus";
  const accept = req.headers.get("accept") ?? "";
  return accept.includes("text/plain") && !accept.includes("application/json");
}

/**
 * A `/metrics` handler over `src`.
 *
 * @example
 * ```ts ignore
 * router.get("/metrics", metricsHandler({ startedAt, metrics, pool }), { metered: false, pooled: false });
 * ```
 */
export function metricsHandler(origin: MetricsOrigin): Handler {
  startLoopDelaySampler();
  if (typeof origin !== "function") origin.metrics.timing = true; // the histogram is read now
  const collect = typeof origin === "function" ? origin : () => metricsReport(origin);
  return async (req): Promise<RawResponse> => {
    const report = await collect();
    const headers = { "Cache-Control": "no-store" };
    if (!wantsPrometheus(req)) return json(report, { headers });
    return {
      status: 200,
      headers: { ...headers, "Content-Type": "text/plain; version=0.0.4; charset=utf-8" },
      body: prometheusText(report),
    };
  };
}

/** Escapes a label value for the Prometheus text format (backslash, quote, newline). */
function label(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

/** The report in the Prometheus text exposition format, version 0.0.4. */
export function prometheusText(r: MetricsReport): string {
  const out: string[] = [];
  const metric = (name: string, type: string, help: string, rows: string[]) => {
    out.push(`# HELP rawhttp_${name} ${help}`, `# TYPE rawhttp_${name} ${type}`, ...rows);
  };
  metric("uptime_seconds", "gauge", "Seconds since the server started.", [
    `rawhttp_uptime_seconds ${r.uptime_seconds}`,
  ]);
  metric("listeners", "gauge", "Listeners (LISTENERS) these figures cover.", [
    `rawhttp_listeners ${r.listeners.length}`,
  ]);
  metric("listeners_missing", "gauge", "Listeners whose figures did not come in time.", [
    `rawhttp_listeners_missing ${r.missing_listeners.length}`,
  ]);
  metric("listener_requests_total", "counter", "Requests answered, by listener.", [
    ...r.listeners.map((l) =>
      `rawhttp_listener_requests_total{listener="${l.index}"} ${l.requests_total}`
    ),
  ]);
  metric("listener_connections_accepted_total", "counter", "Connections accepted, by listener.", [
    ...r.listeners.map((l) =>
      `rawhttp_listener_connections_accepted_total{listener="${l.index}"} ${l.connections_accepted}`
    ),
  ]);
  metric("requests_total", "counter", "Requests answered, by status.", [
    ...Object.entries(r.requests_by_status).map(([status, n]) =>
      `rawhttp_requests_total{status="${status}"} ${n}`
    ),
  ]);
  metric("route_requests_total", "counter", "Requests answered, by route as registered.", [
    ...Object.entries(r.requests_by_path).map(([route, n]) =>
      `rawhttp_route_requests_total{route="${label(route)}"} ${n}`
    ),
  ]);
  metric("pool_workers", "gauge", "Worker permits by state.", [
    `rawhttp_pool_workers{state="active"} ${r.pool.active_workers}`,
    `rawhttp_pool_workers{state="idle"} ${r.pool.idle_workers}`,
  ]);
  metric("pool_queue_depth", "gauge", "Requests waiting for a worker.", [
    `rawhttp_pool_queue_depth ${r.pool.queue_depth}`,
  ]);
  metric("connections_open", "gauge", "Open client connections.", [
    `rawhttp_connections_open ${r.connections.open}`,
  ]);
  metric("connections_accepted_total", "counter", "Connections accepted.", [
    `rawhttp_connections_accepted_total ${r.connections.accepted}`,
  ]);
  metric("websockets_open", "gauge", "Open connections upgraded to a WebSocket.", [
    `rawhttp_websockets_open ${r.connections.websockets}`,
  ]);
  metric("websockets_total", "counter", "Connections upgraded to a WebSocket.", [
    `rawhttp_websockets_total ${r.connections.websockets_total}`,
  ]);
  metric("connections_refused_total", "counter", "Connections refused over the cap.", [
    `rawhttp_connections_refused_total ${r.connections.refused}`,
  ]);
  metric("requests_in_flight", "gauge", "Requests read whose response has not begun.", [
    `rawhttp_requests_in_flight ${r.requests_in_flight}`,
  ]);
  metric(
    "http_server_request_duration_seconds",
    "histogram",
    "Request duration, head read to response written, by method, route and status class.",
    r.request_duration_seconds.flatMap((row) => {
      const labels = `method="${row.method}",route="${
        label(row.route)
      }",status_class="${row.status_class}"`;
      const name = "rawhttp_http_server_request_duration_seconds";
      return [
        ...DURATION_BUCKETS.map((le, i) =>
          `${name}_bucket{${labels},le="${le}"} ${row.buckets[i]}`
        ),
        `${name}_bucket{${labels},le="+Inf"} ${row.count}`,
        `${name}_sum{${labels}} ${row.sum}`,
        `${name}_count{${labels}} ${row.count}`,
      ];
    }),
  );
  metric("request_body_bytes_total", "counter", "Request body bytes received.", [
    `rawhttp_request_body_bytes_total ${r.request_body_bytes_total}`,
  ]);
  metric("response_body_bytes_total", "counter", "Response body bytes sent.", [
    `rawhttp_response_body_bytes_total ${r.response_body_bytes_total}`,
  ]);
  const p = r.process;
  metric("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", [
    `rawhttp_process_resident_memory_bytes ${p.resident_memory_bytes}`,
  ]);
  metric("process_heap_bytes", "gauge", "V8 heap in bytes, used and total.", [
    `rawhttp_process_heap_bytes{state="used"} ${p.heap_used_bytes}`,
    `rawhttp_process_heap_bytes{state="total"} ${p.heap_total_bytes}`,
  ]);
  metric(
    "event_loop_delay_seconds",
    "gauge",
    "Event loop delay over the last 5 s (a 100 ms timer's lateness), mean and max.",
    [
      `rawhttp_event_loop_delay_seconds{stat="mean"} ${p.event_loop_delay_seconds}`,
      `rawhttp_event_loop_delay_seconds{stat="max"} ${p.event_loop_delay_max_seconds}`,
    ],
  );
  if (p.open_fds !== null) {
    metric("process_open_fds", "gauge", "Open file descriptors.", [
      `rawhttp_process_open_fds ${p.open_fds}`,
    ]);
  }
  return out.join("\n") + "\n";
}
