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
 * (src/program/main.ts) with `--workers 1` to `--workers <nproc>`, and Deno.serve for
 * reference, each started afresh per run and unpinned, with wrk sharing the
 * cores. The results go to stdout, bench/results/latest.md and
 * bench/results/latest.json. The parts are in bench/load/ (see
 * bench/README.md).
 *
 * @module
 */

import { runStoppingChildren, stopAll } from "./lib/children.ts";
import { clockTicksPerSecond } from "./lib/procfs.ts";
import { header } from "./lib/report.ts";
import { codeVersion, gatherFacts } from "./load/facts.ts";
import { idleRuns } from "./load/idle.ts";
import { loadRuns } from "./load/load_runs.ts";
import { ensureWrk, output, pinning, type Pins } from "./load/machine.ts";
import { retriesSoFar } from "./load/measure.ts";
import { type Options, options } from "./load/options.ts";
import { type Baseline, checkoutBaseline } from "./load/baseline.ts";
import { ROOT } from "./load/paths.ts";
import { progress } from "./load/progress.ts";
import { saveReport } from "./load/save.ts";
import { scalingRuns, scalingSetups, summarizeScaling } from "./load/scaling.ts";
import { IDLE, LOAD_SCENARIOS, SCALING } from "./load/scenarios.ts";
import { SERVERS } from "./load/servers.ts";
import { ratios, summarize } from "./load/summary.ts";

async function main(): Promise<void> {
  const t0 = performance.now();
  const opts = options(Deno.args);
  Deno.chdir(ROOT);
  await ensureWrk();
  const nproc = Number(await output(["nproc"])) || navigator.hardwareConcurrency;
  const pins = await pinning(nproc);
  const microsPerTick = 1_000_000 / await clockTicksPerSecond();
  const baseline = opts.baseline === null
    ? null
    : await checkoutBaseline(opts.baseline, opts.servers);
  try {
    await measureAll(opts, nproc, pins, microsPerTick, baseline, t0);
  } finally {
    await baseline?.remove();
  }
}

async function measureAll(
  opts: Options,
  nproc: number,
  pins: Pins,
  microsPerTick: number,
  baseline: Baseline | null,
  t0: number,
): Promise<void> {
  const loadScenarios = LOAD_SCENARIOS.filter((s) => opts.scenarios.includes(s.name));
  const defs = [
    ...SERVERS.filter((s) => opts.servers.includes(s.name)),
    ...(baseline?.defs ?? []),
  ];
  const scaling = opts.scenarios.includes(SCALING)
    ? scalingSetups(nproc, opts.servers.includes("deno-serve"))
    : [];
  const facts = await gatherFacts(opts, nproc, pins, loadScenarios, scaling, microsPerTick);
  console.log(header(facts));

  const samples = await loadRuns({
    defs,
    scenarios: loadScenarios,
    rounds: opts.rounds,
    seconds: opts.duration,
    pins,
    microsPerTick,
  }, facts.skipped);
  const scalingSamples = await scalingRuns(
    scaling,
    opts.rounds,
    { seconds: opts.duration, prefix: [], microsPerTick },
    facts.skipped,
  );
  const idle = opts.scenarios.includes(IDLE)
    ? await idleRuns(defs, opts.idleConnections, pins, facts.skipped)
    : [];

  const load = summarize(samples);
  const codeAtEnd = await codeVersion();
  if (codeAtEnd !== facts.code) {
    // Servers started late (the idle scenario) may have loaded the newer code.
    facts.code = `${facts.code} at the start, ${codeAtEnd} at the end (changed during the run)`;
  }
  facts.elapsedSeconds = (performance.now() - t0) / 1000;
  facts.retries = retriesSoFar();
  saveReport(facts, {
    load,
    ratios: ratios(load, baseline?.pairs),
    scaling: summarizeScaling(scalingSamples, scaling),
    idle,
    samples: [...samples, ...scalingSamples],
  });
}

await runStoppingChildren(main, stopAll, progress);
