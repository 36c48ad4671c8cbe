/**
 * The load benchmark's scenarios: the wrk runs (keep-alive, pipelined,
 * new-conn, 64k, post-4k), the names of the scaling and idle-connection
 * scenarios, and the wrk command line of a run.
 *
 * @module
 */

import { BENCH } from "./paths.ts";

/** A wrk scenario: the path it requests and wrk's extra options. */
export interface LoadScenario {
  readonly name: string;
  readonly path: string;
  readonly wrkArgs: readonly string[];
  /** wrk with its threads and connections; {@link WRK_BASE} when absent. */
  readonly wrk?: readonly string[];
}

export const LOAD_SCENARIOS: readonly LoadScenario[] = [
  { name: "keep-alive", path: "/", wrkArgs: [] },
  { name: "pipelined", path: "/", wrkArgs: ["-s", `${BENCH}pipeline.lua`] },
  { name: "new-conn", path: "/", wrkArgs: ["-H", "Connection: close"] },
  { name: "64k", path: "/64k", wrkArgs: [] },
  { name: "post-4k", path: "/echo-len", wrkArgs: ["-s", `${BENCH}post.lua`] },
];
export const SCALING = "scaling";
export const IDLE = "idle-10k";
export const ALL_SCENARIOS = [...LOAD_SCENARIOS.map((s) => s.name), SCALING, IDLE];
/** The brief's letters, accepted by --only as well as the names. */
export const LETTERS: Readonly<Record<string, string>> = {
  a: "keep-alive",
  b: "pipelined",
  c: "new-conn",
  d: "64k",
  e: "post-4k",
  f: IDLE,
};

/** wrk: one thread, 50 connections, with latency percentiles. */
const WRK_BASE = ["wrk", "-t1", "-c50"];
/** The length of the warm-up runs before a server's first timed run. */
export const WARMUP_SECONDS = 1;

/** The wrk command of one run of `scenario` (behind `prefix`, e.g. taskset). */
export function wrkArgv(
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
