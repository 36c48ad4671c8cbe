/**
 * The `rawhttp` program: settings → logging → demo app → server → signals.
 *
 * ```sh
 * deno task start                # 0.0.0.0:8080
 * deno task start --port 9000    # flags override env vars
 * PORT=0 LOG_FORMAT=json deno task start
 * ```
 *
 * Exit codes: 0 after a graceful shutdown, 1 when the server cannot start or a
 * second signal cuts the shutdown short, 2 for a bad setting.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { createApp } from "./app.ts";
import { loadConfig, usage } from "./config.ts";
import { serverLog, setupLogging } from "./log.ts";
import { Metrics } from "./metrics.ts";
import { Pool } from "./pool.ts";
import { Server } from "./server.ts";

/** The www/ folder shipped beside src/; `deno compile --include www` puts it in the binary. */
const SHIPPED_WWW = fileURLToPath(new URL("../www", import.meta.url));

const SIGNALS: readonly Deno.Signal[] = ["SIGINT", "SIGTERM"];

function printTo(stream: typeof Deno.stdout | typeof Deno.stderr, message: string): void {
  stream.writeSync(new TextEncoder().encode(message));
}

async function main(): Promise<number> {
  const startedAt = performance.now();
  const loaded = loadConfig(Deno.env.toObject(), Deno.args);
  if (loaded.kind === "help") {
    printTo(Deno.stdout, usage());
    return 0;
  }
  if (loaded.kind === "error") {
    // Before logging is set up, and for a person at a terminal: one plain line.
    printTo(Deno.stderr, `rawhttp: ${loaded.message}\n`);
    return 2;
  }
  const config = loaded.config;
  await setupLogging(config.logLevel, config.logFormat);

  const pool = new Pool(config.numWorkers, config.maxQueue);
  const metrics = new Metrics(config.metricsMaxPaths);
  const wwwDir = config.wwwDir === "" ? SHIPPED_WWW : config.wwwDir;
  const router = createApp({ wwwDir, startedAt, metrics, pool });

  let server: Server;
  try {
    server = Server.listen({ ...config, hostname: config.host, pool, metrics }, router);
  } catch (error) {
    serverLog.fatal("cannot listen on {host}:{port}: {error}", {
      host: config.host,
      port: config.port,
      error: String(error),
    });
    return 1;
  }
  let signalsSeen = 0;
  const onSignal = (signal: Deno.Signal) => () => {
    if (signalsSeen++ > 0) {
      serverLog.warn("second {signal}: exiting without waiting", { signal });
      Deno.exit(1);
    }
    // shutdown() closes the listener before it returns, so whoever reads this
    // line can rely on new connections being refused.
    server.shutdown();
    serverLog.info("{signal} received: shutting down (deadline {ms} ms)", {
      signal,
      ms: config.shutdownTimeoutMs,
    });
  };
  // Installed before the "listening" line, so a signal sent by whoever waits
  // for that line is always handled gracefully.
  const listeners = SIGNALS.map((signal) => [signal, onSignal(signal)] as const);
  for (const [signal, listener] of listeners) Deno.addSignalListener(signal, listener);

  serverLog.info("listening on http://{host}:{port} ({workers} workers, static files from {www})", {
    host: server.addr.hostname,
    port: server.addr.port,
    workers: config.numWorkers,
    www: wwwDir,
  });

  await server.finished;
  for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);
  serverLog.info("stopped after {requests} request(s)", {
    requests: metrics.snapshot().requests_total,
  });
  return 0;
}

if (import.meta.main) Deno.exit(await main());
