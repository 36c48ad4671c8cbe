/**
 * The body of one `--listeners N` thread: a whole listener on the shared port
 * (see cluster.ts), answering the main thread's messages.
 *
 * @module
 */

import type { FromWorker, ToWorker } from "./cluster.ts";
import { type MetricsReport, metricsReport } from "../handlers/metrics.ts";
import { serverLog, setupLogging } from "../server/log.ts";
import { startListener } from "./listener.ts";
import type { Server } from "../server/server.ts";
import { Readiness } from "../handlers/health.ts";

/** The worker's side of `postMessage`, typed (this file is checked with the window lib). */
const scope = self as unknown as {
  postMessage(message: FromWorker): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  close(): void;
};

function post(message: FromWorker): void {
  scope.postMessage(message);
}

let server: Server | null = null;
/** What this listener's /ready answers from. */
const readiness = new Readiness();
let startedAt = 0;
let index = 0;
/** Settles once "start" is handled, so a "shutdown" right behind it waits for it. */
let started: Promise<void> = Promise.resolve();
let nextCollect = 0;
const collecting = new Map<number, (report: MetricsReport) => void>();

/** `/metrics` here: ask the main thread for every listener's figures, summed. */
function clusterReport(): Promise<MetricsReport> {
  const id = nextCollect++;
  const { promise, resolve } = Promise.withResolvers<MetricsReport>();
  collecting.set(id, resolve);
  post({ type: "collect", id });
  return promise;
}

async function start(message: Extract<ToWorker, { type: "start" }>): Promise<void> {
  const { config } = message;
  await setupLogging(config.logLevel, config.logFormat);
  // Each thread has its own clock origin; uptime counts from the process start.
  startedAt = message.startedAtEpochMs - performance.timeOrigin;
  index = message.index;
  try {
    // TCP: settings.ts refuses UNIX_SOCKET with more than one listener.
    server = startListener(config, {
      startedAt,
      port: message.port,
      reusePort: true,
      metricsReport: clusterReport,
      readiness,
    }) as Server<Deno.NetAddr>;
  } catch (error) {
    post({ type: "failed", error: String(error) });
    return;
  }
  post({ type: "listening", addr: server.addr });
}

async function shutdown(): Promise<void> {
  await started;
  if (server === null) {
    post({ type: "stopped", requests: 0 });
    scope.close();
    return;
  }
  const done = server.shutdown(); // closes the listener before it returns
  post({ type: "closed" });
  await done;
  post({ type: "stopped", requests: server.metrics.snapshot().requests_total });
  serverLog.debug("listener stopped");
  scope.close();
}

scope.onmessage = (e: MessageEvent<ToWorker>) => {
  const message = e.data;
  switch (message.type) {
    case "start":
      started = start(message);
      return;
    case "snapshot":
      post({
        type: "snapshot",
        id: message.id,
        report: server === null ? null : metricsReport({
          startedAt,
          metrics: server.metrics,
          pool: server.pool,
          listener: index,
        }),
      });
      return;
    case "report":
      collecting.get(message.id)?.(message.report);
      collecting.delete(message.id);
      return;
    case "drain":
      readiness.drain();
      post({ type: "drained" });
      return;
    case "shutdown":
      // Nothing awaits a message handler: a failure is reported, and the
      // main thread stops waiting for this listener.
      shutdown().catch((error) => {
        serverLog.error("listener shutdown failed: {error}", { error });
        post({ type: "stopped", requests: server?.metrics.snapshot().requests_total ?? 0 });
        scope.close();
      });
      return;
  }
};
