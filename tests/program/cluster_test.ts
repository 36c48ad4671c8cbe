/**
 * `--listeners N`: listeners in worker threads sharing one port, one /metrics
 * over all of them, shutdown of all, and what a crash or a taken port does.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { Cluster } from "../../src/program/cluster.ts";
import { defaultConfig } from "../../src/program/settings.ts";
import type { MetricsReport } from "../../src/handlers/metrics.ts";
import { exchange, notServing } from "../fixtures/harness.ts";
import type { CrashOutcome } from "../fixtures/cluster_crash.ts";
import { clusterConfig } from "../fixtures/cluster_config.ts";

const config = clusterConfig;

Deno.test("Cluster: listeners share one port, the kernel spreads connections, /metrics sums them all", async () => {
  const cluster = await Cluster.start(config(), performance.timeOrigin);
  const { port } = cluster.addr;
  assert.ok(port > 0);
  // One connection each: SO_REUSEPORT hashes each connection to a listener,
  // so 32 of them all landing on one of two listeners has odds of 2^-31.
  const CONNECTIONS = 32;
  const answers = await Promise.all(
    Array.from(
      { length: CONNECTIONS },
      () => exchange(port, "GET /api/hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"),
    ),
  );
  assert.ok(answers.every((a) => a.status === 200));

  const res = await exchange(port, "GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  const report = JSON.parse(res.body) as MetricsReport;
  assert.equal(report.requests_total, CONNECTIONS);
  assert.deepEqual(report.requests_by_path, { "/api/hello": CONNECTIONS });
  assert.deepEqual(report.listeners.map((l) => l.index), [0, 1]);
  for (const l of report.listeners) {
    assert.ok(l.connections_accepted > 0, `listener ${l.index} idle`);
  }
  assert.equal(report.listeners.reduce((n, l) => n + l.requests_total, 0), CONNECTIONS);
  assert.equal(report.pool.total_workers, 2 * defaultConfig().numWorkers);
  assert.equal(report.connections.accepted, CONNECTIONS + 1);

  const prometheus = await exchange(
    port,
    "GET /metrics?format=prometheus HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
  );
  assert.match(prometheus.body, /^rawhttp_listeners 2$/m);
  assert.match(prometheus.body, /^rawhttp_listener_requests_total\{listener="1"\} \d+$/m);

  await cluster.shutdown();
  assert.ok(await notServing(port), "a listener still accepts after shutdown() resolved");
  assert.deepEqual(await cluster.finished, { requests: CONNECTIONS, crashed: false });
});

Deno.test("Cluster: LISTENERS=1 is one listener; the report still names it", async () => {
  const cluster = await Cluster.start(config({ listeners: 1 }), performance.timeOrigin);
  const res = await exchange(
    cluster.addr.port,
    "GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
  );
  const report = JSON.parse(res.body) as MetricsReport;
  assert.deepEqual(report.listeners, [{ index: 0, requests_total: 0, connections_accepted: 1 }]);
  await cluster.shutdown();
  assert.deepEqual(await cluster.finished, { requests: 0, crashed: false });
});

Deno.test("Cluster.start() rejects, and stops what it started, when the port is taken", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 }); // no SO_REUSEPORT: nobody may join
  await assert.rejects(
    Cluster.start(config({ port: taken.addr.port }), performance.timeOrigin),
    /AddrInUse|address already in use/i,
  );
});

/**
 * Runs a cluster whose listener crashes in a process of its own (see
 * fixtures/cluster_crash.ts) and returns what the cluster did and what the
 * runtime printed about the crash.
 */
async function crashRun(scenario: string): Promise<{ outcome: CrashOutcome; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", DENO_JSON, CRASH_RUN, scenario],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  return { outcome: JSON.parse(new TextDecoder().decode(out.stdout)), stderr };
}

const CRASH_RUN = fileURLToPath(new URL("../fixtures/cluster_crash.ts", import.meta.url));
const DENO_JSON = fileURLToPath(new URL("../../deno.json", import.meta.url));

Deno.test("Cluster.start() rejects when a listener crashes before it listens", async () => {
  const { outcome, stderr } = await crashRun("before");
  assert.ok("rejected" in outcome, JSON.stringify(outcome));
  assert.match(outcome.rejected, /boom before listening/);
  assert.match(stderr, /Uncaught \(in worker "listener-1"\).*boom before listening/);
});

Deno.test("Cluster: a listener that crashes later shuts the others down, and the end says so", async () => {
  // Listener 1 throws right after it reports listening; the cluster shuts
  // listener 0 down, which reports its 5 requests.
  const { outcome, stderr } = await crashRun("after");
  assert.deepEqual(outcome, { finished: { requests: 5, crashed: true } });
  assert.match(stderr, /Uncaught \(in worker "listener-1"\).*boom after listening/);
});

const RACING = new URL("../fixtures/racing_worker.ts", import.meta.url);

/** Fails instead of hanging when `promise` never settles (a safety net, not a synchronisation). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, hung]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("Cluster.start() rejects when a listener that listens already crashes while the others start (was: started one short, and would exit 0)", async () => {
  const { outcome, stderr } = await crashRun("racing");
  assert.ok("rejected" in outcome, JSON.stringify(outcome));
  assert.match(outcome.rejected, /boom while the others start/);
  assert.match(stderr, /Uncaught \(in worker "listener-0"\).*boom while the others start/);
});

Deno.test("Cluster: a listener that fails to start with a snapshot unanswered does not hold up /metrics (was: the report never came)", async () => {
  // Listener 0 stops only once its report has come: start() settles only then.
  await assert.rejects(
    within(
      Cluster.start(config({ logFormat: "json" }), performance.timeOrigin, RACING),
      10_000,
      "start",
    ),
    /taken meanwhile/,
  );
});

const SILENT = new URL("../fixtures/silent_worker.ts", import.meta.url);

// Regression: /metrics under --listeners N waited forever for a listener that
// did not answer.
Deno.test("Cluster: /metrics answers after METRICS_TIMEOUT with the figures that came, naming the listener that did not", async () => {
  const cluster = await Cluster.start(
    config({ metricsTimeoutMs: 100 }),
    performance.timeOrigin,
    SILENT,
  );
  try {
    const res = await exchange(
      cluster.addr.port,
      "GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    );
    assert.equal(res.status, 200);
    const report = JSON.parse(res.body) as MetricsReport;
    assert.deepEqual(report.missing_listeners, [1]);
    assert.deepEqual(report.listeners.map((l) => l.index), [0]);
    const prometheus = await exchange(
      cluster.addr.port,
      "GET /metrics?format=prometheus HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    );
    assert.match(prometheus.body, /^rawhttp_listeners_missing 1$/m);
  } finally {
    await cluster.shutdown();
    await cluster.finished;
  }
});

Deno.test("Cluster: a complete /metrics names no missing listener", async () => {
  const cluster = await Cluster.start(config(), performance.timeOrigin);
  try {
    const res = await exchange(
      cluster.addr.port,
      "GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    );
    assert.deepEqual((JSON.parse(res.body) as MetricsReport).missing_listeners, []);
  } finally {
    await cluster.shutdown();
    await cluster.finished;
  }
});
