/**
 * The end of a run: the result tables on stdout, and the whole report in
 * bench/results/latest.md with every figure and sample in latest.json.
 *
 * @module
 */

import { header, results } from "../lib/report.ts";
import type {
  IdleResult,
  LoadSummary,
  Ratio,
  RunFacts,
  ScalingSummary,
} from "../lib/report_data.ts";
import type { Sample } from "./measure.ts";
import { BENCH } from "./paths.ts";
import { progress } from "./progress.ts";

/** What a run measured, summarised, plus every sample behind it. */
export interface Measured {
  readonly load: readonly LoadSummary[];
  readonly ratios: readonly Ratio[];
  readonly scaling: readonly ScalingSummary[];
  readonly idle: readonly IdleResult[];
  readonly samples: readonly Sample[];
}

/** Prints the result tables and writes latest.md (header and tables) and latest.json. */
export function saveReport(facts: RunFacts, measured: Measured): void {
  const body = results(facts, measured.load, measured.ratios, measured.scaling, measured.idle);
  console.log(body);
  const dir = `${BENCH}results/`;
  Deno.mkdirSync(dir, { recursive: true });
  Deno.writeTextFileSync(`${dir}latest.md`, `${header(facts)}\n${body}`);
  Deno.writeTextFileSync(
    `${dir}latest.json`,
    JSON.stringify(
      {
        facts,
        load: measured.load,
        ratios: measured.ratios,
        scaling: measured.scaling,
        idle: measured.idle,
        samples: measured.samples,
      },
      null,
      2,
    ) + "\n",
  );
  progress(`wrote ${dir}latest.md and latest.json`);
}
