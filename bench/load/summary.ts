/**
 * From samples to the report's rows: the median of each server's rounds in
 * each scenario, and the ratios of chosen pairs of servers.
 *
 * @module
 */

import type { LoadSummary, Ratio } from "../lib/report_data.ts";
import type { Sample } from "./measure.ts";
import { LOAD_SCENARIOS } from "./scenarios.ts";

/** The median of the finite values; NaN when there are none. */
export function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One row per scenario and server, in the order the samples first name them. */
export function summarize(samples: readonly Sample[]): LoadSummary[] {
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

/** The pairs of servers the report compares, first over second. */
const RATIO_PAIRS: readonly (readonly [string, string])[] = [
  ["rawhttp-native", "deno-serve"],
  ["rawhttp-native", "node-http"],
  ["rawhttp-fetch", "deno-serve"],
  ["fetch-floor", "deno-serve"],
  ["rawhttp-fetch", "fetch-floor"],
];

/** req/s and CPU µs/req of each pair in {@link RATIO_PAIRS} (and `extraPairs`) that ran, scenario by scenario. */
export function ratios(
  summaries: readonly LoadSummary[],
  extraPairs: readonly (readonly [string, string])[] = [],
): Ratio[] {
  const out: Ratio[] = [];
  for (const scenario of LOAD_SCENARIOS) {
    for (const [a, b] of [...RATIO_PAIRS, ...extraPairs]) {
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
