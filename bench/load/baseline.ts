/**
 * `--baseline REV`: rawhttp as it was at another commit, run beside the
 * working tree's in the same benchmark, so a change is measured against what
 * it changed under the same load of the machine. The commit is checked out
 * into a temporary git worktree; its own bench/servers start it.
 *
 * @module
 */

import { output } from "./machine.ts";
import { ROOT } from "./paths.ts";
import { DENO_RUN, type ServerDef } from "./servers.ts";

/** The rawhttp servers a baseline adds, and how to remove its worktree. */
export interface Baseline {
  /** The commit, as `git rev-parse --short` names it. */
  readonly commit: string;
  readonly defs: readonly ServerDef[];
  /** Each pair of (this tree's server, the baseline's), for the ratios. */
  readonly pairs: readonly (readonly [string, string])[];
  remove(): Promise<void>;
}

/** The servers compared with their baseline counterparts. */
const COMPARED = ["rawhttp-native", "rawhttp-fetch"];

/** Checks out `rev` and defines its rawhttp servers among those `names` asks for. */
export async function checkoutBaseline(rev: string, names: readonly string[]): Promise<Baseline> {
  const commit = await output(["git", "-C", ROOT, "rev-parse", "--short", `${rev}^{commit}`]);
  if (commit === "") throw new Error(`--baseline: no commit ${rev}`);
  const dir = await Deno.makeTempDir({ prefix: "rawhttp-baseline-" });
  const add = await new Deno.Command("git", {
    args: ["-C", ROOT, "worktree", "add", "--detach", dir, commit],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!add.success) throw new Error(`--baseline: ${new TextDecoder().decode(add.stderr)}`);
  const chosen = COMPARED.filter((name) => names.includes(name));
  return {
    commit,
    defs: chosen.map((name) => ({
      name: `${name}@${commit}`,
      argv: [...DENO_RUN, `${dir}/bench/servers/${name.replace("-", "_")}.ts`],
    })),
    pairs: chosen.map((name) => [name, `${name}@${commit}`] as const),
    async remove() {
      await new Deno.Command("git", {
        args: ["-C", ROOT, "worktree", "remove", "--force", dir],
        stdout: "null",
        stderr: "null",
      }).output();
    },
  };
}
