import assert from "node:assert/strict";
import { join } from "node:path";
import { createApp, homeText } from "../../src/program/demo_app.ts";
import type { Health } from "../../src/handlers/health.ts";
import type { MetricsReport } from "../../src/handlers/metrics.ts";
import { Metrics } from "../../src/server/metrics.ts";
import { Pool } from "../../src/server/pool.ts";
import type { RawResponse } from "../../src/app/response.ts";
import type { Match, Route, Router } from "../../src/app/router.ts";
import { bodyText, makeRequest, responseHeader } from "../fixtures/request.ts";
import { startServer } from "../fixtures/harness.ts";

function app(wwwDir = "/nonexistent-rawhttp-www"): Router {
  return createApp({
    wwwDir,
    startedAt: performance.now(),
    metrics: new Metrics(),
    pool: new Pool(2, 4),
  });
}

function route(router: Router, method: string, path: string): Route {
  const m: Match = router.match(method, path);
  assert.equal(m.kind, "found", `${method} ${path}: ${JSON.stringify(m)}`);
  return (m as Extract<Match, { kind: "found" }>).route;
}

async function serve(router: Router, method: string, target: string): Promise<RawResponse> {
  const path = target.split("?")[0]!;
  const m = router.match(method, path);
  assert.equal(m.kind, "found", `${method} ${path}`);
  const found = m as Extract<Match, { kind: "found" }>;
  return await found.route.handler(makeRequest(method, target, { params: found.params }));
}

/** The "METHOD /path" entries the home page lists. */
function listedRoutes(): string[] {
  return [...homeText().matchAll(/^ {2}(GET \/\S*)/gm)].map((m) => m[1]!);
}

Deno.test("createApp() home page lists every route, and each listed route is registered", async () => {
  const router = app();
  const res = await serve(router, "GET", "/");
  assert.equal(res.status, 200);
  assert.equal(responseHeader(res, "content-type"), "text/plain; charset=utf-8");
  assert.equal(bodyText(res), homeText());
  const listed = listedRoutes();
  assert.deepEqual(listed, [
    "GET /",
    "GET /api/hello",
    "GET /about",
    "GET /static/*",
    "GET /ws/echo",
    "GET /health",
    "GET /ready",
    "GET /metrics",
  ]);
  for (const entry of listed) {
    const path = entry.slice(4).replace("*", "some/file.css");
    route(router, "GET", path);
  }
  assert.match(homeText(), /^rawhttp: /);
  assert.match(homeText(), /HEAD works wherever GET does/);
});

Deno.test("createApp() /api/hello answers JSON {message, method, path, server}", async () => {
  const res = await serve(app(), "GET", "/api/hello?x=1");
  assert.equal(res.status, 200);
  assert.equal(responseHeader(res, "content-type"), "application/json");
  assert.deepEqual(JSON.parse(bodyText(res)), {
    message: "Hello, world!",
    method: "GET",
    path: "/api/hello",
    server: "rawhttp",
  });
});

Deno.test("createApp() /api/hello reports HEAD as the method when HEAD is served by GET", async () => {
  const res = await serve(app(), "HEAD", "/api/hello");
  assert.equal(JSON.parse(bodyText(res)).method, "HEAD");
});

Deno.test("createApp() answers 405 with Allow: GET, HEAD for POST to a GET route", () => {
  assert.deepEqual(app().match("POST", "/api/hello"), {
    kind: "method_not_allowed",
    allow: "GET, HEAD",
    pattern: "/api/hello",
    metered: true,
  });
  assert.equal(app().match("GET", "/nope").kind, "not_found");
});

Deno.test("createApp() registers /health and /metrics with metered and pooled false", () => {
  const router = app();
  for (const path of ["/health", "/metrics"]) {
    const r = route(router, "GET", path);
    assert.equal(r.metered, false, path);
    assert.equal(r.pooled, false, path);
    assert.equal(route(router, "HEAD", path).metered, false, `HEAD ${path}`);
  }
  for (const path of ["/", "/api/hello", "/about", "/static/x.css"]) {
    const r = route(router, "GET", path);
    assert.equal(r.metered, true, path);
    assert.equal(r.pooled, true, path);
  }
});

Deno.test("createApp() /health answers status ok", async () => {
  const res = await serve(app(), "GET", "/health");
  const body = JSON.parse(bodyText(res)) as Health;
  assert.equal(body.status, "ok");
  assert.ok(body.uptime_seconds >= 0);
  assert.ok(body.timestamp.endsWith("Z") && !Number.isNaN(Date.parse(body.timestamp)));
});

