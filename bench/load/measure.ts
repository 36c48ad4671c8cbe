/**
 * Measuring one wrk run against one server: wrk's figures, the server's CPU
 * ticks and RSS, each core's busy time, and the CPU other processes took
 * meanwhile; a run disturbed by other processes is measured again.
 *
 * @module
 */

import { Child } from "../lib/children.ts";
import {
  allProcessTicks,
  coreBusyPercent,
  coreTicks,
  cpuTimes,
  otherTicks,
  rssKiB,
} from "../lib/procfs.ts";
import { type WrkResult, wrkResult } from "../lib/wrk.ts";
import { progress } from "./progress.ts";
import { type LoadScenario, wrkArgv } from "./scenarios.ts";
import type { Running } from "./servers.ts";

/** Other processes' CPU (% of a core) above which a run counts as disturbed. */
const BUSY = 10;
/** How often a disturbed run is repeated before its quietest attempt is kept. */
const MAX_RETRIES = 2;
/** Repeats in the whole benchmark; on a machine that stays busy, more only cost time. */
const RETRY_BUDGET = 10;

/** One wrk run against one server. */
export interface Sample {
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

/** What a measured run needs besides its server and scenario. */
export interface MeasureContext {
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

/** How many runs {@link quietSample} has repeated so far, for the report. */
export function retriesSoFar(): number {
  return retries;
}

/**
 * Measures one run. While other processes used more than {@link BUSY} % of a
 * core meanwhile, measures again (up to {@link MAX_RETRIES} times, within
 * {@link RETRY_BUDGET}) and keeps the quietest attempt.
 */
export async function quietSample(
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
