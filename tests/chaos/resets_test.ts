/**
 * Clients that reset their connection (RST, via SO_LINGER 0) at every stage
 * of its life: right after connect (before the server's accept returns),
 * mid-head, mid-body, after a whole request, and mid-response. An error about
 * one connection must never slow the others.
 */

import assert from "node:assert/strict";
import {
  assertAllProbesAnswered,
  assertNoAcceptErrors,
  assertRecovered,
} from "./fixtures/aftermath.ts";
import { baselineRss, Prober } from "./fixtures/probe.ts";
import { Program } from "./fixtures/program.ts";
import { type ResetReport, resets } from "./fixtures/resets.ts";
import { BIG_FILE_PATH, tempWww } from "./fixtures/www.ts";

function assertAllReset(reports: readonly ResetReport[]): void {
  for (const r of reports) {
    assert.equal(
      r.failed,
      0,
      `${r.stage}: ${r.failed} connection(s) failed: ${r.errors.join("; ")}`,
    );
  }
}

Deno.test("main.ts keeps accepting and answers /health through a burst of 1,000 resets right after connect", async () => {
  await using program = await Program.main();
  const baseline = await baselineRss(program);
  const from = program.lines.length;
  const port = program.port;
  const prober = new Prober(port);
  // The first 100 land while the process is paused (as a long GC pause or a
  // starved CPU would pause it), so they wait in the accept queue already
  // reset: accept() then fails for each (ENOTCONN). 100 fit in any listen
  // backlog (128 on older kernels). The rest come back to back while it runs.
  const queued = await program.whilePaused(() =>
    resets({ port, stage: "connect", count: 100, intervalMs: 0, maxMs: 10_000 })
  );
  const burst = await resets({ port, stage: "connect", count: 900, intervalMs: 0, maxMs: 10_000 });
  const probes = await prober.stop();
  assertAllProbesAnswered(probes);
  assertNoAcceptErrors(program, from);
  assertAllReset([queued, burst]);
  await assertRecovered(program, baseline);
});

Deno.test("main.ts answers /health through a trickle of resets after connect, mid-head, mid-body and mid-response", async () => {
  await using www = await tempWww();
  await using program = await Program.main(["--www-dir", www.dir]);
  const paths = ["/health", "/api/hello"];
  const baseline = await baselineRss(program, paths, [BIG_FILE_PATH]);
  const from = program.lines.length;
  const prober = new Prober(program.port);
  // Four trickles side by side, one reset every ~150 ms in all, for ~5 s.
  const port = program.port;
  const each = { port, count: 8, intervalMs: 600, maxMs: 15_000 };
  const reports = await Promise.all([
    resets({ ...each, stage: "connect" }),
    resets({ ...each, stage: "mid-head" }),
    resets({ ...each, stage: "mid-body", path: "/api/echo" }),
    resets({ ...each, stage: "response", path: BIG_FILE_PATH }),
  ]);
  const probes = await prober.stop();
  assertAllProbesAnswered(probes);
  assertNoAcceptErrors(program, from);
  assertAllReset(reports);
  await assertRecovered(program, baseline, paths);
});

Deno.test("serve() answers /health and /fast while clients reset after connect, mid-upload and before their handler answers", async () => {
  await using program = await Program.serveApp();
  const baseline = await baselineRss(program, ["/health", "/fast"]);
  const from = program.lines.length;
  const prober = new Prober(program.port);
  const port = program.port;
  // ~6 handlers of /slow at a time, under the pool's 10 permits: the resets
  // land while the handlers run, and their answers meet a dead socket.
  const reports = await Promise.all([
    resets({ port, stage: "request", path: "/slow?ms=300", count: 40, intervalMs: 50 }),
    resets({ port, stage: "mid-body", path: "/upload", count: 20, intervalMs: 100 }),
    resets({ port, stage: "connect", count: 200, intervalMs: 10 }),
  ]);
  const probes = await prober.stop();
  assertAllProbesAnswered(probes);
  assertNoAcceptErrors(program, from);
  assertAllReset(reports);
  await assertRecovered(program, baseline, ["/health", "/fast"]);
});