Deno.test("createApp() /metrics reads the metrics and pool it was given", async () => {
  const metrics = new Metrics();
  metrics.record("/api/hello", 200);
  const router = createApp({
    wwwDir: "/nonexistent-rawhttp-www",
    startedAt: performance.now(),
    metrics,
    pool: new Pool(3, 4),
  });
  const res = await serve(router, "GET", "/metrics");
  const report = JSON.parse(bodyText(res)) as MetricsReport;
  assert.equal(report.requests_total, 1);
  assert.deepEqual(report.requests_by_path, { "/api/hello": 1 });
  assert.equal(report.pool.total_workers, 3);
  const prom = await serve(router, "GET", "/metrics?format=prometheus");
  assert.ok(bodyText(prom).includes('rawhttp_route_requests_total{route="/api/hello"} 1'));
});

Deno.test("createApp() serves /about and /static/* from wwwDir", async () => {
  const www = await Deno.makeTempDir({ prefix: "rawhttp_app_test_" });
  try {
    await Deno.writeTextFile(join(www, "index.html"), "<h1>about</h1>");
    await Deno.mkdir(join(www, "css"));
    await Deno.writeTextFile(join(www, "css", "site.css"), "p{}");
    const router = app(www);
    const about = await serve(router, "GET", "/about");
    assert.equal(about.status, 200);
    assert.equal(responseHeader(about, "content-type"), "text/html; charset=utf-8");
    assert.equal(bodyText(about), "<h1>about</h1>");
    const css = await serve(router, "GET", "/static/css/site.css");
    assert.equal(css.status, 200);
    assert.equal(responseHeader(css, "content-type"), "text/css; charset=utf-8");
    assert.equal(bodyText(css), "p{}");
    const missing = await serve(router, "GET", "/static/css/none.css");
    assert.equal(missing.status, 404);
  } finally {
    await Deno.remove(www, { recursive: true });
  }
});

// Regression: /metrics counted paths as sent, first come first kept, so three
// scanner requests pushed /api/hello into "(other)" for good, and DELETE
// /health was counted.
Deno.test("/metrics counts by route: scanners share one unmatched row, /health and /metrics are never counted", async () => {
  const metrics = new Metrics();
  const pool = new Pool(2, 4);
  const router = createApp({ wwwDir: "/nonexistent-rawhttp-www", startedAt: 0, metrics, pool });
  await using s = startServer({ metrics, pool }, router);
  const requests: ReadonlyArray<readonly [string, string]> = [
    ["GET", "/.env"],
    ["GET", "/wp-login.php"],
    ["GET", "/phpmyadmin/"],
    ["GET", "/api/hello"],
    ["GET", "/static/a.css"],
    ["GET", "/static/b.css"],
    ["POST", "/api/hello"],
    ["DELETE", "/health"],
    ["GET", "/health"],
    ["HEAD", "/metrics"],
    ["POST", "/metrics"],
  ];
  for (const [method, path] of requests) {
    await (await fetch(`${s.url}${path}`, { method })).body?.cancel();
  }
  const report = await (await fetch(`${s.url}/metrics`)).json() as MetricsReport;
  assert.deepEqual(report.requests_by_path, {
    "(unmatched)": 3,
    "/api/hello": 2,
    "/static/*": 2,
  });
  assert.equal(report.requests_total, 7);
  assert.deepEqual(report.requests_by_status, { "200": 1, "404": 5, "405": 1 });
});

Deno.test("the demo's /ws/echo greets, then echoes; /static/ws.html is the page that talks to it", async () => {
  await using s = startServer({}, app(join(import.meta.dirname!, "../../www")));
  const page = await fetch(`${s.url}/static/ws.html`);
  assert.match(await page.text(), /new WebSocket\([^;]*"\/ws\/echo"/);
  const ws = new WebSocket(`ws://127.0.0.1:${s.port}/ws/echo`);
  const messages: string[] = [];
  const got = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () =>
        messages.length >= n ? resolve() : ws.addEventListener("message", check, { once: true });
      check();
    });
  ws.onmessage = (e) => messages.push(e.data);
  await got(1);
  ws.send("echo me");
  await got(2);
  assert.deepEqual(messages, ["hello from rawhttp", "echo me"]);
  ws.close();
  await new Promise((resolve) => ws.addEventListener("close", resolve, { once: true }));
});
