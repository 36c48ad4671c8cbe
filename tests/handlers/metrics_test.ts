import assert from "node:assert/strict";
import type { MetricsReport, MetricsSources } from "../../src/handlers/metrics.ts";
import {
  mergeReports,
  metricsHandler,
  metricsReport,
  prometheusText,
} from "../../src/handlers/metrics.ts";
import { Metrics } from "../../src/server/metrics.ts";
import { Pool, POOL_FULL } from "../../src/server/pool.ts";
import type { RawResponse } from "../../src/app/response.ts";
import { makeRequest, responseHeader } from "../fixtures/request.ts";

const PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

function sources(): MetricsSources {
  const metrics = new Metrics();
  metrics.record("/", 200);
  metrics.record("/", 200);
  metrics.record("/api/hello", 200);
  metrics.record("/missing", 404);
  metrics.record(null, 400);
  metrics.connectionOpened();
  metrics.connectionOpened();
  metrics.connectionClosed();
  metrics.connectionRefused();
  return { startedAt: performance.now(), metrics, pool: new Pool(4, 8) };
}

async function call(src: MetricsSources, target: string, headers: Array<[string, string]> = []) {
  return await metricsHandler(src)(makeRequest("GET", target, { headers }));
}

function bodyOf(res: RawResponse): string {
  assert.equal(typeof res.body, "string");
  return res.body as string;
}

function isPrometheus(res: RawResponse): boolean {
  return responseHeader(res, "content-type") === PROMETHEUS_TYPE;
}

Deno.test("metricsHandler() answers JSON with request, pool and connection counts", async () => {
  const res = await call(sources(), "/metrics");
  assert.equal(res.status, 200);
  assert.equal(responseHeader(res, "content-type"), "application/json");
  assert.equal(responseHeader(res, "cache-control"), "no-store");
  const report = JSON.parse(bodyOf(res)) as MetricsReport;
  assert.equal(report.requests_total, 5);
  assert.deepEqual(report.requests_by_status, { "200": 3, "400": 1, "404": 1 });
  assert.deepEqual(report.requests_by_path, { "/": 2, "/api/hello": 1, "/missing": 1 });
  assert.deepEqual(report.pool, {
    total_workers: 4,
    active_workers: 0,
    idle_workers: 4,
    queue_depth: 0,
  });
  assert.deepEqual(report.connections, {
    open: 1,
    accepted: 2,
    refused: 1,
    websockets: 0,
    websockets_total: 0,
  });
  assert.equal(typeof report.uptime_seconds, "number");
  assert.ok(report.uptime_seconds >= 0);
});

Deno.test("metricsHandler() reports the pool live: active workers and queue depth", async () => {
  const src = { ...sources(), pool: new Pool(1, 4) };
  const started = Promise.withResolvers<void>();
  const gate = Promise.withResolvers<void>();
  const running = src.pool.run(async () => {
    started.resolve();
    await gate.promise;
  });
  const waiting = src.pool.run(() => {});
  assert.notEqual(running, POOL_FULL);
  assert.notEqual(waiting, POOL_FULL);
  await started.promise;
  const report = JSON.parse(bodyOf(await call(src, "/metrics"))) as MetricsReport;
  assert.deepEqual(report.pool, {
    total_workers: 1,
    active_workers: 1,
    idle_workers: 0,
    queue_depth: 1,
  });
  gate.resolve();
  await running;
  await waiting;
  const after = JSON.parse(bodyOf(await call(src, "/metrics"))) as MetricsReport;
  assert.equal(after.pool.active_workers, 0);
  assert.equal(after.pool.queue_depth, 0);
});

Deno.test("metricsHandler() answers Prometheus text for ?format=prometheus", async () => {
  const res = await call(sources(), "/metrics?format=prometheus");
  assert.equal(res.status, 200);
  assert.ok(isPrometheus(res));
  assert.equal(responseHeader(res, "cache-control"), "no-store");
  const text = bodyOf(res);
  assert.ok(text.includes('rawhttp_requests_total{status="200"} 3\n'));
  assert.ok(text.includes('rawhttp_requests_total{status="400"} 1\n'));
  assert.ok(text.includes('rawhttp_route_requests_total{route="/api/hello"} 1\n'));
  assert.ok(text.includes('rawhttp_pool_workers{state="idle"} 4\n'));
  assert.ok(text.includes("rawhttp_pool_queue_depth 0\n"));
  assert.ok(text.includes("rawhttp_connections_open 1\n"));
  assert.ok(text.includes("rawhttp_connections_accepted_total 2\n"));
  assert.ok(text.includes("rawhttp_connections_refused_total 1\n"));
});

Deno.test("metricsHandler() answers Prometheus text when Accept prefers text/plain", async () => {
  const scraper = "text/plain;version=0.0.4;q=0.9,*/*;q=0.1";
  assert.ok(isPrometheus(await call(sources(), "/metrics", [["Accept", scraper]])));
  assert.ok(isPrometheus(await call(sources(), "/metrics", [["Accept", "text/plain"]])));
});

Deno.test("metricsHandler() answers JSON when Accept names JSON or nothing in particular", async () => {
  for (const accept of ["application/json", "*/*", "text/plain, application/json", "text/html"]) {
    const res = await call(sources(), "/metrics", [["Accept", accept]]);
    assert.equal(responseHeader(res, "content-type"), "application/json", accept);
  }
});

