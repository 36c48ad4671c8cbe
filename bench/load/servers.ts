/**
 * The servers the load benchmark compares (bench/servers/), and starting one
 * as its own process.
 *
 * @module
 */

import { Child } from "../lib/children.ts";
import { BENCH, DENO } from "./paths.ts";

/** How the Deno servers are run. */
export const DENO_RUN = [DENO, "run", "--allow-net", "--allow-env", "--allow-read"];

/** How long a server may take to announce its port. */
export const READY_TIMEOUT_MS = 30_000;

/** A server under test: a program that prints `READY <port>` once it listens. */
export interface ServerDef {
  readonly name: string;
  readonly argv: readonly string[];
  /** Runs only when named in --servers. */
  readonly optional?: true;
}

export const SERVERS: readonly ServerDef[] = [
  { name: "rawhttp-native", argv: [...DENO_RUN, `${BENCH}servers/rawhttp_native.ts`] },
  { name: "rawhttp-fetch", argv: [...DENO_RUN, `${BENCH}servers/rawhttp_fetch.ts`] },
  { name: "deno-serve", argv: [...DENO_RUN, `${BENCH}servers/deno_serve.ts`] },
  { name: "node-http", argv: ["node", `${BENCH}servers/node_http.mjs`] },
  // A yardstick for rawhttp-fetch (see the file), not a contender.
  { name: "fetch-floor", argv: [...DENO_RUN, `${BENCH}servers/fetch_floor.ts`], optional: true },
];

/** A server process that has announced its port. */
export interface Running {
  readonly def: ServerDef;
  readonly child: Child;
  readonly port: number;
}

/** Starts `def` on a free port (behind `prefix`, e.g. taskset) and waits for its `READY` line. */
export async function startServer(def: ServerDef, prefix: readonly string[]): Promise<Running> {
  const child = Child.spawn([...prefix, ...def.argv, "0"], {
    newGroup: true,
    stdin: true,
    openFiles: 30000,
  });
  try {
    const m = await child.waitForLine(/^READY (\d+)$/, READY_TIMEOUT_MS);
    return { def, child, port: Number(m[1]) };
  } catch (error) {
    await child.stop();
    throw error;
  }
}
