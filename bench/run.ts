/**
 * The project's load benchmark: rawhttp against Deno.serve and node:http,
 * on this machine, in one run, with wrk on loopback.
 *
 * ```sh
 * deno task bench                       # 3 rounds, 3 s per run: about 4 minutes on 2 CPUs
 * deno task bench --quick               # 1 round, 2 s per run (smoke test)
 * deno task bench --only keep-alive,post-4k --servers rawhttp-native,deno-serve
 * deno task bench --quick --only scaling  # rawhttp --workers 1..nproc
 * ```
 *
 * Every server runs as its own process on its own port, pinned to core 0;
 * wrk runs on core 1. For each scenario the servers take turns, and the
 * whole round repeats `--rounds` times; the report gives the median. The
 * multi-core scaling scenario is the exception: rawhttp's own program
 * (src/main.ts) with `--workers 1` to `--workers <nproc>`, and Deno.serve for
 * reference, each started afresh per run and unpinned, with wrk sharing the
 * cores. The results go to stdout, bench/results/latest.md and
 * bench/results/latest.json.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { Child, hasCommand, isStopping, runStoppingChildren, stopAll } from "./lib/children.ts";
import {
  allProcessTicks,
  clockTicksPerSecond,
  coreBusyPercent,
  coreTicks,
  cpuModel,
  cpuTimes,
  listeningPorts,
  openFds,
  otherTicks,
  ownCommandLine,
  rssKiB,
  shellQuote,
} from "./lib/procfs.ts";
import {
  header,
  type IdleResult,
  type LoadSummary,
  type Ratio,
  results,
  type RunFacts,
  type ScalingSummary,
} from "./lib/report.ts";
import { runWrk, type WrkResult, wrkResult } from "./lib/wrk.ts";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const ROOT = here("../");
const DENO = Deno.execPath();
const DENO_RUN = [DENO, "run", "--allow-net", "--allow-env", "--allow-read"];

/** A server under test: a program that prints `READY <port>` once it listens. */
interface ServerDef {
  readonly name: string;
  readonly argv: readonly string[];
  /** Runs only when named in --servers. */
  readonly optional?: true;
}

const SERVERS: readonly ServerDef[] = [
  { name: "rawhttp-native", argv: [...DENO_RUN, here("servers/rawhttp_native.ts")] },
  { name: "rawhttp-fetch", argv: [...DENO_RUN, here("servers/rawhttp_fetch.ts")] },
  { name: "deno-serve", argv: [...DENO_RUN, here("servers/deno_serve.ts")] },
  { name: "node-http", argv: ["node", here("servers/node_http.mjs")] },
  // A yardstick for rawhttp-fetch (see the file), not a contender.
  { name: "fetch-floor", argv: [...DENO_RUN, here("servers/fetch_floor.ts")], optional: true },
];

/** A wrk scenario: the path it requests and wrk's extra options. */
interface LoadScenario {
  readonly name: string;
  readonly path: string;
  readonly wrkArgs: readonly string[];
  /** wrk with its threads and connections; {@link WRK_BASE} when absent. */
  readonly wrk?: readonly string[];
}

const LOAD_SCENARIOS: readonly LoadScenario[] = [
  { name: "keep-alive", path: "/", wrkArgs: [] },
  { name: "pipelined", path: "/", wrkArgs: ["-s", here("pipeline.lua")] },
  { name: "new-conn", path: "/", wrkArgs: ["-H", "Connection: close"] },
  { name: "64k", path: "/64k", wrkArgs: [] },
  { name: "post-4k", path: "/echo-len", wrkArgs: ["-s", here("post.lua")] },
];
const SCALING = "scaling";
const IDLE = "idle-10k";
const ALL_SCENARIOS = [...LOAD_SCENARIOS.map((s) => s.name), SCALING, IDLE];
/** The brief's letters, accepted by --only as well as the names. */
const LETTERS: Readonly<Record<string, string>> = {
  a: "keep-alive",
  b: "pipelined",
  c: "new-conn",
  d: "64k",
  e: "post-4k",
  f: IDLE,
};

