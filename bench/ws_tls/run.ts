/**
 * WebSocket and TLS figures against Deno.serve (issue 18's closing note):
 * WebSocket echo throughput and CPU per message, memory per open WebSocket,
 * and TLS keep-alive CPU per request. Servers on core 0, clients on core 1.
 *
 * deno run -A bench/ws_tls/run.ts [--seconds 5] [--idle 2000]
 *
 * @module
 */

import { makeCertificates } from "../../tests/fixtures/tls.ts";
import { clockTicksPerSecond, cpuTicks, rssKiB } from "../lib/procfs.ts";
import { runWrk } from "../lib/wrk.ts";

const args = Deno.args;
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const SECONDS = flag("--seconds", 5);
const IDLE = flag("--idle", 2000);
const HERE = new URL(".", import.meta.url).pathname;
const TICKS = await clockTicksPerSecond();
const tls = await makeCertificates();

interface Started {
  readonly child: Deno.ChildProcess;
  readonly port: number;
  readonly writer: WritableStreamDefaultWriter<Uint8Array>;
}

async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  reader.releaseLock();
  return text.split("\n")[0]!;
}

async function startServer(kind: string, secure: boolean): Promise<Started> {
  const child = new Deno.Command("taskset", {
    args: [
      "-c",
      "0",
      Deno.execPath(),
      "run",
      "-A",
      `${HERE}server.ts`,
      kind,
      ...(secure ? [tls.certFile, tls.keyFile] : []),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const port = Number(await firstLine(child.stdout));
  return { child, port, writer: child.stdin.getWriter() };
}

async function stop(server: Started): Promise<void> {
  await server.writer.close();
  await server.child.status;
}

function client(args: string[]): Deno.ChildProcess {
  return new Deno.Command("taskset", {
    args: ["-c", "1", Deno.execPath(), "run", "-A", `${HERE}ws_client.ts`, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
}

async function echo(kind: string): Promise<{ perSecond: number; cpuUs: number }> {
  const server = await startServer(kind, false);
  const before = cpuTicks(server.child.pid);
  const load = client(["echo", String(server.port), "50", String(SECONDS)]);
  const result = JSON.parse(await firstLine(load.stdout));
  await load.status;
  const cpu = (cpuTicks(server.child.pid) - before) / TICKS;
  await stop(server);
  return { perSecond: result.messages / SECONDS, cpuUs: cpu * 1e6 / result.messages };
}

async function idle(kind: string): Promise<number> {
  const server = await startServer(kind, false);
  await new Promise((r) => setTimeout(r, 500));
  const before = rssKiB(server.child.pid);
  const holder = client(["idle", String(server.port), String(IDLE)]);
  await firstLine(holder.stdout);
  await new Promise((r) => setTimeout(r, 1000)); // let the heap settle before reading RSS
  const after = rssKiB(server.child.pid);
  await holder.stdin.close();
  await holder.status;
  await stop(server);
  return (after - before) / IDLE;
}

async function tlsKeepAlive(kind: string): Promise<{ perSecond: number; cpuUs: number }> {
  const server = await startServer(kind, true);
  const wrk = (seconds: number) =>
    runWrk(
      [
        "taskset",
        "-c",
        "1",
        "wrk",
        "--latency",
        "-t1",
        "-c50",
        `-d${seconds}s`,
        `https://127.0.0.1:${server.port}/`,
      ],
      seconds,
    );
  await wrk(1); // warm-up
  const before = cpuTicks(server.child.pid);
  const result = await wrk(SECONDS);
  const cpu = (cpuTicks(server.child.pid) - before) / TICKS;
  await stop(server);
  const requests = result.requests;
  return { perSecond: result.requestsPerSecond, cpuUs: cpu * 1e6 / requests };
}

const rows: string[] = [];
for (const kind of ["rawhttp", "deno"]) {
  const e = await echo(kind);
  const m = await idle(kind);
  const t = await tlsKeepAlive(kind);
  rows.push(
    `| ${kind === "deno" ? "Deno.serve" : "rawhttp serve()"} | ${Math.round(e.perSecond)} | ` +
      `${e.cpuUs.toFixed(1)} | ${m.toFixed(1)} | ${Math.round(t.perSecond)} | ${
        t.cpuUs.toFixed(1)
      } |`,
  );
}
console.log(
  `${SECONDS} s runs, 50 echo sockets (64-byte messages), ${IDLE} idle sockets, wrk -t1 -c50 over TLS`,
);
console.log(
  "| server | WS echo msg/s | CPU µs/msg | KiB per idle WS | TLS req/s | TLS CPU µs/req |",
);
console.log("| --- | --: | --: | --: | --: | --: |");
for (const row of rows) console.log(row);
