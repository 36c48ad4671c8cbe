/**
 * The multi-core scaling scenario: rawhttp's program with `--listeners 1` to
 * `--listeners <nproc>` (and Deno.serve for reference), each run on a fresh,
 * unpinned server with wrk sharing the cores; its rows with rawhttp's
 * speedup over one listener.
 *
 * @module
 */

import { isStopping } from "../lib/children.ts";
import type { ScalingSummary } from "../lib/report_data.ts";
import { runWrk } from "../lib/wrk.ts";
import { request } from "./answers.ts";
import { type MeasureContext, quietSample, type Sample } from "./measure.ts";
import { programDef, startProgram } from "./program.ts";
import { progress, reason } from "./progress.ts";
import { type LoadScenario, SCALING, WARMUP_SECONDS, wrkArgv } from "./scenarios.ts";
import { type Running, type ServerDef, SERVERS, startServer } from "./servers.ts";
import { median, summarize } from "./summary.ts";

/** wrk's connections in the scaling scenario, whatever its number of threads. */
const SCALING_CONNECTIONS = 100;

/** One server setup of the scaling scenario; each run starts it afresh. */
export interface ScalingSetup {
  readonly def: ServerDef;
  /** Listener threads: `--listeners N`, or 1. */
  readonly listeners: number;
  readonly scenario: LoadScenario;
  /** Whether this is rawhttp with `--listeners N`, compared with N = 1. */
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

/** rawhttp with 1 to `nproc` listeners, then Deno.serve when it is wanted. */
export function scalingSetups(nproc: number, withDenoServe: boolean): ScalingSetup[] {
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
 * The scaling scenario: every round runs each setup once (in turn, rotated
 * like the load scenarios), each on a fresh server, unpinned, warmed first.
 * A setup that does not start or dies is skipped from then on.
 */
export async function scalingRuns(
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
        const why = reason(error);
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
export function summarizeScaling(
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
