/**
 * What an attack is to the benchmark: a name, a table, and a run against one
 * server that gives that server's row(s).
 *
 * @module
 */

import type { Need, Peer } from "./peers.ts";
import type { Scale } from "./scale.ts";
import type { ServerProcess } from "./server_process.ts";

/** The attacks, in the report's order; `--only` takes these names or their numbers. */
export const ATTACK_NAMES = [
  "resets",
  "slow-uploads",
  "slowloris",
  "stalled-readers",
  "churn",
  "soak",
  "shutdown",
] as const;
export type AttackName = typeof ATTACK_NAMES[number];

/** What an attack gets besides the server. */
export interface AttackContext {
  readonly scale: Scale;
  /** Starts a fresh server of `peer` for `need`, pinned as every server is. */
  start(peer: Peer, need: Need): Promise<ServerProcess>;
  /** A line on stderr about what is going on. */
  progress(message: string): void;
}

/** One row of an attack's table, and every figure behind it for the JSON. */
export interface Row {
  /** Added to the server's name, e.g. "SIGQUIT" or "keep-alive". */
  readonly variant?: string;
  /** What ran: "src/program/main.ts --write-timeout 5s". */
  readonly setup: string;
  /** The cells under {@link Attack.columns}. */
  readonly cells: readonly string[];
  /** The figures, for the JSON. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** An attack. */
export interface Attack {
  readonly name: AttackName;
  readonly title: string;
  /** What it asks of every server; a server without one of its routes gets "n/a". */
  readonly need: Need;
  /** A paragraph above the table: what was done, with the scale's numbers. */
  describe(scale: Scale): string;
  /** The columns after "server" and "setup". */
  columns(scale: Scale): readonly string[];
  /** Runs against one server (starting it, and stopping it before returning). */
  run(peer: Peer, ctx: AttackContext): Promise<Row[]>;
}

/** Waits `ms`: the pacing or the duration of an attack, not a synchronisation. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** `n` with `digits` decimals, or "–" when it is not a number. */
export function fixed(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toFixed(digits) : "–";
}

/** KiB as MiB with one decimal. */
export function mib(kib: number): string {
  return fixed(kib / 1024, 1);
}

/** A tally as text, largest first: "128 open, 12 answered 503". */
export function tallyText(tally: Readonly<Record<string, number>>): string {
  const entries = Object.entries(tally).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? "–" : entries.map(([what, n]) => `${n} ${what}`).join(", ");
}

/** A count with thousands separators. */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}
