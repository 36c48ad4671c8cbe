import assert from "node:assert/strict";
import {
  DURATION_BUCKETS,
  mergeTraffic,
  Metrics,
  OTHER_METHOD,
  UNMATCHED_ROUTE,
} from "../../src/server/metrics.ts";
import { metricsHandler, metricsReport, prometheusText } from "../../src/handlers/metrics.ts";
import { processStats } from "../../src/server/process_metrics.ts";
import { exchange, startServer, testRouter } from "../fixtures/harness.ts";
import type { Server } from "../../src/server/server.ts";

Deno.test("observe(): each duration lands in its bucket, cumulative, with +Inf, sum and count", () => {
  const m = new Metrics();
  for (const s of [0.001, 0.005, 0.007, 0.3, 12]) m.observe("/a", 200, "GET", s, 3, 5);
  const t = m.traffic();
  assert.equal(t.request_duration_seconds.length, 1);
  const row = t.request_duration_seconds[0]!;
  assert.deepEqual([row.method, row.route, row.status_class], ["GET", "/a", "2xx"]);
  assert.equal(row.buckets.length, DURATION_BUCKETS.length);
  assert.equal(row.buckets[0], 2); // 0.001 and 0.005 (le is inclusive)
  assert.equal(row.buckets[1], 3); // + 0.007 under 0.01
  assert.equal(row.buckets[DURATION_BUCKETS.indexOf(0.25)], 3);
  assert.equal(row.buckets[DURATION_BUCKETS.indexOf(0.5)], 4);
  assert.equal(row.buckets.at(-1), 4); // 12 s is only in +Inf
  assert.equal(row.count, 5);
  assert.ok(Math.abs(row.sum - 12.313) < 1e-9);
  assert.equal(t.request_body_bytes_total, 15);
  assert.equal(t.response_body_bytes_total, 25);
  // and the reference's counters too
  assert.equal(m.snapshot().requests_total, 5);
  assert.deepEqual(m.snapshot().requests_by_path, { "/a": 5 });
});

Deno.test("observe(): methods outside the known set are _OTHER; status classes 1xx-5xx", () => {
  const m = new Metrics();
  const hostile = ["FOO", "get", "X".repeat(200), 'G"E\nT', "PROPFIND"];
  for (const method of hostile) m.observe(UNMATCHED_ROUTE, 404, method, 0.001, 0, 0);
  m.observe("/b", 503, "DELETE", 0.001, 0, 0);
  m.observe("/b", 101, "GET", 0.001, 0, 0);
  const rows = m.traffic().request_duration_seconds;
  assert.deepEqual(
    rows.map((r) => `${r.method} ${r.route} ${r.status_class} ${r.count}`).sort(),
    ["DELETE /b 5xx 1", "GET /b 1xx 1", `${OTHER_METHOD} ${UNMATCHED_ROUTE} 4xx 5`].sort(),
  );
});

Deno.test("mergeTraffic() sums rows of the same method, route and class", () => {
  const a = new Metrics();
  const b = new Metrics();
  a.observe("/a", 200, "GET", 0.001, 1, 2);
  b.observe("/a", 200, "GET", 1, 10, 20);
  b.observe("/a", 500, "GET", 1, 0, 0);
  const t = mergeTraffic([a.traffic(), b.traffic()]);
  assert.equal(t.request_duration_seconds.length, 2);
  const ok = t.request_duration_seconds.find((r) => r.status_class === "2xx")!;
  assert.equal(ok.count, 2);
  assert.equal(ok.buckets[0], 1);
  assert.equal(ok.buckets.at(-1), 2);
  assert.equal(t.request_body_bytes_total, 11);
  assert.equal(t.response_body_bytes_total, 22);
});

/** Whether this process may list /proc/self/fd: Deno lets only --allow-all read it. */
function mayListFds(): boolean {
  try {
    Deno.readDirSync("/proc/self/fd");
    return true;
  } catch {
    return false;
  }
}

Deno.test("processStats(): resident memory and heap are present; descriptors where /proc/self/fd may be read", () => {
  const p = processStats();
  assert.ok(p.resident_memory_bytes > 1_000_000);
  assert.ok(p.heap_used_bytes > 0 && p.heap_total_bytes >= p.heap_used_bytes);
  if (mayListFds()) assert.ok(p.open_fds !== null && p.open_fds > 2);
  else assert.equal(p.open_fds, null);
  assert.ok(p.event_loop_delay_seconds >= 0 && p.event_loop_delay_max_seconds >= 0);
});

/** A test server with `/metrics` over its own counters. */
function metricsServer() {
  let server: Server | null = null;
  const router = testRouter().get(
    "/metrics",
    metricsHandler(() =>
      metricsReport({ startedAt: 0, metrics: server!.metrics, pool: server!.pool })
    ),
    { metered: false },
  );
  const s = startServer({}, router);
  server = s.server;
  s.server.metrics.timing = true; // a report function: metricsHandler cannot turn it on itself
  return s;
}

