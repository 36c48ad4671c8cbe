/**
 * wrk against one server: one thread, 50 connections, keep-alive or
 * `Connection: close`, for a number of seconds.
 *
 * @module
 */

import { shellQuote } from "../../lib/procfs.ts";
import { runWrk as runWrkArgv, type WrkResult } from "../../lib/wrk.ts";

/** wrk's command line (PORT for the port in the report). */
export function wrkArgv(port: number | string, path: string, seconds: number, close: boolean) {
  return [
    "wrk",
    "-t1",
    "-c50",
    `-d${seconds}s`,
    "--latency",
    ...(close ? ["-H", "Connection: close"] : []),
    `http://127.0.0.1:${port}${path}`,
  ];
}

/** wrk's command line as shell text. */
export function wrkCommand(path: string, seconds: number, close: boolean): string {
  return wrkArgv("PORT", path, seconds, close).map(shellQuote).join(" ");
}

/** Runs wrk against the server on `port` to the end and reads its report. */
export async function runWrk(
  port: number,
  path: string,
  seconds: number,
  close: boolean,
): Promise<WrkResult> {
  return await runWrkArgv(wrkArgv(port, path, seconds, close), seconds);
}

/** wrk's figures for the JSON, without its raw report. */
export function wrkData(r: WrkResult): Record<string, unknown> {
  return {
    requests: r.requests,
    seconds: r.seconds,
    requestsPerSecond: r.requestsPerSecond,
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    errors: r.errors,
    errorDetail: r.errorDetail,
  };
}