/** wrk: one thread, 50 connections, with latency percentiles. */
const WRK_BASE = ["wrk", "-t1", "-c50"];
const WARMUP_SECONDS = 1;
/** Other processes' CPU (% of a core) above which a run counts as disturbed. */
const BUSY = 10;
/** How often a disturbed run is repeated before its quietest attempt is kept. */
const MAX_RETRIES = 2;
/** Repeats in the whole benchmark; on a machine that stays busy, more only cost time. */
const RETRY_BUDGET = 10;
const READY_TIMEOUT_MS = 30_000;
const TEXT = new TextEncoder();

// ---------------------------------------------------------------- options

const USAGE = `Usage: deno task bench [options]
  --rounds N            rounds per scenario, median reported (default 3)
  --duration S          seconds per wrk run (default 3)
  --quick               1 round of 2 s (smoke test)
  --only LIST           scenarios: ${ALL_SCENARIOS.join(",")} (or a-f)
                        (${SCALING}: rawhttp's program with --workers 1..nproc, unpinned,
                        and deno-serve when --servers includes it)
  --servers LIST        servers: ${SERVERS.map((s) => s.name).join(",")}
                        (default all but ${
  SERVERS.filter((s) => s.optional).map((s) => s.name).join(",")
})
  --idle-connections N  connections of ${IDLE} (default 10000)`;

function options() {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rounds: { type: "string" },
      duration: { type: "string" },
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      servers: { type: "string" },
      "idle-connections": { type: "string", default: "10000" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const int = (name: string, value: string, min: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer >= ${min}`);
    return n;
  };
  const list = (
    name: string,
    value: string | undefined,
    known: readonly string[],
    byDefault: readonly string[] = known,
  ) => {
    if (value === undefined) return [...byDefault];
    const items = value.split(",").map((s) => s.trim()).filter((s) => s !== "")
      .map((s) => LETTERS[s] ?? s);
    const unknown = items.filter((s) => !known.includes(s));
    if (unknown.length > 0) fail(`--${name}: unknown ${unknown.join(", ")}\n${USAGE}`);
    return known.filter((s) => items.includes(s));
  };
  return {
    rounds: int("rounds", values.rounds ?? (values.quick ? "1" : "3"), 1),
    duration: int("duration", values.duration ?? (values.quick ? "2" : "3"), 1),
    scenarios: list("only", values.only, ALL_SCENARIOS),
    servers: list(
      "servers",
      values.servers,
      SERVERS.map((s) => s.name),
      SERVERS.filter((s) => s.optional !== true).map((s) => s.name),
    ),
    idleConnections: int("idle-connections", values["idle-connections"], 1),
  };
}

function fail(message: string): never {
  console.error(message);
  Deno.exit(2);
}

function progress(message: string): void {
  Deno.stderr.writeSync(TEXT.encode(`[bench] ${message}\n`));
}

// ---------------------------------------------------------------- tools

async function output(argv: readonly string[]): Promise<string> {
  try {
    const out = await new Deno.Command(argv[0]!, { args: argv.slice(1), stderr: "piped" })
      .output();
    return new TextDecoder().decode(out.stdout).trim();
  } catch {
    return "";
  }
}

/** Makes sure wrk is installed: installs it with apt-get when root, else explains. */
async function ensureWrk(): Promise<void> {
  if (await hasCommand("wrk")) return;
  if (Deno.uid() === 0 && await hasCommand("apt-get")) {
    progress("wrk is missing: apt-get install -y wrk");
    const install = await new Deno.Command("apt-get", {
      args: ["install", "-y", "wrk"],
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (install.success && await hasCommand("wrk")) return;
  }
  console.error(
    "wrk is not installed. On Debian or Ubuntu: sudo apt-get install -y wrk\n" +
      "(if apt cannot find it, run sudo apt-get update first)",
  );
  Deno.exit(1);
}

/** Core prefixes for servers and load, or none when taskset cannot pin. */
async function pinning(nproc: number): Promise<{ server: string[]; load: string[]; note: string }> {
  if (nproc < 2) {
    return { server: [], load: [], note: `unpinned: only ${nproc} CPU` };
  }
  if (!await hasCommand("taskset")) {
    return { server: [], load: [], note: "unpinned: taskset (util-linux) is not installed" };
  }
  const probe = await new Deno.Command("taskset", { args: ["-c", "1", "true"], stderr: "null" })
    .output();
  if (!probe.success) return { server: [], load: [], note: "unpinned: taskset -c 1 failed" };
  return {
    server: ["taskset", "-c", "0"],
    load: ["taskset", "-c", "1"],
    note: "servers on core 0, wrk and the idle client on core 1 (taskset)",
  };
}

/** CPU % (of one core) that other processes use over `ms`, before anything starts. */
async function otherCpuPercent(ms: number, microsPerTick: number): Promise<number> {
  const before = allProcessTicks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const { ticks } = otherTicks(before, allProcessTicks(), new Set([Deno.pid]));
  return Math.round(100 * ticks * microsPerTick / (ms * 1000));
}

/** The commit measured, and whether the working tree differs from it in code the servers load. */
async function codeVersion(): Promise<string> {
  const commit = await output(["git", "rev-parse", "--short", "HEAD"]);
  if (commit === "") return "unknown (not a git checkout)";
  const dirty = await output(["git", "status", "--porcelain", "--", "mod.ts", "src/"]);
  return dirty === "" ? commit : `${commit} plus uncommitted changes in mod.ts/src/`;
}

// ---------------------------------------------------------------- servers

/** A server process that has announced its port. */
interface Running {
  readonly def: ServerDef;
  readonly child: Child;
  readonly port: number;
}

async function startServer(def: ServerDef, prefix: readonly string[]): Promise<Running> {
  const child = Child.spawn([...prefix, ...def.argv, "0"], {
    newGroup: true,
    stdin: true,
    openFiles: 30000,
  });
  try {
    const m = await child.waitForLine(/^READY (\d+)$/, READY_TIMEOUT_MS);
    return { def, child, port: Number(m[1]) };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

/** One request over a fresh connection (`Connection: close`); status and body. */
async function request(
  port: number,
  method: string,
  path: string,
  body = new Uint8Array(0),
): Promise<{ status: number; body: Uint8Array }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n` +
      (method === "POST" ? `Content-Length: ${body.length}\r\n` : "") + "\r\n";
    await conn.write(TEXT.encode(head));
    if (body.length > 0) await conn.write(body);
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
    const all = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.length;
    }
    const text = new TextDecoder("latin1").decode(all);
    const end = text.indexOf("\r\n\r\n");
    return { status: Number(text.slice(9, 12)), body: all.subarray(end + 4) };
  } finally {
    try {
      conn.close();
    } catch { /* closed by the server */ }
  }
}

