/**
 * 6. Soak: a million keep-alive requests, then a million new connections
 * (or as many as fit in 5 minutes), on one server process; its RSS before,
 * at the peak, at the end and 30 s after each.
 *
 * @module
 */

import { normalLoad } from "../../../tests/chaos/fixtures/probe.ts";
import { type Attack, count, fixed, mib, type Row } from "../attack.ts";
import { waitProbing } from "./probes.ts";
import { RssSampler } from "../rss_sampler.ts";
import type { ServerProcess } from "../server_process.ts";
import { runWrk, wrkCommand, wrkData } from "./wrk_run.ts";
import type { Scale } from "../scale.ts";

/** The longest wrk run of a half: runs are chained until the target is reached. */
const SEGMENT_SECONDS = 30;

/** Several wrk runs as one: their requests and seconds added up. */
interface Chained {
  readonly requests: number;
  readonly seconds: number;
  readonly errors: number;
  readonly errorDetail: string;
  readonly runs: readonly Record<string, unknown>[];
}

/**
 * Runs wrk in segments of at most 30 s, each sized by the rate of the one
 * before (the first by a calibration run), until `target` requests are done
 * or `capSeconds` have passed: a load whose rate drifts still ends near it.
 */
async function chain(
  server: ServerProcess,
  close: boolean,
  target: number,
  capSeconds: number,
  firstRate: number,
): Promise<Chained> {
  const hello = server.path("hello");
  let requests = 0;
  let seconds = 0;
  let errors = 0;
  const details: string[] = [];
  const runs: Record<string, unknown>[] = [];
  let rate = Math.max(1, firstRate);
  while (requests < target && seconds < capSeconds - 0.5) {
    const wanted = Math.ceil((target - requests) / rate);
    const run = Math.max(1, Math.min(wanted, SEGMENT_SECONDS, Math.ceil(capSeconds - seconds)));
    const wrk = await runWrk(server.port, hello, run, close);
    requests += wrk.requests;
    seconds += wrk.seconds;
    errors += wrk.errors;
    if (wrk.errors > 0) details.push(wrk.errorDetail);
    runs.push({ command: wrkCommand(hello, run, close), ...wrkData(wrk) });
    rate = Math.max(1, wrk.requestsPerSecond);
  }
  return { requests, seconds, errors, errorDetail: details.join("; "), runs };
}

/** One half of the soak: calibrate, run to the target, then wait and read RSS again. */
async function half(server: ServerProcess, s: Scale, close: boolean): Promise<Row> {
  const hello = server.path("hello");
  const calibration = await runWrk(server.port, hello, s.calibrationMs / 1000, close);
  const beforeKiB = server.tree.rssKiB();
  const sampler = new RssSampler(server.tree);
  let series;
  let load;
  try {
    load = await chain(
      server,
      close,
      s.soakRequests,
      s.soakCapMs / 1000,
      calibration.requestsPerSecond,
    );
  } finally {
    series = sampler.stop();
  }
  const endKiB = server.tree.rssKiB();
  const laterProbes = await waitProbing(server.port, s.laterMs);
  const laterKiB = server.tree.rssKiB();
  const capped = load.requests < s.soakRequests;
  return {
    variant: close ? "new connections" : "keep-alive",
    setup: server.launch.setup,
    cells: [
      count(load.requests) + (capped ? " (capped)" : ""),
      fixed(load.seconds),
      fixed(load.requests / load.seconds),
      load.errors === 0 ? "0" : load.errorDetail,
      mib(beforeKiB),
      mib(series.peakKiB),
      mib(endKiB),
      mib(laterKiB),
    ],
    data: {
      calibration: wrkData(calibration),
      requests: load.requests,
      seconds: load.seconds,
      errors: load.errors,
      capped,
      runs: load.runs,
      rssBeforeKiB: beforeKiB,
      rssPeakKiB: series.peakKiB,
      rssEndKiB: endKiB,
      rssLaterKiB: laterKiB,
      laterProbes,
      rssTimeline: series.timeline,
    },
  };
}

export const soakAttack: Attack = {
  name: "soak",
  title: "Soak",
  need: { routes: ["hello"] },
  describe: (s) =>
    `One server process takes ${count(s.soakRequests)} keep-alive requests ` +
    `(\`wrk -t1 -c50 --latency\` on /api/hello), then ${count(s.soakRequests)} requests on ` +
    `new connections (the same with \`-H 'Connection: close'\`). wrk runs in segments of at ` +
    `most ${SEGMENT_SECONDS} s, the first sized by a ${s.calibrationMs / 1000} s calibration ` +
    `run and each next one by the rate of the one before, until the target is reached or ` +
    `${s.soakCapMs / 1000} s have passed ("capped": the target did not fit); req/s is the ` +
    `whole half's. RSS before the half, its ` +
    `peak, at the end, and ${s.laterMs / 1000} s later (with a \`GET /health\` a second ` +
    `meanwhile, as a liveness check would send). rawhttp's program closes a ` +
    `keep-alive connection after 1,000 requests (as nginx does), so wrk reconnects.`,
  columns: (s) => [
    "requests",
    "s",
    "req/s",
    "errors",
    "RSS before MiB",
    "peak MiB",
    "end MiB",
    `+${s.laterMs / 1000} s MiB`,
  ],
  async run(peer, ctx) {
    await using server = await ctx.start(peer, this.need);
    await normalLoad(server.port, [server.path("hello")], 100);
    const keepAlive = await half(server, ctx.scale, false);
    ctx.progress(`soak ${peer.name} keep-alive: ${keepAlive.cells.slice(0, 3).join(", ")}`);
    const newConnections = await half(server, ctx.scale, true);
    return [keepAlive, newConnections];
  },
};