Deno.test("untimed (no metricsHandler on its Metrics), requests are counted but not timed: no clock read", async () => {
  await using s = startServer();
  assert.equal(s.server.metrics.timing, false);
  await (await fetch(`${s.url}/hello`)).text();
  const report = metricsReport({ startedAt: 0, metrics: s.server.metrics, pool: s.server.pool });
  assert.equal(report.requests_total, 1);
  assert.deepEqual(report.request_duration_seconds, []);
  metricsHandler({ startedAt: 0, metrics: s.server.metrics, pool: s.server.pool });
  assert.equal(s.server.metrics.timing, true, "a metricsHandler over these Metrics times requests");
});

Deno.test("a live server: the histogram counts requests by method, route and class; labels bounded", async () => {
  await using s = metricsServer();
  await (await fetch(`${s.url}/hello`)).text();
  await (await fetch(`${s.url}/echo`, { method: "POST", body: "12345" })).text();
  for (let i = 0; i < 20; i++) {
    await exchange(s.port, `BREW${i} /wp-login${i}.php?x=${i} HTTP/1.1\r\nHost: x\r\n\r\n`);
    await (await fetch(`${s.url}/scan/${i}"\n`)).text();
  }
  const report = metricsReport({ startedAt: 0, metrics: s.server.metrics, pool: s.server.pool });
  const rows = report.request_duration_seconds;
  const routes = new Set(rows.map((r) => r.route));
  const methods = new Set(rows.map((r) => r.method));
  assert.deepEqual([...routes].sort(), ["/echo", "/hello", UNMATCHED_ROUTE].sort());
  // Methods the parser refuses (501) count by status only; any that pass are _OTHER.
  for (const method of methods) assert.ok(["GET", "POST", OTHER_METHOD].includes(method), method);
  assert.ok(rows.length <= 5, JSON.stringify(rows));
  assert.ok(report.request_body_bytes_total >= 5);
  assert.ok(report.response_body_bytes_total > 0);
  assert.equal(report.requests_in_flight, 0);
  const res = await fetch(`${s.url}/metrics?format=prometheus`);
  const text = await res.text();
  assert.match(text, /# TYPE rawhttp_http_server_request_duration_seconds histogram/);
  assert.match(
    text,
    /rawhttp_http_server_request_duration_seconds_bucket\{method="POST",route="\/echo",status_class="2xx",le="\+Inf"\} 1\n/,
  );
  for (
    const name of [
      "process_resident_memory_bytes",
      "process_heap_bytes",
      "event_loop_delay_seconds",
    ]
  ) {
    assert.match(text, new RegExp(`^rawhttp_${name}[{ ]`, "m"));
  }
});

Deno.test("requests in flight: a request whose handler runs is counted, then not", async () => {
  const m = new Metrics();
  let release = () => {};
  const held = new Promise<void>((r) => release = r);
  let server: Server | null = null;
  const router = testRouter().get("/slow", async () => {
    await held;
    return { status: 204 };
  });
  await using s = startServer({ metrics: m }, router);
  server = s.server;
  const pending = fetch(`${s.url}/slow`);
  for (let i = 0; i < 100 && m.requestsInFlight() === 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(m.requestsInFlight(), 1);
  release();
  await (await pending).body?.cancel();
  assert.equal(server.metrics.requestsInFlight(), 0);
});

/** Whether promtool is installed: .ci/run installs it (Debian's `prometheus`). */
const HAS_PROMTOOL = (() => {
  try {
    return new Deno.Command("promtool", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "promtool check metrics passes on /metrics's text",
  // Reported as ignored (not passed) where promtool is missing: apt-get install prometheus.
  ignore: !HAS_PROMTOOL,
  async fn() {
    await using s = metricsServer();
    await (await fetch(`${s.url}/hello`)).text();
    await exchange(s.port, `FOO /x HTTP/1.1\r\nHost: x\r\n\r\n`);
    await (await fetch(`${s.url}/echo`, { method: "PUT", body: "abc" })).text();
    const text = await (await fetch(`${s.url}/metrics?format=prometheus`)).text();
    const child = new Deno.Command("promtool", {
      args: ["check", "metrics"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(text));
    await writer.close();
    const out = await child.output();
    const said = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.ok(out.success, `promtool: ${said}\n${text}`);
    assert.equal(said.trim(), "", said); // no lint warnings either
  },
});

Deno.test("prometheusText(): a report with no requests is still well-formed", () => {
  const text = prometheusText(metricsReport({
    startedAt: 0,
    metrics: new Metrics(),
    pool: startServerlessPool(),
  }));
  assert.match(text, /# TYPE rawhttp_http_server_request_duration_seconds histogram\n/);
});

function startServerlessPool() {
  return {
    stats: () => ({ total_workers: 0, active_workers: 0, idle_workers: 0, queue_depth: 0 }),
  } as never;
}
