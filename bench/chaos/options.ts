/**
 * The command line of `deno task chaos`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { ATTACK_NAMES, type AttackName } from "./attack.ts";
import { PEERS } from "./peers.ts";
import { FULL, QUICK, type Scale } from "./scale.ts";

export const USAGE = `Usage: deno task chaos [options]
  --quick           every duration and count shortened (a smoke run of a few minutes)
  --only LIST       attacks, by name or number: ${
  ATTACK_NAMES.map((n, i) => `${i + 1}=${n}`).join(", ")
}
  --servers LIST    servers: ${PEERS.map((p) => p.name).join(",")} (default: all)
  --help            this text`;

/** What the command line asks for. */
export interface Options {
  readonly scale: Scale;
  readonly attacks: readonly AttackName[];
  readonly servers: readonly string[];
}

/** Parses `args`; prints the usage and exits on --help or a mistake. */
export function options(args: readonly string[]): Options {
  let values;
  try {
    values = parseArgs({
      args: [...args],
      options: {
        quick: { type: "boolean", default: false },
        only: { type: "string" },
        servers: { type: "string" },
        help: { type: "boolean", default: false },
      },
    }).values;
  } catch (error) {
    fail(`${error instanceof Error ? error.message : error}\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const names = PEERS.map((p) => p.name);
  return {
    scale: values.quick ? QUICK : FULL,
    attacks: list("only", values.only, ATTACK_NAMES, (s) => ATTACK_NAMES[Number(s) - 1] ?? s),
    servers: list("servers", values.servers, names, (s) => s),
  };
}

/** The items of a comma-separated flag, in the order of `known`; all of them when absent. */
function list<T extends string>(
  flag: string,
  value: string | undefined,
  known: readonly T[],
  alias: (item: string) => string,
): T[] {
  if (value === undefined) return [...known];
  const items = value.split(",").map((s) => s.trim()).filter((s) => s !== "").map(alias);
  const unknown = items.filter((s) => !(known as readonly string[]).includes(s));
  if (unknown.length > 0) fail(`--${flag}: unknown ${unknown.join(", ")}\n${USAGE}`);
  return known.filter((s) => items.includes(s));
}

function fail(message: string): never {
  console.error(message);
  Deno.exit(2);
}
