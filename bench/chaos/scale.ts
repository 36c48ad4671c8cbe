/**
 * How big and how long each attack is: the full run, and `--quick`, which
 * shortens every duration and count for a smoke run of a few minutes.
 *
 * @module
 */

/** Every count and duration the attacks take. */
export interface Scale {
  readonly name: "full" | "quick";
  /** 1. Connections reset right after connect, back to back, in about `resetBurstMs`. */
  readonly resetBurst: number;
  readonly resetBurstMs: number;
  /** 1. Then one reset every `resetTrickleIntervalMs` (stages taking turns) for `resetTrickleMs`. */
  readonly resetTrickleMs: number;
  readonly resetTrickleIntervalMs: number;
  /** 1. The /health prober's pause between probes. */
  readonly healthProbeIntervalMs: number;
  /** 2, 3. The /api/hello prober's pause between probes. */
  readonly helloProbeIntervalMs: number;
  /** 2. Slow uploads, each announcing `uploadBytes` and sending a byte every `trickleIntervalMs`. */
  readonly uploads: number;
  readonly uploadBytes: number;
  readonly uploadMs: number;
  /** 2, 3. The pause between two trickled bytes. */
  readonly trickleIntervalMs: number;
  /** 3. Slowloris connections (each reconnects when the server drops it). */
  readonly slowloris: number;
  readonly slowlorisMs: number;
  /** 4. Connections that ask for 1 MiB and never read. */
  readonly readers: number;
  /** 4. How long the readers hold on at most, waiting for the server to drop them. */
  readonly readersHoldMs: number;
  /** 4, 5, 6. The "30 s later" reading. */
  readonly laterMs: number;
  /** 5. The connection-churn run (wrk -c50, Connection: close). */
  readonly churnMs: number;
  /** 5. The first reading after it ("5 s after"). */
  readonly churnSoonMs: number;
  /** 6. Requests each half of the soak aims at. */
  readonly soakRequests: number;
  /** 6. The cap on each half's duration. */
  readonly soakCapMs: number;
  /** 6. The calibration run that sets each half's duration. */
  readonly calibrationMs: number;
  /** 7. Answers before the signal, over the 20 keep-alive clients. */
  readonly shutdownWarm: number;
}

export const FULL: Scale = {
  name: "full",
  resetBurst: 1000,
  resetBurstMs: 1000,
  resetTrickleMs: 20_000,
  resetTrickleIntervalMs: 100,
  healthProbeIntervalMs: 50,
  helloProbeIntervalMs: 100,
  uploads: 140,
  uploadBytes: 100_000,
  uploadMs: 20_000,
  trickleIntervalMs: 1000,
  slowloris: 500,
  slowlorisMs: 20_000,
  readers: 3000,
  readersHoldMs: 20_000,
  laterMs: 30_000,
  churnMs: 100_000,
  churnSoonMs: 5000,
  soakRequests: 1_000_000,
  soakCapMs: 300_000,
  calibrationMs: 3000,
  shutdownWarm: 2000,
};

export const QUICK: Scale = {
  ...FULL,
  name: "quick",
  resetBurst: 200,
  resetBurstMs: 200,
  resetTrickleMs: 4000,
  uploads: 40,
  uploadMs: 4000,
  slowloris: 100,
  slowlorisMs: 7000,
  readers: 300,
  readersHoldMs: 8000,
  laterMs: 3000,
  churnMs: 5000,
  churnSoonMs: 1000,
  soakRequests: 50_000,
  soakCapMs: 10_000,
  calibrationMs: 1000,
  shutdownWarm: 200,
};
