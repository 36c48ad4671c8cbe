/**
 * 5. Connection churn: wrk opens a new connection per request
 * (`Connection: close`) for 100 s; the server's RSS during and after.
 *
 * @module
 */

import { normalLoad } from "../../../tests/chaos/fixtures/probe.ts";
import { type Attack, count, fixed, mib, sleep } from "../attack.ts";
import { waitProbing } from "./probes.ts";
import { RssSampler } from "../rss_sampler.ts";
import { runWrk, wrkCommand, wrkData } from "./wrk_run.ts";

export const churnAttack: Attack = {
  name: "churn",
  title: "Connection churn",
  need: { routes: ["hello"] },
  describe: (s) =>
    `\`${wrkCommand("/api/hello", s.churnMs / 1000, true)}\` (wrk on the other core). RSS ` +
    `(VmRSS, sampled every 200 ms; nginx: master + worker) before (after 100 keep-alive ` +
    `requests), its peak during the run, at the end, and ${s.churnSoonMs / 1000} s and ` +
    `${s.laterMs / 1000} s after the end (with a \`GET /health\` a second meanwhile, as a ` +
    `liveness check would send). Errors: wrk's socket errors and non-2xx answers.`,
  columns: (s) => [
    "req/s",
    "requests",
    "errors",
    "RSS before MiB",
    "peak MiB",
    "end MiB",
    `+${s.churnSoonMs / 1000} s MiB`,
    `+${s.laterMs / 1000} s MiB`,
  ],
  async run(peer, ctx) {
    const s = ctx.scale;
    await using server = await ctx.start(peer, this.need);
    const hello = server.path("hello");
    await normalLoad(server.port, [hello], 100);
    await sleep(1000);
    const beforeKiB = server.tree.rssKiB();
    const sampler = new RssSampler(server.tree);
    let series;
    let wrk;
    try {
      wrk = await runWrk(server.port, hello, s.churnMs / 1000, true);
    } finally {
      series = sampler.stop();
    }
    const endKiB = server.tree.rssKiB();
    const soonProbes = await waitProbing(server.port, s.churnSoonMs);
    const soonKiB = server.tree.rssKiB();
    const laterProbes = await waitProbing(server.port, s.laterMs - s.churnSoonMs);
    const laterKiB = server.tree.rssKiB();
    return [{
      setup: server.launch.setup,
      cells: [
        fixed(wrk.requestsPerSecond),
        count(wrk.requests),
        wrk.errors === 0 ? "0" : wrk.errorDetail,
        mib(beforeKiB),
        mib(series.peakKiB),
        mib(endKiB),
        mib(soonKiB),
        mib(laterKiB),
      ],
      data: {
        wrk: wrkData(wrk),
        rssBeforeKiB: beforeKiB,
        rssPeakKiB: series.peakKiB,
        rssEndKiB: endKiB,
        rssSoonKiB: soonKiB,
        rssLaterKiB: laterKiB,
        afterProbes: [soonProbes, laterProbes],
        rssTimeline: series.timeline,
      },
    }];
  },
};