/** Checks that a server gives the benchmark's answers before timing it. */
async function checkAnswers(port: number): Promise<void> {
  const hello = await request(port, "GET", "/");
  const text = new TextDecoder().decode(hello.body);
  if (hello.status !== 200 || text !== "Hello, world!\n") {
    throw new Error(`GET / gave ${hello.status} ${JSON.stringify(text.slice(0, 80))}`);
  }
  const big = await request(port, "GET", "/64k");
  if (big.status !== 200 || big.body.length !== 65536) {
    throw new Error(`GET /64k gave ${big.status} with ${big.body.length} bytes`);
  }
  const post = await request(port, "POST", "/echo-len", new Uint8Array(4096).fill(0x61));
  const length = new TextDecoder().decode(post.body);
  if (post.status !== 200 || length !== "4096") {
    throw new Error(`POST /echo-len gave ${post.status} ${JSON.stringify(length.slice(0, 80))}`);
  }
}

// ---------------------------------------------------------------- load

/** One wrk run against one server. */
interface Sample {
  readonly scenario: string;
  readonly server: string;
  readonly round: number;
  readonly wrk: WrkResult;
  readonly cpuTicks: number;
  /** The user-space part of {@link cpuMicrosPerRequest}; the rest is kernel time. */
  readonly userMicrosPerRequest: number;
  readonly cpuMicrosPerRequest: number;
  /** Server CPU time over wall time, in % of one core: near 100 means it was the bottleneck. */
  readonly cpuPercent: number;
  /** Busy % of each core over the run (from /proc/stat). */
  readonly coreBusyPercent: readonly number[];
  /**
   * CPU that processes other than the server, wrk and run.ts used during the
   * run, in % of one core: other work on the machine skews the figures.
   */
  readonly otherCpuPercent: number;
  /** The processes behind {@link otherCpuPercent}: "name(pid) ticks". */
  readonly otherTop: readonly string[];
  readonly rssKiB: number;
}

