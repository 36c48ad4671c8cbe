/**
 * What OpenTelemetry costs under load: rawhttp's native route, rawhttp's
 * `serve()` and `Deno.serve` (the servers of `bench/servers/`), each with
 * `OTEL_DENO` off and on, on loopback under `wrk -t1 -c10` for `GET /`.
 * With it on, each server exports (OTLP/HTTP, protobuf: Deno's default) to
 * a receiver in this process, which reads and drops what it gets. The server
 * is pinned to core 0, wrk and this process to core 1; the figure that
 * matters is the server's CPU time per request (from /proc), beside req/s.
 *
 *   deno run -A bench/otel_load.ts [--duration 5] [--rounds 2]
 *
 * Linux only (taskset, /proc). Results: docs/telemetry.md.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Child, runStoppingChildren, stopAll } from "./lib/children.ts";
import { clockTicksPerSecond, cpuTicks } from "./lib/procfs.ts";
import { runWrk } from "./lib/wrk.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { duration: { type: "string", default: "5" }, rounds: { type: "string", default: "2" } },
});
const seconds = Number(values.duration);
const rounds = Number(values.rounds);

const SERVERS = {
  "rawhttp-native": "bench/servers/rawhttp_native.ts",
  "rawhttp-fetch": "bench/servers/rawhttp_fetch.ts",
  "deno-serve": "bench/servers/deno_serve.ts",
} as const;

/** A receiver that takes every export and drops it; counts bytes by signal. */
function startReceiver() {
  const bytes: Record<string, number> = {};
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const body = new Uint8Array(await req.arrayBuffer());
    const signal = new URL(req.url).pathname;
    bytes[signal] = (bytes[signal] ?? 0) + body.length;
    return new Response(new Uint8Array(0), {
      headers: { "content-type": "application/x-protobuf" },
    });
  });
  return { server, bytes, endpoint: `http://127.0.0.1:${server.addr.port}` };
}

/** One run: the server up, a warm-up, then wrk while its CPU time is read. */
async function measure(name: keyof typeof SERVERS, on: boolean, endpoint: string) {
  const env = [
    `OTEL_DENO=${on}`,
    `OTEL_EXPORTER_OTLP_ENDPOINT=${endpoint}`,
    "OTEL_SERVICE_NAME=otel-load",
  ];
  const server = Child.spawn(
    [
      "env",
      ...env,
      "taskset",
      "-c",
      "0",
      Deno.execPath(),
      "run",
      "--allow-net",
      SERVERS[name],
      "0",
    ],
    { newGroup: true, stdin: true },
  );
  try {
    const [, port] = await server.waitForLine(/^READY (\d+)/, 10_000);
    const url = `http://127.0.0.1:${port}/`;
    await runWrk(["taskset", "-c", "1", "wrk", "--latency", "-t1", "-c10", "-d1s", url], 1); // warm-up
    const before = cpuTicks(server.pid);
    const result = await runWrk(
      ["taskset", "-c", "1", "wrk", "--latency", "-t1", "-c10", `-d${seconds}s`, url],
      seconds,
    );
    const cpuSeconds = (cpuTicks(server.pid) - before) / await clockTicksPerSecond();
    return { rps: result.requestsPerSecond, cpuUs: (cpuSeconds / result.requests) * 1e6 };
  } finally {
    await server.stop();
  }
}

await runStoppingChildren(
  async () => {
    await Child.spawn(["taskset", "-cp", "1", String(Deno.pid)]).status; // beside wrk, off the server's core
    const receiver = startReceiver();
    const rows: string[] = [];
    // Rounds outermost: a machine that gets busier for a while shifts every server alike.
    for (let round = 1; round <= rounds; round++) {
      for (const name of Object.keys(SERVERS) as Array<keyof typeof SERVERS>) {
        for (const on of [false, true]) {
          const { rps, cpuUs } = await measure(name, on, receiver.endpoint);
          const row = `| ${name} | ${on ? "on" : "off"} | ${round} | ${Math.round(rps)} | ${
            cpuUs.toFixed(1)
          } |`;
          console.log(row);
          rows.push(row);
        }
      }
    }
    await receiver.server.shutdown();
    console.log("\n| server | OTel | round | req/s | server CPU µs/request |");
    console.log("| --- | --- | --- | --- | --- |");
    for (const row of rows) console.log(row);
    console.log(`\nexported bytes by path: ${JSON.stringify(receiver.bytes)}`);
  },
  stopAll,
  (message) => console.error(message),
);