Deno.test("metricsHandler() lets ?format override the Accept header", async () => {
  const json = await call(sources(), "/metrics?format=json", [["Accept", "text/plain"]]);
  assert.equal(responseHeader(json, "content-type"), "application/json");
  const prom = await call(sources(), "/metrics?format=prometheus", [[
    "Accept",
    "application/json",
  ]]);
  assert.ok(isPrometheus(prom));
});

Deno.test("prometheusText() escapes a quote, a backslash and a newline in a route label", () => {
  const metrics = new Metrics();
  metrics.record('/say"hi"', 200);
  metrics.record("/back\\slash", 200);
  metrics.record("/new\nline", 200);
  const text = prometheusText(
    metricsReport({ startedAt: performance.now(), metrics, pool: new Pool(1, 0) }),
  );
  assert.ok(text.includes('rawhttp_route_requests_total{route="/say\\"hi\\""} 1\n'), text);
  assert.ok(text.includes('rawhttp_route_requests_total{route="/back\\\\slash"} 1\n'), text);
  assert.ok(text.includes('rawhttp_route_requests_total{route="/new\\nline"} 1\n'), text);
});

Deno.test("prometheusText() writes HELP and TYPE for each metric and well-formed sample lines", async () => {
  const src = sources();
  src.metrics.record('/q"uote', 200);
  const text = bodyOf(await call(src, "/metrics?format=prometheus"));
  assert.ok(text.endsWith("\n"));
  const lines = text.slice(0, -1).split("\n");
  const helped = new Set<string>();
  const typed = new Set<string>();
  const sample =
    /^(rawhttp_[a-z_]+)(\{[a-z_]+="(?:[^"\\\n]|\\["\\n])*"(?:,[a-z_]+="(?:[^"\\\n]|\\["\\n])*")*\})? -?\d+(\.\d+)?(e[+-]?\d+)?$/;
  for (const line of lines) {
    const help = /^# HELP (rawhttp_[a-z_]+) \S.*$/.exec(line);
    const type = /^# TYPE (rawhttp_[a-z_]+) (counter|gauge|histogram)$/.exec(line);
    if (help) helped.add(help[1]!);
    else if (type) typed.add(type[1]!);
    else {
      const m = sample.exec(line);
      assert.ok(m !== null, `malformed sample line: ${JSON.stringify(line)}`);
      const family = m[1]!.replace(/_(bucket|sum|count)$/, "");
      assert.ok(typed.has(m[1]!) || typed.has(family), `sample before its TYPE: ${line}`);
    }
  }
  assert.deepEqual([...helped].sort(), [...typed].sort());
  assert.ok(typed.has("rawhttp_uptime_seconds"));
  assert.ok(typed.has("rawhttp_requests_total"));
});

Deno.test("metricsReport() reads the sources live on every call", () => {
  const src = sources();
  assert.equal(metricsReport(src).requests_total, 5);
  src.metrics.record("/", 200);
  assert.equal(metricsReport(src).requests_total, 6);
});

Deno.test("mergeReports() sums pools and connections, lists listeners by index, keeps the longest uptime", () => {
  const one = sources();
  const two = { ...sources(), listener: 1 };
  one.metrics.websocketOpened();
  two.metrics.websocketOpened();
  two.metrics.websocketOpened();
  two.metrics.websocketClosed();
  const a = { ...metricsReport(two), uptime_seconds: 2 };
  const b = { ...metricsReport(one), uptime_seconds: 3 };
  const merged = mergeReports([a, b]);
  assert.equal(merged.uptime_seconds, 3);
  assert.deepEqual(merged.listeners, [
    { index: 0, requests_total: 5, connections_accepted: 2 },
    { index: 1, requests_total: 5, connections_accepted: 2 },
  ]);
  assert.equal(merged.requests_total, 10);
  assert.deepEqual(merged.requests_by_status, { "200": 6, "400": 2, "404": 2 });
  assert.deepEqual(merged.pool, {
    total_workers: 8,
    active_workers: 0,
    idle_workers: 8,
    queue_depth: 0,
  });
  assert.deepEqual(merged.connections, {
    open: 2,
    accepted: 4,
    refused: 2,
    websockets: 2,
    websockets_total: 3,
  });
  assert.match(prometheusText(merged), /^rawhttp_websockets_open 2$/m);
  assert.match(prometheusText(merged), /^rawhttp_websockets_total 3$/m);
  const text = prometheusText(merged);
  assert.match(text, /^rawhttp_listeners 2$/m);
  assert.match(text, /^rawhttp_listener_requests_total\{listener="1"\} 5$/m);
  assert.match(text, /^rawhttp_listener_connections_accepted_total\{listener="0"\} 2$/m);
});

Deno.test("metricsHandler() takes its report from a function when given one (the cluster's)", async () => {
  const report = mergeReports([metricsReport(sources()), metricsReport(sources())]);
  const res = await metricsHandler(() => Promise.resolve(report))(makeRequest("GET", "/metrics"));
  assert.deepEqual(JSON.parse(bodyOf(res)), report);
});
