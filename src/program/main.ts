/**
 * The `rawhttp` program: settings → logging → demo app → server → signals.
 *
 * ```sh
 * deno task start                # 0.0.0.0:8080
 * deno task start --port 9000    # flags override env vars
 * PORT=0 LOG_FORMAT=json deno task start
 * deno task start --listeners 2   # a listener per core, sharing the port
 * ```
 *
 * Exit codes: 0 after a graceful shutdown, 1 when the server cannot start or a
 * second signal cuts the shutdown short, 2 for a bad setting.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { Cluster, type ClusterEnd } from "./cluster.ts";
import { type Config, loadConfig, usage } from "./settings.ts";
import { startListener } from "./listener.ts";
import { VERSION } from "./version.ts";
import { Readiness } from "../handlers/health.ts";
import { exposedGc } from "./idle_gc.ts";
import { serverLog, setupLogging } from "../server/log.ts";
import { type ListenScheme, listenUrl } from "../server/listen.ts";
import { clearStaleSocket } from "../server/unix_socket.ts";

/** The www/ folder shipped beside src/; `deno compile --include www` puts it in the binary. */
const SHIPPED_WWW = fileURLToPath(new URL("../../www", import.meta.url));

const SIGNALS: readonly Deno.Signal[] = ["SIGINT", "SIGTERM"];

/** Whether `path` is a folder this process may read. */
function isFolder(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

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
  if (loaded.kind === "version") {
    printTo(Deno.stdout, `rawhttp ${VERSION} (deno ${Deno.version.deno})\n`);
    return 0;
  }
  if (loaded.kind === "error") {
    // Before logging is set up, and for a person at a terminal: one plain line.
    printTo(Deno.stderr, `rawhttp: ${loaded.message}\n`);
    return 2;
  }
  const config = { ...loaded.config };
  if (config.wwwDir === "") config.wwwDir = SHIPPED_WWW;
  else if (!isFolder(config.wwwDir)) {
    // Not a 404 on /about later: a setting that names nothing is a bad setting.
    printTo(Deno.stderr, `rawhttp: WWW_DIR "${config.wwwDir}" is not a folder that can be read\n`);
    return 2;
  }
  await setupLogging(config.logLevel, config.logFormat);
  if (config.idleGcAfterMs > 0 && exposedGc() === null) {
    serverLog.warn(
      "IDLE_GC_AFTER needs the V8 flag --expose-gc (deno run --v8-flags=--expose-gc ...): " +
        "without it, memory a burst takes is kept until V8 collects on its own",
    );
  }

  let running: Running;
  try {
    running = await run(config, startedAt);
  } catch (error) {
    serverLog.fatal("cannot listen on {where}: {error}", {
      where: config.unixSocket !== "" ? config.unixSocket : `${config.host}:${config.port}`,
      error: error instanceof Error ? error.message : String(error),
    });
    return 1;
  }
  let signalsSeen = 0;
  const onSignal = (signal: Deno.Signal) => (): void => {
    if (signalsSeen++ > 0) {
      serverLog.warn("second {signal}: exiting without waiting", { signal });
      Deno.exit(1);
    }
    // /ready fails at once; for DRAIN_DELAY everything else goes on, so a
    // load balancer stops routing here before connections are refused.
    const delay = config.drainDelayMs;
    const drained = running.drain();
    if (delay > 0) {
      // Logged once every listener's /ready fails, so whoever reads this line can rely on it.
      drained.then(() =>
        serverLog.info("{signal} received: /ready answers 503; stopping in {delay} ms", {
          signal,
          delay,
        })
      );
    }
    // Logged once every listener is closed, so whoever reads this line can
    // rely on new connections being refused. A signal listener's promise
    // has no one to reject to: a failure is logged, and the program ends 1.
    const stop = () =>
      running.close().then(
        () =>
          serverLog.info("{signal} received: shutting down (deadline {ms} ms)", {
            signal,
            ms: config.shutdownTimeoutMs,
          }),
        (error) => {
          serverLog.fatal("shutdown failed: {error}", { error });
          Deno.exit(1);
        },
      );
    if (delay > 0) setTimeout(stop, delay);
    else stop();
  };
  // Installed before the "listening" line, so a signal sent by whoever waits
  // for that line is always handled gracefully.
  const listeners = SIGNALS.map((signal) => [signal, onSignal(signal)] as const);
  for (const [signal, listener] of listeners) Deno.addSignalListener(signal, listener);

  serverLog.info(
    "listening on {url} ({listeners} listener(s) × {workers} workers, static files from {www})",
    {
      url: listenUrl(running.addr, running.scheme),
      listeners: config.listeners,
      workers: config.numWorkers,
      www: config.wwwDir,
    },
  );

  const end = await running.finished;
  for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);
  serverLog.info("stopped after {requests} request(s)", { requests: end.requests });
  return end.crashed ? 1 : 0;
}

/** The program's listeners, one or a cluster, as main() drives them. */
interface Running {
  readonly addr: Deno.NetAddr | Deno.UnixAddr;
  readonly scheme: ListenScheme;
  /** Makes /ready answer 503 (shutdown is coming); resolves once every listener's does. */
  drain(): Promise<void>;
  /** Begins shutdown; resolves once no listener accepts. */
  close(): Promise<void>;
  readonly finished: Promise<ClusterEnd>;
}

/** Starts one listener here, or `config.listeners` in worker threads. */
async function run(config: Config, startedAt: number): Promise<Running> {
  if (config.listeners === 1) {
    // A socket file a killed server left is removed; a live one is refused.
    if (config.unixSocket !== "") await clearStaleSocket(config.unixSocket);
    const readiness = new Readiness();
    const server = startListener(config, {
      startedAt,
      port: config.port,
      reusePort: false,
      readiness,
    });
    return {
      addr: server.addr,
      scheme: server.scheme,
      drain: () => Promise.resolve(readiness.drain()),
      close: () => {
        server.shutdown(); // closes the listener before it returns
        return Promise.resolve();
      },
      finished: server.finished.then(() => ({
        requests: server.metrics.snapshot().requests_total,
        crashed: false,
      })),
    };
  }
  // SO_REUSEPORT is an unstable Deno API; without the flag Deno would end the
  // process from inside Deno.listen. listenDatagram exists only with it.
  if (!("listenDatagram" in Deno)) {
    throw new Error("LISTENERS above 1 needs --unstable-net (deno.json sets it)");
  }
  const cluster = await Cluster.start(config, performance.timeOrigin + startedAt);
  const scheme = config.tlsCertFile === "" ? "http" : "https";
  return {
    addr: cluster.addr,
    scheme,
    drain: () => cluster.drain(),
    close: () => cluster.shutdown(),
    finished: cluster.finished,
  };
}

if (import.meta.main) Deno.exit(await main());
