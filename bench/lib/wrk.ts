/**
 * Reading wrk's report (wrk 4.x with `--latency`).
 *
 * @module
 */

import { Child } from "./children.ts";

/** What one wrk run measured. */
export interface WrkResult {
  /** Responses completed (with pipelining, every response counts). */
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  /**
   * Latency percentiles in milliseconds (per batch of requests when
   * pipelining); NaN when wrk printed 0.00us, which it does at random when
   * pipelining (https://github.com/wg/wrk/issues/236).
   */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Socket errors (connect, read, write, timeout) plus non-2xx/3xx responses. */
  readonly errors: number;
  /** The same errors by kind, e.g. "read 12, non-2xx 3"; empty when there were none. */
  readonly errorDetail: string;
  /** wrk's whole report, for the JSON file. */
  readonly raw: string;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function duration(value: string, unit: string): number {
  const scale = UNIT_MS[unit];
  if (scale === undefined) throw new Error(`unknown wrk time unit ${unit}`);
  return Number(value) * scale;
}

/** Parses wrk's stdout; throws when a figure is missing. */
export function parseWrk(out: string): WrkResult {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m|h)/.exec(out);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p50 = /^\s+50%\s+([\d.]+)(us|ms|s|m|h)/m.exec(out);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m|h)/m.exec(out);
  if (!total || !rps || !p50 || !p99) throw new Error(`unexpected wrk output:\n${out}`);
  const kinds: [string, number][] = [];
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  if (socket) {
    ["connect", "read", "write", "timeout"].forEach((kind, i) => {
      kinds.push([kind, Number(socket[i + 1])]);
    });
  }
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (non2xx) kinds.push(["non-2xx", Number(non2xx[1])]);
  const nonzero = kinds.filter(([, n]) => n > 0);
  const percentile = (value: string, unit: string) => {
    const ms = duration(value, unit);
    return ms === 0 ? NaN : ms;
  };
  return {
    requests: Number(total[1]),
    seconds: duration(total[2]!, total[3]!) / 1000,
    requestsPerSecond: Number(rps[1]),
    p50Ms: percentile(p50[1]!, p50[2]!),
    p99Ms: percentile(p99[1]!, p99[2]!),
    errors: nonzero.reduce((sum, [, n]) => sum + n, 0),
    errorDetail: nonzero.map(([kind, n]) => `${kind} ${n}`).join(", "),
    raw: out,
  };
}

/**
 * Waits for a wrk process that should run `seconds` (killing it 30 s after
 * that) and parses its report; throws when it fails.
 */
export async function wrkResult(wrk: Child, seconds: number): Promise<WrkResult> {
  const guard = setTimeout(() => wrk.kill("SIGKILL"), (seconds + 30) * 1000);
  try {
    await wrk.done;
    const { code } = await wrk.status;
    if (code !== 0) throw new Error(`wrk exited ${code}: ${wrk.stderrTail}`);
    return parseWrk(wrk.lines.join("\n"));
  } finally {
    clearTimeout(guard);
  }
}

/** Runs wrk with these arguments to the end and reads its report. */
export async function runWrk(argv: readonly string[], seconds: number): Promise<WrkResult> {
  return await wrkResult(Child.spawn(argv), seconds);
}
