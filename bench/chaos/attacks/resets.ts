/**
 * 1. Resets: a burst of connections reset (SO_LINGER 0) right after connect,
 * then a trickle of resets at every stage of a connection, while a prober
 * asks `GET /health` on a fresh connection every 50 ms.
 *
 * @module
 */

import { probeHealth, Prober } from "../../../tests/chaos/fixtures/probe.ts";
import { type ResetReport, resets, type Stage } from "../../../tests/chaos/fixtures/resets.ts";
import { type Attack, sleep } from "../attack.ts";
import type { RouteName } from "../peers.ts";
import { PROBE_COLUMNS, probeCells, probeData } from "./probes.ts";

/** The trickle's stages, taking turns, and the route each requests. */
const STAGES: readonly (readonly [Stage, RouteName | null])[] = [
  ["connect", null],
  ["mid-head", null],
  ["request", "hello"],
  ["response", "big"],
];

function resetCell(reports: readonly ResetReport[]): string {
  const done = reports.reduce((n, r) => n + r.done, 0);
  const failed = reports.reduce((n, r) => n + r.failed, 0);
  return `${done} / ${failed}`;
}

export const resetsAttack: Attack = {
  name: "resets",
  title: "Reset burst and trickle",
  need: { routes: ["health", "hello", "big"] },
  describe: (s) =>
    `${s.resetBurst} connections reset (SO_LINGER 0, tests/chaos/fixtures/reset.py) right ` +
    `after connect, back to back over about ${s.resetBurstMs} ms; then for ` +
    `${s.resetTrickleMs / 1000} s one reset every ~${s.resetTrickleIntervalMs} ms, the stages ` +
    `taking turns: after connect, mid-head, after a whole \`GET /api/hello\`, and after the ` +
    `first byte of \`GET /big\`. Throughout, a prober sends \`GET /health\` on a fresh ` +
    `connection, ${s.healthProbeIntervalMs} ms after the previous answer; a probe fails ` +
    `without a 200 within 5 s. Latency is from connect to the last byte. "reset / failed": ` +
    `connections reset at their stage, and those that could not reach it (refused, timed ` +
    `out, closed early). rawhttp's target: p99 under 100 ms.`,
  columns:
    () => ["burst reset / failed", "trickle reset / failed", ...PROBE_COLUMNS, "alive after"],
  async run(peer, ctx) {
    const s = ctx.scale;
    await using server = await ctx.start(peer, this.need);
    const port = server.port;
    const prober = new Prober(port, s.healthProbeIntervalMs);
    const burst = await resets({
      port,
      stage: "connect",
      count: s.resetBurst,
      intervalMs: s.resetBurstMs / s.resetBurst,
      maxMs: s.resetBurstMs + 10_000,
    });
    const every = s.resetTrickleIntervalMs * STAGES.length;
    const trickle = await Promise.all(STAGES.map(async ([stage, route], i) => {
      await sleep(i * s.resetTrickleIntervalMs); // interleaves the stages
      return await resets({
        port,
        stage,
        count: Math.floor(s.resetTrickleMs / every),
        intervalMs: every,
        maxMs: s.resetTrickleMs + 10_000,
        ...(route === null ? {} : { path: server.path(route) }),
      });
    }));
    const probes = await prober.stop();
    const after = await probeHealth(port);
    return [{
      setup: server.launch.setup,
      cells: [
        resetCell([burst]),
        resetCell(trickle),
        ...probeCells(probes),
        after.ok ? "yes" : "NO",
      ],
      data: { burst, trickle, probes: probeData(probes), aliveAfter: after },
    }];
  },
};
