/**
 * Writes the image's deno.json and deno.lock (deploy/image/), which hold only
 * the npm packages the program loads at run time.
 *
 * Deno installs every npm import of the deno.json it finds, and wants all of
 * them in its cache even to run with --cached-only; the repository's deno.json
 * also names the tests' packages (fast-check, hono, ws, kubernetes-models,
 * yaml). So the image gets its own config: the root's imports that the
 * program, the cluster worker and the probe reach (found with `deno info`),
 * the same unstable flags, a frozen lock made from the root's versions.
 *
 *   deno task image:config          # rewrite deploy/image/deno.{json,lock}
 *   deno task image:config --check  # exit 1 if they are stale (tests/dockerfile_test.ts)
 *
 * @module
 */

import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
const OUT = `${ROOT}/deploy/image`;

/** What the image runs: the server, the worker of --listeners, the HEALTHCHECK probe. */
export const ENTRYPOINTS = [
  "src/program/main.ts",
  "src/program/cluster_worker.ts",
  "src/program/healthcheck.ts",
];

async function deno(args: string[], cwd: string): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const td = new TextDecoder();
  if (!out.success) throw new Error(`deno ${args.join(" ")}: ${td.decode(out.stderr)}`);
  return td.decode(out.stdout);
}

/** The npm packages (name@version) the entrypoints load, per `deno info`. */
export async function runtimePackages(root = ROOT): Promise<Set<string>> {
  const found = new Set<string>();
  for (const entry of ENTRYPOINTS) {
    const info = JSON.parse(await deno(["info", "--json", entry], root));
    for (const m of info.modules as { kind?: string; specifier: string }[]) {
      if (m.kind !== "npm") continue;
      // "npm:/@scope/name@1.2.3/sub" → "@scope/name@1.2.3"
      const parts = m.specifier.replace(/^npm:\/?/, "").split("/");
      found.add(parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!);
    }
  }
  return found;
}

/** The image's deno.json and deno.lock, as text. */
export async function imageConfig(root = ROOT): Promise<{ json: string; lock: string }> {
  const config = JSON.parse(await Deno.readTextFile(`${root}/deno.json`));
  const used = await runtimePackages(root);
  const imports: Record<string, string> = {};
  for (const [name, target] of Object.entries(config.imports as Record<string, string>)) {
    if (used.has(target.replace(/^npm:/, ""))) imports[name] = target;
  }
  const image = {
    "//": "Made by deploy/image/make_config.ts from ../../deno.json: do not edit.",
    imports,
    unstable: config.unstable,
    lock: { frozen: true },
  };
  const json = JSON.stringify(image, null, 2) + "\n";
  // A lock for exactly these imports, resolved to the root lock's versions
  // (each import is pinned to an exact version; the root lock's integrity
  // hashes are checked against by --frozen builds in the image).
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/deno.json`, json);
    await Deno.copyFile(`${root}/deno.lock`, `${dir}/deno.lock`);
    await Deno.copyFile(`${root}/mod.ts`, `${dir}/mod.ts`);
    await copyDir(`${root}/src`, `${dir}/src`);
    await deno(["cache", "--frozen=false", ...ENTRYPOINTS], dir);
    return { json, lock: await Deno.readTextFile(`${dir}/deno.lock`) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyDir(`${from}/${e.name}`, `${to}/${e.name}`);
    else if (e.isFile) await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}

if (import.meta.main) {
  const { json, lock } = await imageConfig();
  if (Deno.args.includes("--check")) {
    const same = async (path: string, text: string) => {
      try {
        return (await Deno.readTextFile(path)) === text;
      } catch {
        return false;
      }
    };
    if (!(await same(`${OUT}/deno.json`, json)) || !(await same(`${OUT}/deno.lock`, lock))) {
      console.error("deploy/image/deno.json or deno.lock is stale: run deno task image:config");
      Deno.exit(1);
    }
  } else {
    await Deno.writeTextFile(`${OUT}/deno.json`, json);
    await Deno.writeTextFile(`${OUT}/deno.lock`, lock);
    console.log(`wrote ${OUT}/deno.json and deno.lock`);
  }
}
