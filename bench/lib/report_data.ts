/**
 * The load benchmark's results as data: what `report.ts` prints and
 * bench/results/latest.json holds.
 *
 * @module
 */

/** Facts printed above the tables. */
export interface RunFacts {
  readonly command: string;
  readonly date: string;
  readonly nproc: number;
  readonly cpuModel: string;
  readonly kernel: string;
  readonly deno: string;
  readonly node: string;
  readonly wrk: string;
  readonly pinning: string;
  /** /proc/loadavg when the run began: other work on the machine skews every figure. */
  readonly loadAverage: string;
  /** CPU other processes used in the second before the run, % of one core. */
  readonly otherCpuAtStart: number;
  /** `git rev-parse --short HEAD`, and whether mod.ts or src/ had uncommitted changes. */
  code: string;
  readonly rounds: number;
  readonly durationSeconds: number;
  readonly wrkCommands: Readonly<Record<string, string>>;
  /** Servers left out, and why (filled in while the run goes). */
  readonly skipped: Record<string, string>;
  elapsedSeconds: number;
  /** Runs repeated because other processes used more than 10% of a core meanwhile. */
  retries: number;
}

/** The median of one server in one load scenario. */
export interface LoadSummary {
  readonly scenario: string;
  readonly server: string;
  readonly requestsPerSecond: number;
  /** The slowest and fastest round, to show how steady the machine was. */
  readonly requestsPerSecondMin: number;
  readonly requestsPerSecondMax: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuMicrosPerRequest: number;
  /** The user-space part of it (median of rounds); the rest is kernel time. */
  readonly userMicrosPerRequest: number;
  /** Server CPU over wall time, % of one core. */
  readonly cpuPercent: number;
  /** The most CPU other processes used in any round, % of one core. */
  readonly otherCpuPercent: number;
  readonly rssMiB: number;
  /** Summed over rounds. */
  readonly errors: number;
  /** The errors by round and kind. */
  readonly errorDetail: string;
}

/** One setup of the multi-core scaling scenario: the medians of its rounds. */
export interface ScalingSummary extends LoadSummary {
  /** Listener threads: rawhttp's `--workers N`; 1 for Deno.serve. */
  readonly listeners: number;
  /** The path wrk requested. */
  readonly path: string;
  /** Busy % of each core over the run (the median of rounds, core by core). */
  readonly coreBusyPercent: readonly number[];
  /** req/s over rawhttp's with one listener; only on rawhttp's rows. */
  readonly speedup?: number;
}

/** One server in the idle-connections scenario. */
export interface IdleResult {
  readonly server: string;
  readonly connections: number;
  readonly failed: number;
  readonly rssBeforeKiB: number;
  readonly rssOpenKiB: number;
  readonly rssAfterCloseKiB: number;
  readonly kibPerConnection: number;
  readonly serverFdsOpen: number;
  readonly note?: string;
}

/** A ratio of two servers' figures in one scenario. */
export interface Ratio {
  readonly scenario: string;
  readonly pair: string;
  readonly requestsPerSecond: number;
  readonly cpuPerRequest: number;
}
