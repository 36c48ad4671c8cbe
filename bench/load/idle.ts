/**
 * The idle-connections scenario (idle-10k): a fresh server, a client
 * (bench/idle_client.ts) that opens N keep-alive connections and holds them,
 * and the server's RSS and open files before, while they are open and after
 * they close.
 *
 * @module
 */

import { Child, isStopping } from "../lib/children.ts";
import { openFds, rssKiB } from "../lib/procfs.ts";
import type { IdleResult } from "../lib/report_data.ts";
import type { Pins } from "./machine.ts";
import { BENCH, DENO } from "./paths.ts";
import { progress, reason } from "./progress.ts";
import { IDLE } from "./scenarios.ts";
import { type ServerDef, startServer } from "./servers.ts";

async function idleRun(def: ServerDef, count: number, pins: Pins): Promise<IdleResult> {
  const server = await startServer(def, pins.server);
  const pid = server.child.pid;
  try {
    const fdsBefore = openFds(pid);
    const rssBeforeKiB = rssKiB(pid);
    const client = Child.spawn(
      [
        ...pins.load,
        DENO,
        "run",
        "--allow-net",
        `${BENCH}idle_client.ts`,
        String(server.port),
        String(count),
      ],
      { stdin: true, openFiles: Math.max(30000, count + 1000) },
    );
    try {
      const m = await client.waitForLine(/^OPEN (\d+) (\d+)(.*)$/, 180_000);
      const opened = Number(m[1]);
      const rssOpenKiB = rssKiB(pid);
      const serverFdsOpen = openFds(pid) - fdsBefore;
      await client.send("close");
      await client.waitForLine(/^CLOSED$/, 60_000);
      await client.done;
      // The server notices the closes asynchronously: wait (bounded) until its sockets are gone.
      const deadline = Date.now() + 10_000;
      while (openFds(pid) > fdsBefore + 10 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const firstError = m[3]!.trim();
      const result: IdleResult = {
        server: def.name,
        connections: opened,
        failed: Number(m[2]),
        rssBeforeKiB,
        rssOpenKiB,
        rssAfterCloseKiB: rssKiB(pid),
        kibPerConnection: opened > 0 ? (rssOpenKiB - rssBeforeKiB) / opened : NaN,
        serverFdsOpen,
      };
      return firstError === "" ? result : { ...result, note: `first failure: ${firstError}` };
    } finally {
      await client.stop();
    }
  } finally {
    await server.child.stop();
  }
}

/**
 * Runs the scenario against each server in turn, leaving out those already
 * in `skipped`; a server that fails is added there.
 */
export async function idleRuns(
  defs: readonly ServerDef[],
  count: number,
  pins: Pins,
  skipped: Record<string, string>,
): Promise<IdleResult[]> {
  const idle: IdleResult[] = [];
  for (const def of defs) {
    if (def.name in skipped) continue;
    try {
      const result = await idleRun(def, count, pins);
      idle.push(result);
      progress(
        `${IDLE} ${def.name}: ${result.connections} open, ` +
          `${result.kibPerConnection.toFixed(1)} KiB/conn`,
      );
    } catch (error) {
      if (isStopping()) throw error;
      const why = reason(error);
      skipped[def.name] ??= `${IDLE} failed: ${why}`;
      progress(`${IDLE} ${def.name} failed: ${why}`);
    }
  }
  return idle;
}
