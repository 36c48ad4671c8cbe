/**
 * rawhttp's own program (src/program/main.ts) as a server of the scaling scenario:
 * its command line with N listeners, and starting it.
 *
 * @module
 */

import { Child } from "../lib/children.ts";
import { listeningPorts } from "../lib/procfs.ts";
import { DENO, ROOT } from "./paths.ts";
import { READY_TIMEOUT_MS, type Running, type ServerDef } from "./servers.ts";

/**
 * The rawhttp program, src/program/main.ts, with N listeners. `--config` brings in
 * deno.json wherever run.ts runs from: its import map, and `--unstable-net`
 * for SO_REUSEPORT.
 */
export function programDef(workers: number): ServerDef {
  return {
    name: `rawhttp --listeners ${workers}`,
    argv: [
      DENO,
      "run",
      "--config",
      `${ROOT}deno.json`,
      "--allow-net",
      "--allow-env",
      "--allow-read",
      `${ROOT}src/program/main.ts`,
      ...["--host", "127.0.0.1", "--port", "0", "--listeners", String(workers)],
      ...["--log-level", "warning"],
    ],
  };
}

/**
 * Starts the rawhttp program and resolves once all `workers` listeners are
 * bound: wrk must not connect before, or the kernel spreads its connections
 * over fewer of them. At log level warning the program prints no
 * "listening" line (and at info it would print a line per request), so this
 * reads /proc instead: the process holds `workers` listening sockets on one
 * port.
 */
export async function startProgram(def: ServerDef, workers: number): Promise<Running> {
  const child = Child.spawn(def.argv, { newGroup: true });
  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (child.ended) {
        const { code } = await child.status;
        const said = [...child.lines.slice(-3), child.stderrTail].filter((s) => s !== "");
        throw new Error(`exited with code ${code}: ${said.join(" / ") || "(no output)"}`);
      }
      let ports: number[] = [];
      try {
        ports = listeningPorts(child.pid);
      } catch { /* exiting: the next turn sees it ended */ }
      if (ports.length === workers && new Set(ports).size === 1) {
        return { def, child, port: ports[0]! };
      }
      if (Date.now() > deadline) {
        throw new Error(`${ports.length} of ${workers} listeners after ${READY_TIMEOUT_MS} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } catch (error) {
    await child.stop();
    throw error;
  }
}