function wrkArgv(
  scenario: LoadScenario,
  seconds: number,
  port: number | string,
  prefix: readonly string[],
): string[] {
  return [
    ...prefix,
    ...(scenario.wrk ?? WRK_BASE),
    `-d${seconds}s`,
    "--latency",
    ...scenario.wrkArgs,
    `http://127.0.0.1:${port}${scenario.path}`,
  ];
}

/** What a measured run needs besides its server and scenario. */
interface MeasureContext {
  /** wrk's run time. */
  readonly seconds: number;
  /** wrk's taskset prefix; empty when unpinned. */
  readonly prefix: readonly string[];
  readonly microsPerTick: number;
}

async function measure(
  server: Running,
  scenario: LoadScenario,
  round: number,
  ctx: MeasureContext,
): Promise<Sample> {
  const seconds = ctx.seconds;
  const pid = server.child.pid;
  const cores = coreTicks();
  const machine = allProcessTicks();
  const before = cpuTimes(pid);
  const t0 = performance.now();
  const wrkChild = Child.spawn(wrkArgv(scenario, seconds, server.port, ctx.prefix));
  const wrk = await wrkResult(wrkChild, seconds);
  if (server.child.ended) throw new Error(`${server.def.name} died: ${server.child.stderrTail}`);
  const after = cpuTimes(pid);
  const userTicks = after.user - before.user;
  const ticks = userTicks + after.system - before.system;
  const wallMicros = (performance.now() - t0) * 1000;
  const other = otherTicks(machine, allProcessTicks(), new Set([pid, wrkChild.pid, Deno.pid]));
  return {
    scenario: scenario.name,
    server: server.def.name,
    round,
    wrk,
    cpuTicks: ticks,
    userMicrosPerRequest: wrk.requests > 0 ? userTicks * ctx.microsPerTick / wrk.requests : NaN,
    cpuMicrosPerRequest: wrk.requests > 0 ? ticks * ctx.microsPerTick / wrk.requests : NaN,
    cpuPercent: 100 * ticks * ctx.microsPerTick / wallMicros,
    coreBusyPercent: coreBusyPercent(cores, coreTicks()),
    otherCpuPercent: 100 * other.ticks * ctx.microsPerTick / wallMicros,
    otherTop: other.top,
    rssKiB: rssKiB(pid),
  };
}

/** Runs repeated so far, against {@link RETRY_BUDGET}. */
let retries = 0;

/**
 * Measures one run. While other processes used more than {@link BUSY} % of a
 * core meanwhile, measures again (up to {@link MAX_RETRIES} times, within
 * {@link RETRY_BUDGET}) and keeps the quietest attempt.
 */
async function quietSample(
  server: Running,
  scenario: LoadScenario,
  round: number,
  ctx: MeasureContext,
): Promise<Sample> {
  const what = `${scenario.name} round ${round} ${server.def.name}`;
  let sample = await measure(server, scenario, round, ctx);
  for (
    let retry = 1;
    retry <= MAX_RETRIES && retries < RETRY_BUDGET && sample.otherCpuPercent > BUSY;
    retry++
  ) {
    progress(
      `${what}: other processes used ${sample.otherCpuPercent.toFixed(0)}% of a core ` +
        `(${sample.otherTop.join(", ")}); measuring again`,
    );
    const again = await measure(server, scenario, round, ctx);
    if (again.otherCpuPercent < sample.otherCpuPercent) sample = again;
    retries++;
  }
  progress(
    `${what}: ${sample.wrk.requestsPerSecond.toFixed(0)} req/s, ` +
      `${sample.cpuMicrosPerRequest.toFixed(1)} CPU µs/req, ` +
      `other load ${sample.otherCpuPercent.toFixed(0)}%` +
      (sample.wrk.errors > 0 ? `, errors: ${sample.wrk.errorDetail}` : ""),
  );
  return sample;
}

