/**
 * The machine the benchmark runs on: what a command prints, wrk installed,
 * the cores servers and load generators are pinned to (taskset), and how
 * busy other processes keep it.
 *
 * @module
 */

import { hasCommand } from "../lib/children.ts";
import { allProcessTicks, otherTicks } from "../lib/procfs.ts";
import { progress } from "./progress.ts";

/** What `argv` prints on stdout, trimmed; "" when it cannot run. */
export async function output(argv: readonly string[]): Promise<string> {
  try {
    const out = await new Deno.Command(argv[0]!, { args: argv.slice(1), stderr: "piped" })
      .output();
    return new TextDecoder().decode(out.stdout).trim();
  } catch {
    return "";
  }
}

/** Makes sure wrk is installed: installs it with apt-get when root, else explains. */
export async function ensureWrk(): Promise<void> {
  if (await hasCommand("wrk")) return;
  if (Deno.uid() === 0 && await hasCommand("apt-get")) {
    progress("wrk is missing: apt-get install -y wrk");
    const install = await new Deno.Command("apt-get", {
      args: ["install", "-y", "wrk"],
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (install.success && await hasCommand("wrk")) return;
  }
  console.error(
    "wrk is not installed. On Debian or Ubuntu: sudo apt-get install -y wrk\n" +
      "(if apt cannot find it, run sudo apt-get update first)",
  );
  Deno.exit(1);
}

/** Command prefixes that pin servers and load generators, and a line for the report. */
export interface Pins {
  readonly server: readonly string[];
  readonly load: readonly string[];
  readonly note: string;
}

/** Core prefixes for servers and load, or none when taskset cannot pin. */
export async function pinning(nproc: number): Promise<Pins> {
  if (nproc < 2) {
    return { server: [], load: [], note: `unpinned: only ${nproc} CPU` };
  }
  if (!await hasCommand("taskset")) {
    return { server: [], load: [], note: "unpinned: taskset (util-linux) is not installed" };
  }
  const probe = await new Deno.Command("taskset", { args: ["-c", "1", "true"], stderr: "null" })
    .output();
  if (!probe.success) return { server: [], load: [], note: "unpinned: taskset -c 1 failed" };
  return {
    server: ["taskset", "-c", "0"],
    load: ["taskset", "-c", "1"],
    note: "servers on core 0, wrk and the idle client on core 1 (taskset)",
  };
}

/** CPU % (of one core) that other processes use over `ms`, before anything starts. */
export async function otherCpuPercent(ms: number, microsPerTick: number): Promise<number> {
  const before = allProcessTicks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const { ticks } = otherTicks(before, allProcessTicks(), new Set([Deno.pid]));
  return Math.round(100 * ticks * microsPerTick / (ms * 1000));
}
