/**
 * Samples a server's RSS at a steady pace while an attack runs: the peak,
 * and a timeline (one reading a second) for the JSON report.
 *
 * @module
 */

import type { ProcessTree } from "./process_tree.ts";

/** One reading of the timeline: seconds since sampling began, and RSS in KiB. */
export type RssPoint = readonly [seconds: number, kib: number];

/** What a sampler saw. */
export interface RssSeries {
  readonly peakKiB: number;
  readonly timeline: readonly RssPoint[];
}

/** Reads the tree's RSS every `intervalMs` until stopped. */
export class RssSampler {
  #peak = 0;
  readonly #timeline: RssPoint[] = [];
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #started = performance.now();

  constructor(readonly tree: ProcessTree, intervalMs = 200) {
    this.sample();
    this.#timer = setInterval(() => this.sample(), intervalMs);
  }

  /** Takes one reading now (also called by the timer); returns it. */
  sample(): number {
    const kib = this.tree.rssKiB();
    this.#peak = Math.max(this.#peak, kib);
    const seconds = Math.floor((performance.now() - this.#started) / 1000);
    if (this.#timeline.length === 0 || this.#timeline.at(-1)![0] < seconds) {
      this.#timeline.push([seconds, kib]);
    }
    return kib;
  }

  /** The peak so far. */
  get peakKiB(): number {
    return this.#peak;
  }

  /** Stops sampling (after one last reading); what it saw. */
  stop(): RssSeries {
    clearInterval(this.#timer);
    this.sample();
    return { peakKiB: this.#peak, timeline: this.#timeline };
  }
}