/** The median of the finite values; NaN when there are none. */
function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function summarize(samples: readonly Sample[]): LoadSummary[] {
  const groups = new Map<string, Sample[]>();
  for (const s of samples) {
    const key = `${s.scenario}\0${s.server}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.values()].map((g) => ({
    scenario: g[0]!.scenario,
    server: g[0]!.server,
    requestsPerSecond: median(g.map((s) => s.wrk.requestsPerSecond)),
    requestsPerSecondMin: Math.min(...g.map((s) => s.wrk.requestsPerSecond)),
    requestsPerSecondMax: Math.max(...g.map((s) => s.wrk.requestsPerSecond)),
    p50Ms: median(g.map((s) => s.wrk.p50Ms)),
    p99Ms: median(g.map((s) => s.wrk.p99Ms)),
    cpuMicrosPerRequest: median(g.map((s) => s.cpuMicrosPerRequest)),
    userMicrosPerRequest: median(g.map((s) => s.userMicrosPerRequest)),
    cpuPercent: median(g.map((s) => s.cpuPercent)),
    otherCpuPercent: Math.max(...g.map((s) => s.otherCpuPercent)),
    rssMiB: median(g.map((s) => s.rssKiB)) / 1024,
    errors: g.reduce((sum, s) => sum + s.wrk.errors, 0),
    errorDetail: g.filter((s) => s.wrk.errors > 0)
      .map((s) => `round ${s.round}: ${s.wrk.errorDetail}`).join("; "),
  }));
}

const RATIO_PAIRS: readonly (readonly [string, string])[] = [
  ["rawhttp-native", "deno-serve"],
  ["rawhttp-native", "node-http"],
  ["rawhttp-fetch", "deno-serve"],
  ["fetch-floor", "deno-serve"],
  ["rawhttp-fetch", "fetch-floor"],
];

function ratios(summaries: readonly LoadSummary[]): Ratio[] {
  const out: Ratio[] = [];
  for (const scenario of LOAD_SCENARIOS) {
    for (const [a, b] of RATIO_PAIRS) {
      const x = summaries.find((s) => s.scenario === scenario.name && s.server === a);
      const y = summaries.find((s) => s.scenario === scenario.name && s.server === b);
      if (x === undefined || y === undefined) continue;
      out.push({
        scenario: scenario.name,
        pair: `${a} / ${b}`,
        requestsPerSecond: x.requestsPerSecond / y.requestsPerSecond,
        cpuPerRequest: x.cpuMicrosPerRequest / y.cpuMicrosPerRequest,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------- multi-core scaling

/** wrk's connections in the scaling scenario, whatever its number of threads. */
const SCALING_CONNECTIONS = 100;

/** One server setup of the scaling scenario; each run starts it afresh. */
interface ScalingSetup {
  readonly def: ServerDef;
  /** Listener threads: `--workers N`, or 1. */
  readonly listeners: number;
  readonly scenario: LoadScenario;
  /** Whether this is rawhttp with `--workers N`, compared with N = 1. */
  readonly scales: boolean;
  readonly start: () => Promise<Running>;
}

/** The scaling scenario's wrk: a thread per CPU, on every core like the server. */
function scalingScenario(nproc: number, path: string): LoadScenario {
  return {
    name: SCALING,
    path,
    wrkArgs: [],
    wrk: ["wrk", `-t${nproc}`, `-c${SCALING_CONNECTIONS}`],
  };
}

/**
 * The rawhttp program, src/main.ts, with N listeners. `--config` brings in
 * deno.json wherever run.ts runs from: its import map, and `--unstable-net`
 * for SO_REUSEPORT.
 */
function programDef(workers: number): ServerDef {
  return {
    name: `rawhttp --workers ${workers}`,
    argv: [
      DENO,
      "run",
      "--config",
      `${ROOT}deno.json`,
      "--allow-net",
      "--allow-env",
      "--allow-read",
      `${ROOT}src/main.ts`,
      ...["--host", "127.0.0.1", "--port", "0", "--workers", String(workers)],
      ...["--log-level", "warning"],
    ],
  };
}

/** rawhttp with 1 to `nproc` listeners, then Deno.serve when it is wanted. */
function scalingSetups(nproc: number, withDenoServe: boolean): ScalingSetup[] {
  const setups: ScalingSetup[] = [];
  for (let n = 1; n <= nproc; n++) {
    const def = programDef(n);
    setups.push({
      def,
      listeners: n,
      scenario: scalingScenario(nproc, "/api/hello"),
      scales: true,
      start: () => startProgram(def, n),
    });
  }
  const denoServe = SERVERS.find((s) => s.name === "deno-serve");
  if (withDenoServe && denoServe !== undefined) {
    setups.push({
      def: denoServe,
      listeners: 1,
      scenario: scalingScenario(nproc, "/"),
      scales: false,
      start: () => startServer(denoServe, []),
    });
  }
  return setups;
}

/**
 * Starts the rawhttp program and resolves once all `workers` listeners are
 * bound: wrk must not connect before, or the kernel spreads its connections
 * over fewer of them. At log level warning the program prints no
 * "listening" line (and at info it would print a line per request), so this
 * reads /proc instead: the process holds `workers` listening sockets on one
 * port.
 */
async function startProgram(def: ServerDef, workers: number): Promise<Running> {
  const child = Child.spawn(def.argv, { newGroup: true });
  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (child.ended) {
        const { code } = await child.status;
        const said = [...child.lines.slice(-3), child.stderrTail].filter((s) => s !== "");
        throw new Error(`exited with code ${code}: ${said.join(" / ") || "(no output)"}`);
      }
      let ports: number[] = [];
      try {
        ports = listeningPorts(child.pid);
      } catch { /* exiting: the next turn sees it ended */ }
      if (ports.length === workers && new Set(ports).size === 1) {
        return { def, child, port: ports[0]! };
      }
      if (Date.now() > deadline) {
        throw new Error(`${ports.length} of ${workers} listeners after ${READY_TIMEOUT_MS} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } catch (error) {
    await child.stop();
    throw error;
  }
}

