/**
 * The command line of `deno task bench`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { ALL_SCENARIOS, IDLE, LETTERS, SCALING } from "./scenarios.ts";
import { SERVERS } from "./servers.ts";

export const USAGE = `Usage: deno task bench [options]
  --rounds N            rounds per scenario, median reported (default 3)
  --duration S          seconds per wrk run (default 3)
  --quick               1 round of 2 s (smoke test)
  --only LIST           scenarios: ${ALL_SCENARIOS.join(",")} (or a-f)
                        (${SCALING}: rawhttp's program with --listeners 1..nproc, unpinned,
                        and deno-serve when --servers includes it)
  --servers LIST        servers: ${SERVERS.map((s) => s.name).join(",")}
                        (default all but ${
  SERVERS.filter((s) => s.optional).map((s) => s.name).join(",")
})
  --idle-connections N  connections of ${IDLE} (default 10000)
  --baseline REV        also run rawhttp-native and rawhttp-fetch as they were at REV
                        (a temporary git worktree), and report this tree over REV`;

/** What the command line asks for. */
export interface Options {
  readonly rounds: number;
  /** Seconds per wrk run. */
  readonly duration: number;
  /** Scenario names, in the order of {@link ALL_SCENARIOS}. */
  readonly scenarios: readonly string[];
  /** Server names, in the order of {@link SERVERS}. */
  readonly servers: readonly string[];
  readonly idleConnections: number;
  /** The commit to compare rawhttp with (--baseline), or null. */
  readonly baseline: string | null;
}

/** Parses `args`; prints the usage and exits on --help or a mistake. */
export function options(args: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...args],
    options: {
      rounds: { type: "string" },
      duration: { type: "string" },
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      servers: { type: "string" },
      "idle-connections": { type: "string", default: "10000" },
      baseline: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const int = (name: string, value: string, min: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer >= ${min}`);
    return n;
  };
  const list = (
    name: string,
    value: string | undefined,
    known: readonly string[],
    byDefault: readonly string[] = known,
  ) => {
    if (value === undefined) return [...byDefault];
    const items = value.split(",").map((s) => s.trim()).filter((s) => s !== "")
      .map((s) => LETTERS[s] ?? s);
    const unknown = items.filter((s) => !known.includes(s));
    if (unknown.length > 0) fail(`--${name}: unknown ${unknown.join(", ")}\n${USAGE}`);
    return known.filter((s) => items.includes(s));
  };
  return {
    rounds: int("rounds", values.rounds ?? (values.quick ? "1" : "3"), 1),
    duration: int("duration", values.duration ?? (values.quick ? "2" : "3"), 1),
    scenarios: list("only", values.only, ALL_SCENARIOS),
    servers: list(
      "servers",
      values.servers,
      SERVERS.map((s) => s.name),
      SERVERS.filter((s) => s.optional !== true).map((s) => s.name),
    ),
    idleConnections: int("idle-connections", values["idle-connections"], 1),
    baseline: values.baseline ?? null,
  };
}

function fail(message: string): never {
  console.error(message);
  Deno.exit(2);
}
