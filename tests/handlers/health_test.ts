import assert from "node:assert/strict";
import {
  healthHandler,
  Readiness,
  readinessHandler,
  uptimeSeconds,
} from "../../src/handlers/health.ts";
import { healthUrl } from "../../src/program/healthcheck.ts";
import type { Health } from "../../src/handlers/health.ts";
import { bodyText, makeRequest, responseHeader } from "../fixtures/request.ts";

Deno.test("healthHandler() answers 200 JSON with status ok, uptime and a UTC timestamp", async () => {
  const before = Date.now();
  const res = await healthHandler(performance.now())(makeRequest("GET", "/health"));
  const after = Date.now();
  assert.equal(res.status, 200);
  assert.equal(responseHeader(res, "content-type"), "application/json");
  assert.equal(typeof res.body, "string");
  const body = JSON.parse(res.body as string) as Health;
  assert.deepEqual(Object.keys(body).sort(), ["status", "timestamp", "uptime_seconds"]);
  assert.equal(body.status, "ok");
  assert.equal(typeof body.uptime_seconds, "number");
  assert.ok(body.uptime_seconds >= 0);
  assert.ok(body.timestamp.endsWith("Z"), body.timestamp);
  const at = Date.parse(body.timestamp);
  assert.ok(!Number.isNaN(at));
  assert.ok(at >= before && at <= after, "timestamp is now");
});

Deno.test("healthHandler() tells caches not to store the answer", async () => {
  const res = await healthHandler(performance.now())(makeRequest("GET", "/health"));
  assert.equal(responseHeader(res, "cache-control"), "no-store");
});

Deno.test("healthHandler() reports uptime from the given start", async () => {
  const startedAt = performance.now() - 90_000; // a process started 90 s ago
  const res = await healthHandler(startedAt)(makeRequest("GET", "/health"));
  const body = JSON.parse(res.body as string) as Health;
  assert.ok(body.uptime_seconds >= 90 && body.uptime_seconds < 100, String(body.uptime_seconds));
});

Deno.test("uptimeSeconds() counts seconds to the millisecond", () => {
  const startedAt = performance.now() - 1500;
  const up = uptimeSeconds(startedAt);
  assert.ok(up >= 1.5 && up < 10, String(up));
  // Whole milliseconds: rounding to three decimals changes nothing.
  assert.equal(up, Math.round(up * 1000) / 1000);
});

Deno.test("healthUrl() asks a wildcard address on its loopback, and brackets IPv6", () => {
  assert.equal(healthUrl("0.0.0.0", 8080), "http://127.0.0.1:8080/health");
  assert.equal(healthUrl("", 8080), "http://127.0.0.1:8080/health");
  assert.equal(healthUrl("::", 9000), "http://[::1]:9000/health");
  assert.equal(healthUrl("::1", 9000), "http://[::1]:9000/health");
  assert.equal(healthUrl("10.0.0.5", 80), "http://10.0.0.5:80/health");
  assert.equal(healthUrl("localhost", 80), "http://localhost:80/health");
});

Deno.test("readinessHandler() answers 200 ready until the readiness drains, then 503 draining", async () => {
  const readiness = new Readiness();
  const handler = readinessHandler(readiness);
  const req = makeRequest("GET", "/ready");
  const before = await handler(req);
  assert.equal(before.status, 200);
  assert.deepEqual(JSON.parse(bodyText(before)), { status: "ready" });
  readiness.drain();
  assert.equal(readiness.ready, false);
  const after = await handler(req);
  assert.equal(after.status, 503);
  assert.deepEqual(JSON.parse(bodyText(after)), { status: "draining" });
  assert.equal(responseHeader(after, "cache-control"), "no-store");
});