/**
 * The scaling scenario: every round runs each setup once (in turn, rotated
 * like the load scenarios), each on a fresh server, unpinned, warmed first.
 * A setup that does not start or dies is skipped from then on.
 */
async function scalingRuns(
  setups: readonly ScalingSetup[],
  rounds: number,
  ctx: MeasureContext,
  skipped: Record<string, string>,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (let k = 0; k < setups.length; k++) {
      const { def, scenario, start } = setups[(k + round - 1) % setups.length]!;
      if (def.name in skipped) continue;
      let server: Running | null = null;
      try {
        server = await start();
        const hello = await request(server.port, "GET", scenario.path);
        if (hello.status !== 200) throw new Error(`GET ${scenario.path} gave ${hello.status}`);
        await runWrk(wrkArgv(scenario, WARMUP_SECONDS, server.port, []), WARMUP_SECONDS);
        samples.push(await quietSample(server, scenario, round, ctx));
      } catch (error) {
        if (isStopping()) throw error;
        const why = error instanceof Error ? error.message : String(error);
        progress(`${SCALING} round ${round} ${def.name} failed: ${why}`);
        if (server === null || server.child.ended) skipped[def.name] = `${SCALING}: ${why}`;
      } finally {
        await server?.child.stop();
      }
    }
  }
  return samples;
}

/** The medians of each setup, in the setups' order, with rawhttp's speedup over 1 listener. */
function summarizeScaling(
  samples: readonly Sample[],
  setups: readonly ScalingSetup[],
): ScalingSummary[] {
  const summaries = summarize(samples);
  const one = summaries.find((s) => s.server === programDef(1).name);
  return setups.flatMap((setup) => {
    const summary = summaries.find((s) => s.server === setup.def.name);
    if (summary === undefined) return [];
    const runs = samples.filter((s) => s.server === setup.def.name);
    const row: ScalingSummary = {
      ...summary,
      listeners: setup.listeners,
      path: setup.scenario.path,
      coreBusyPercent: runs[0]!.coreBusyPercent.map((_, core) =>
        median(runs.map((s) => s.coreBusyPercent[core] ?? NaN))
      ),
    };
    return setup.scales && one !== undefined
      ? [{ ...row, speedup: summary.requestsPerSecond / one.requestsPerSecond }]
      : [row];
  });
}

