/**
 * The facts above the report's tables: machine, versions, code, date.
 *
 * @module
 */

import { cpuModel, ownCommandLine } from "../lib/procfs.ts";
import type { Scale } from "./scale.ts";

/** What the report says about the run. */
export interface Facts {
  readonly command: string;
  readonly date: string;
  readonly scale: Scale["name"];
  readonly cpuModel: string;
  readonly cores: number;
  readonly kernel: string;
  readonly versions: Readonly<Record<string, string>>;
  /** {@link codeVersion} at the start. */
  readonly commit: string;
  /** {@link codeVersion} at the end; differs from `commit` when someone changed the code meanwhile. */
  commitAtEnd: string;
  readonly pinning: string;
  /** /proc/loadavg at the start (1, 5, 15 min). */
  readonly loadAverage: string;
  /** Servers left out, and why. */
  readonly skipped: Record<string, string>;
  elapsedSeconds: number;
}

/** What `argv` prints (stdout and stderr, first line), or "" when it cannot run. */
export async function firstLine(argv: readonly string[]): Promise<string> {
  try {
    const out = await new Deno.Command(argv[0]!, {
      args: argv.slice(1),
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return text.trim().split("\n")[0] ?? "";
  } catch {
    return "";
  }
}

/**
 * The commit checked out, and whether mod.ts or src/ differ from it: what a
 * rawhttp server started now runs (the servers start afresh for every attack,
 * so a change in the middle of a run shows in the rows after it).
 */
export async function codeVersion(): Promise<string> {
  const head = await firstLine(["git", "rev-parse", "--short", "HEAD"]);
  if (head === "") return "unknown (not a git checkout)";
  const dirty = await firstLine(["git", "status", "--porcelain", "--", "mod.ts", "src/"]);
  if (dirty === "") return head;
  const diff = await firstLine(["bash", "-c", "git diff HEAD -- mod.ts src/ | sha1sum"]);
  return `${head} plus uncommitted changes in mod.ts/src/ (diff ${diff.slice(0, 8)})`;
}

/** Gathers the facts known before the first attack. */
export async function gatherFacts(scale: Scale, pinning: string): Promise<Facts> {
  const version = async (argv: readonly string[], pattern: RegExp) => {
    const line = await firstLine(argv);
    return pattern.exec(line)?.[1] ?? (line || "not installed");
  };
  return {
    command: ownCommandLine(),
    date: new Date().toISOString(),
    scale: scale.name,
    cpuModel: cpuModel(),
    cores: navigator.hardwareConcurrency,
    kernel: Deno.osRelease(),
    versions: {
      deno: Deno.version.deno,
      node: await version(["node", "--version"], /^v?(\S+)/),
      nginx: await version(["nginx", "-v"], /nginx\/(\S+)/),
      bun: await version(["bun", "--version"], /^(\S+)$/),
      wrk: await version(["wrk", "--version"], /^wrk (\S+)/),
      python3: await version(["python3", "--version"], /Python (\S+)/),
    },
    commit: await codeVersion(),
    commitAtEnd: "",
    pinning,
    loadAverage: Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" "),
    skipped: {},
    elapsedSeconds: 0,
  };
}
