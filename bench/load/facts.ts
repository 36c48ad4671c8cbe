/**
 * The facts above the report's tables: the command, machine, versions,
 * pinning, the load at the start, the code measured and the wrk commands.
 *
 * @module
 */

import { cpuModel, ownCommandLine, shellQuote } from "../lib/procfs.ts";
import type { RunFacts } from "../lib/report_data.ts";
import { otherCpuPercent, output, type Pins } from "./machine.ts";
import type { Options } from "./options.ts";
import { type LoadScenario, SCALING, wrkArgv } from "./scenarios.ts";
import type { ScalingSetup } from "./scaling.ts";

/** The commit measured, and whether the working tree differs from it in code the servers load. */
export async function codeVersion(): Promise<string> {
  const commit = await output(["git", "rev-parse", "--short", "HEAD"]);
  if (commit === "") return "unknown (not a git checkout)";
  const dirty = await output(["git", "status", "--porcelain", "--", "mod.ts", "src/"]);
  return dirty === "" ? commit : `${commit} plus uncommitted changes in mod.ts/src/`;
}

/** What the run is about to do, on this machine; `skipped`, `elapsedSeconds` and `retries` fill in later. */
export async function gatherFacts(
  opts: Options,
  nproc: number,
  pins: Pins,
  loadScenarios: readonly LoadScenario[],
  scaling: readonly ScalingSetup[],
  microsPerTick: number,
): Promise<RunFacts> {
  const command = (scenario: LoadScenario, prefix: readonly string[]) =>
    wrkArgv(scenario, opts.duration, "PORT", prefix).map(shellQuote).join(" ");
  // rawhttp's setups differ only in --listeners: one command stands for them all.
  const scalingCommands = scaling.filter((s) => s.listeners === 1).map((s) => [
    `${SCALING}, ${s.scales ? "rawhttp --listeners N" : s.def.name}`,
    command(s.scenario, []),
  ]);
  return {
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
}
