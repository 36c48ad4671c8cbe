/**
 * A prober's report as table cells and JSON, the same in every attack that
 * probes.
 *
 * @module
 */

import { Prober, type ProbeReport } from "../../../tests/chaos/fixtures/probe.ts";
import { fixed, sleep } from "../attack.ts";

/** The probe columns: sent, failed, latency p50/p99/max. */
export const PROBE_COLUMNS = ["probes", "failed", "p50 ms", "p99 ms", "max ms"] as const;

/** Cells under {@link PROBE_COLUMNS}. */
export function probeCells(report: ProbeReport): string[] {
  return [
    String(report.count),
    String(report.failures.length),
    fixed(report.p50Ms, 1),
    fixed(report.p99Ms, 1),
    fixed(report.maxMs, 1),
  ];
}

/** The report for the JSON, with at most the first 20 failures. */
export function probeData(report: ProbeReport): Record<string, unknown> {
  return {
    sent: report.count,
    answered: report.count - report.failures.length,
    failed: report.failures.length,
    p50Ms: report.p50Ms,
    p99Ms: report.p99Ms,
    maxMs: report.maxMs,
    firstFailures: report.failures.slice(0, 20),
  };
}

/** The pace of the liveness checks while the benchmark waits to read RSS again. */
export const IDLE_PROBE_MS = 1000;

/**
 * Waits `ms` while asking `GET /health` once a second, as an orchestrator's
 * liveness check would (the only traffic a quiet server gets, and what lets
 * a garbage collector that waits for work run); what the checks saw.
 */
export async function waitProbing(port: number, ms: number): Promise<Record<string, unknown>> {
  const prober = new Prober(port, IDLE_PROBE_MS);
  await sleep(ms);
  return probeData(await prober.stop());
}
