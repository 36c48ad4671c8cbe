/**
 * The pinned load scenarios (keep-alive, pipelined, new-conn, 64k, post-4k):
 * every server starts once and is checked and warmed; then, scenario by
 * scenario, the servers take turns for each round, who goes first rotating.
 *
 * @module
 */

import { isStopping } from "../lib/children.ts";
import { runWrk } from "../lib/wrk.ts";
import { checkAnswers } from "./answers.ts";
import type { Pins } from "./machine.ts";
import { quietSample, type Sample } from "./measure.ts";
import { progress, reason } from "./progress.ts";
import { LOAD_SCENARIOS, type LoadScenario, WARMUP_SECONDS, wrkArgv } from "./scenarios.ts";
import { type Running, type ServerDef, startServer } from "./servers.ts";

/** What {@link loadRuns} runs, and how. */
export interface LoadPlan {
  readonly defs: readonly ServerDef[];
  readonly scenarios: readonly LoadScenario[];
  readonly rounds: number;
  /** Seconds per wrk run. */
  readonly seconds: number;
  readonly pins: Pins;
  readonly microsPerTick: number;
}

/**
 * Runs the plan and stops every server at the end. A server that does not
 * start, or dies, goes into `skipped` and is left out from then on.
 */
export async function loadRuns(plan: LoadPlan, skipped: Record<string, string>): Promise<Sample[]> {
  const samples: Sample[] = [];
  if (plan.scenarios.length === 0) return samples;
  const running: Running[] = [];
  try {
    for (const def of plan.defs) {
      try {
        const server = await startServer(def, plan.pins.server);
        running.push(server);
        await checkAnswers(server.port);
        progress(`${def.name} ready on port ${server.port} (pid ${server.child.pid})`);
      } catch (error) {
        if (isStopping()) throw error;
        const why = reason(error);
        skipped[def.name] = `did not start: ${why}`;
        progress(`skipping ${def.name}: ${why}`);
        const i = running.findIndex((r) => r.def === def);
        if (i !== -1) await running.splice(i, 1)[0]!.child.stop();
      }
    }
    // One short run each first, so no server meets the first round with cold code.
    for (const server of running) {
      await runWrk(wrkArgv(LOAD_SCENARIOS[0]!, WARMUP_SECONDS, server.port, plan.pins.load), 1);
    }
    const ctx = {
      seconds: plan.seconds,
      prefix: plan.pins.load,
      microsPerTick: plan.microsPerTick,
    };
    for (const scenario of plan.scenarios) {
      for (let round = 1; round <= plan.rounds; round++) {
        // Rotate who goes first, so no server always follows the same one.
        for (let k = 0; k < running.length; k++) {
          const server = running[(k + round - 1) % running.length]!;
          if (server.def.name in skipped) continue;
          try {
            samples.push(await quietSample(server, scenario, round, ctx));
          } catch (error) {
            if (isStopping()) throw error;
            const why = reason(error);
            progress(`${scenario.name} round ${round} ${server.def.name} failed: ${why}`);
            if (server.child.ended) skipped[server.def.name] = `died: ${why}`;
          }
        }
      }
    }
  } finally {
    await Promise.all(running.map((r) => r.child.stop()));
  }
  return samples;
}