// ---------------------------------------------------------------- idle connections

async function idleRun(
  def: ServerDef,
  count: number,
  pins: { server: readonly string[]; load: readonly string[] },
): Promise<IdleResult> {
  const server = await startServer(def, pins.server);
  const pid = server.child.pid;
  try {
    const fdsBefore = openFds(pid);
    const rssBeforeKiB = rssKiB(pid);
    const client = Child.spawn(
      [
        ...pins.load,
        DENO,
        "run",
        "--allow-net",
        here("idle_client.ts"),
        String(server.port),
        String(count),
      ],
      { stdin: true, openFiles: Math.max(30000, count + 1000) },
    );
    try {
      const m = await client.waitForLine(/^OPEN (\d+) (\d+)(.*)$/, 180_000);
      const opened = Number(m[1]);
      const rssOpenKiB = rssKiB(pid);
      const serverFdsOpen = openFds(pid) - fdsBefore;
      await client.send("close");
      await client.waitForLine(/^CLOSED$/, 60_000);
      await client.done;
      // The server notices the closes asynchronously: wait (bounded) until its sockets are gone.
      const deadline = Date.now() + 10_000;
      while (openFds(pid) > fdsBefore + 10 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const firstError = m[3]!.trim();
      const result: IdleResult = {
        server: def.name,
        connections: opened,
        failed: Number(m[2]),
        rssBeforeKiB,
        rssOpenKiB,
        rssAfterCloseKiB: rssKiB(pid),
        kibPerConnection: opened > 0 ? (rssOpenKiB - rssBeforeKiB) / opened : NaN,
        serverFdsOpen,
      };
      return firstError === "" ? result : { ...result, note: `first failure: ${firstError}` };
    } finally {
      await client.stop();
    }
  } finally {
    await server.child.stop();
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const t0 = performance.now();
  const opts = options();
  Deno.chdir(ROOT);
  await ensureWrk();
  const nproc = Number(await output(["nproc"])) || navigator.hardwareConcurrency;
  const pins = await pinning(nproc);
  const microsPerTick = 1_000_000 / await clockTicksPerSecond();
  const loadScenarios = LOAD_SCENARIOS.filter((s) => opts.scenarios.includes(s.name));
  const defs = SERVERS.filter((s) => opts.servers.includes(s.name));
  const scaling = opts.scenarios.includes(SCALING)
    ? scalingSetups(nproc, opts.servers.includes("deno-serve"))
    : [];
  const command = (scenario: LoadScenario, prefix: readonly string[]) =>
    wrkArgv(scenario, opts.duration, "PORT", prefix).map(shellQuote).join(" ");
  // rawhttp's setups differ only in --workers: one command stands for them all.
  const scalingCommands = scaling.filter((s) => s.listeners === 1).map((s) => [
    `${SCALING}, ${s.scales ? "rawhttp --workers N" : s.def.name}`,
    command(s.scenario, []),
  ]);
  const facts: RunFacts = {
    command: ownCommandLine(),
    date: new Date().toISOString(),
    nproc,
    cpuModel: cpuModel(),
    kernel: Deno.osRelease(),
    deno: Deno.version.deno,
    node: (await output(["node", "--version"])) || "not installed",
    wrk: (await output(["wrk", "--version"])).split("\n")[0]!.split(" Copyright")[0]!,
    pinning: pins.note + (scaling.length > 0 ? `; ${SCALING}: unpinned, wrk shares the cores` : ""),
    loadAverage: Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" "),
    otherCpuAtStart: await otherCpuPercent(1000, microsPerTick),
    code: await codeVersion(),
    rounds: opts.rounds,
    durationSeconds: opts.duration,
    wrkCommands: Object.fromEntries([
      ...loadScenarios.map((s) => [s.name, command(s, pins.load)]),
      ...scalingCommands,
    ]),
    skipped: {},
    elapsedSeconds: 0,
    retries: 0,
  };
  console.log(header(facts));

  const samples: Sample[] = [];
  if (loadScenarios.length > 0) {
    const running: Running[] = [];
    try {
      for (const def of defs) {
        try {
          const server = await startServer(def, pins.server);
          running.push(server);
          await checkAnswers(server.port);
          progress(`${def.name} ready on port ${server.port} (pid ${server.child.pid})`);
        } catch (error) {
          if (isStopping()) throw error;
          const why = error instanceof Error ? error.message : String(error);
          facts.skipped[def.name] = `did not start: ${why}`;
          progress(`skipping ${def.name}: ${why}`);
          const i = running.findIndex((r) => r.def === def);
          if (i !== -1) await running.splice(i, 1)[0]!.child.stop();
        }
      }
      // One short run each first, so no server meets the first round with cold code.
      for (const server of running) {
        await runWrk(wrkArgv(LOAD_SCENARIOS[0]!, WARMUP_SECONDS, server.port, pins.load), 1);
      }
      for (const scenario of loadScenarios) {
        for (let round = 1; round <= opts.rounds; round++) {
          // Rotate who goes first, so no server always follows the same one.
          for (let k = 0; k < running.length; k++) {
            const server = running[(k + round - 1) % running.length]!;
            if (server.def.name in facts.skipped) continue;
            try {
              const ctx = { seconds: opts.duration, prefix: pins.load, microsPerTick };
              samples.push(await quietSample(server, scenario, round, ctx));
            } catch (error) {
              if (isStopping()) throw error;
              const why = error instanceof Error ? error.message : String(error);
              progress(`${scenario.name} round ${round} ${server.def.name} failed: ${why}`);
              if (server.child.ended) facts.skipped[server.def.name] = `died: ${why}`;
            }
          }
        }
      }
    } finally {
      await Promise.all(running.map((r) => r.child.stop()));
    }
  }

  const scalingSamples = await scalingRuns(
    scaling,
    opts.rounds,
    { seconds: opts.duration, prefix: [], microsPerTick },
    facts.skipped,
  );

  const idle: IdleResult[] = [];
  if (opts.scenarios.includes(IDLE)) {
    for (const def of defs) {
      if (def.name in facts.skipped) continue;
      try {
        const result = await idleRun(def, opts.idleConnections, pins);
        idle.push(result);
        progress(
          `${IDLE} ${def.name}: ${result.connections} open, ` +
            `${result.kibPerConnection.toFixed(1)} KiB/conn`,
        );
      } catch (error) {
        if (isStopping()) throw error;
        const why = error instanceof Error ? error.message : String(error);
        facts.skipped[def.name] ??= `${IDLE} failed: ${why}`;
        progress(`${IDLE} ${def.name} failed: ${why}`);
      }
    }
  }

  const load = summarize(samples);
  const ratioRows = ratios(load);
  const scalingRows = summarizeScaling(scalingSamples, scaling);
  const codeAtEnd = await codeVersion();
  if (codeAtEnd !== facts.code) {
    // Servers started late (the idle scenario) may have loaded the newer code.
    facts.code = `${facts.code} at the start, ${codeAtEnd} at the end (changed during the run)`;
  }
  facts.elapsedSeconds = (performance.now() - t0) / 1000;
  facts.retries = retries;
  const body = results(facts, load, ratioRows, scalingRows, idle);
  console.log(body);
  const dir = here("results/");
  Deno.mkdirSync(dir, { recursive: true });
  Deno.writeTextFileSync(`${dir}latest.md`, `${header(facts)}\n${body}`);
  Deno.writeTextFileSync(
    `${dir}latest.json`,
    JSON.stringify(
      {
        facts,
        load,
        ratios: ratioRows,
        scaling: scalingRows,
        idle,
        samples: [...samples, ...scalingSamples],
      },
      null,
      2,
    ) + "\n",
  );
  progress(`wrote ${dir}latest.md and latest.json`);
}

await runStoppingChildren(main, stopAll, progress);
