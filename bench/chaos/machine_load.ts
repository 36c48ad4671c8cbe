/**
 * How much CPU processes outside the benchmark used while an attack ran:
 * other work on the machine skews every latency and memory figure.
 *
 * @module
 */

import { allProcessTicks, clockTicksPerSecond, otherTicks } from "../lib/procfs.ts";
import { descendants } from "./process_tree.ts";

const TICKS_PER_SECOND = await clockTicksPerSecond();

/** What other processes used over a stretch of time. */
export interface OtherLoad {
  /** % of one core. */
  readonly percent: number;
  /** The biggest users, "name(pid) ticks". */
  readonly top: readonly string[];
}

/** Starts measuring the CPU of every process that is not this one or one it started. */
export function otherLoad(): { stop(): OtherLoad } {
  const before = allProcessTicks();
  const started = performance.now();
  return {
    stop() {
      const { ticks, top } = otherTicks(before, allProcessTicks(), new Set(descendants(Deno.pid)));
      const seconds = (performance.now() - started) / 1000;
      return { percent: 100 * ticks / TICKS_PER_SECOND / seconds, top };
    },
  };
}
