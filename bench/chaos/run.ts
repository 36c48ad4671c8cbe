/**
 * The chaos benchmark: the attacks of tests/chaos at full scale, against
 * rawhttp and the servers people would pick instead (Deno.serve, node:http,
 * nginx, Bun), in one run, one server at a time.
 *
 * ```sh
 * deno task chaos                          # all attacks, all servers: 40 minutes or so
 * deno task chaos --quick                  # every duration shortened: a smoke run
 * deno task chaos --only resets,7 --servers rawhttp,nginx
 * ```
 *
 * Servers run on core 0 (taskset), this process and every client on core 1.
 * The report goes to stdout, bench/results/chaos-latest.md and
 * bench/results/chaos-latest.json (with every figure).
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { hasCommand, isStopping, runStoppingChildren, stopAll } from "../lib/children.ts";
import type { Attack, AttackContext, AttackName, Row } from "./attack.ts";
import { churnAttack } from "./attacks/churn.ts";
import { resetsAttack } from "./attacks/resets.ts";
import { shutdownAttack } from "./attacks/shutdown.ts";
import { slowlorisAttack } from "./attacks/slowloris.ts";
import { slowUploadsAttack } from "./attacks/slow_uploads.ts";
import { soakAttack } from "./attacks/soak.ts";
import { stalledReadersAttack } from "./attacks/stalled_readers.ts";
import { codeVersion, type Facts, gatherFacts } from "./facts.ts";
import { otherLoad } from "./machine_load.ts";
import { options } from "./options.ts";
import type { Scale } from "./scale.ts";
import { type Peer, PEERS } from "./peers.ts";
import { descendants } from "./process_tree.ts";
import { type AttackResult, footer, header, type ResultRow, section } from "./report.ts";
import { ServerProcess } from "./server_process.ts";

const ATTACKS: Readonly<Record<AttackName, Attack>> = {
  "resets": resetsAttack,
  "slow-uploads": slowUploadsAttack,
  "slowloris": slowlorisAttack,
  "stalled-readers": stalledReadersAttack,
  "churn": churnAttack,
  "soak": soakAttack,
  "shutdown": shutdownAttack,
};
const ORDER = Object.keys(ATTACKS) as AttackName[];
const RESULTS = fileURLToPath(new URL("../results/", import.meta.url));
const TEXT = new TextEncoder();

function progress(message: string): void {
  Deno.stderr.writeSync(TEXT.encode(`[chaos] ${message}\n`));
}

/** Pins this process (and so every client it starts) to core 1, servers to core 0. */
async function pin(): Promise<{ server: string[]; note: string }> {
  if (navigator.hardwareConcurrency < 2) return { server: [], note: "unpinned: one core" };
  if (!await hasCommand("taskset")) {
    return { server: [], note: "unpinned: taskset (util-linux) is not installed" };
  }
  const self = await new Deno.Command("taskset", {
    args: ["-a", "-p", "-c", "1", String(Deno.pid)],
    stdout: "null",
    stderr: "null",
  }).output();
  if (!self.success) return { server: [], note: "unpinned: taskset -p failed" };
  return {
    server: ["taskset", "-c", "0"],
    note: "servers on core 0; this process, wrk, Python and Deno clients on core 1 (taskset)",
  };
}

/** SIGKILLs every process this one started that is still running (the fixtures' own children too). */
function killLeftovers(): void {
  for (const pid of descendants(Deno.pid).slice(1).reverse()) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch { /* gone */ }
  }
}

/** Stops everything started, gracefully first. */
async function cleanUp(): Promise<void> {
  await stopAll();
  killLeftovers();
}

async function runOne(
  attack: Attack,
  peer: Peer,
  ctx: AttackContext,
): Promise<{ rows: Row[]; note: string | null }> {
  const missing = attack.need.routes.filter((r) => !peer.routes.includes(r));
  if (missing.length > 0) {
    const why = `n/a (no ${missing.join(", ")} route)`;
    return { rows: [{ setup: "", cells: [why], data: { skipped: why } }], note: null };
  }
  try {
    return { rows: await attack.run(peer, ctx), note: null };
  } catch (error) {
    if (isStopping()) throw error;
    const why = error instanceof Error ? error.message : String(error);
    progress(`${attack.name} ${peer.name} failed: ${why}`);
    return {
      rows: [{ setup: "", cells: ["failed (see below)"], data: { error: why } }],
      note: `${peer.name} failed: ${why}`,
    };
  }
}

/** Writes the report so far (after every server, so a run cut short leaves its results). */
function write(facts: Facts, scale: Scale, results: readonly AttackResult[], done: boolean): void {
  const body = results.map((r) =>
    section(ORDER.indexOf(r.attack.name) + 1, r, scale, facts.commit)
  );
  const md = [header(facts), ...body, done ? footer(facts) : "(run in progress)\n"].join("\n");
  Deno.mkdirSync(RESULTS, { recursive: true });
  Deno.writeTextFileSync(`${RESULTS}chaos-latest.md`, md);
  const json = {
    facts,
    complete: done,
    attacks: Object.fromEntries(results.map((r) => [r.attack.name, {
      number: ORDER.indexOf(r.attack.name) + 1,
      title: r.attack.title,
      description: r.attack.describe(scale),
      columns: ["server", "setup", ...r.attack.columns(scale), "other CPU %"],
      rows: r.rows,
      notes: r.notes,
    }])),
  };
  Deno.writeTextFileSync(`${RESULTS}chaos-latest.json`, JSON.stringify(json, null, 2) + "\n");
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const opts = options(Deno.args);
  for (const tool of ["wrk", "python3", "nginx"]) {
    if (!await hasCommand(tool)) progress(`${tool} is not installed: attacks that need it fail`);
  }
  const pins = await pin();
  const facts = await gatherFacts(opts.scale, pins.note);
  const peers: Peer[] = [];
  for (const peer of PEERS.filter((p) => opts.servers.includes(p.name))) {
    const why = await peer.unavailable();
    if (why === null) peers.push(peer);
    else {
      facts.skipped[peer.name] = why;
      progress(`skipping ${peer.name}: ${why}`);
    }
  }
  console.log(header(facts));
  const ctx: AttackContext = {
    scale: opts.scale,
    start: (peer, need) => ServerProcess.start(peer, need, pins.server),
    progress,
  };
  const results: AttackResult[] = [];
  for (const name of opts.attacks) {
    const attack = ATTACKS[name];
    const result: AttackResult = { attack, rows: [], notes: [] };
    results.push(result);
    for (const peer of peers) {
      progress(`${attack.name}: ${peer.name}`);
      const code = await codeVersion();
      const load = otherLoad();
      const { rows, note } = await runOne(attack, peer, ctx);
      const other = load.stop();
      for (const row of rows) {
        const full: ResultRow = {
          ...row,
          server: peer.name,
          otherCpuPercent: other.percent,
          otherTop: other.top,
          code,
        };
        result.rows.push(full);
        progress(
          `${attack.name} ${peer.name}${row.variant ? ` (${row.variant})` : ""}: ${
            row.cells.join(" | ")
          } | other CPU ${other.percent.toFixed(0)}%`,
        );
      }
      if (note !== null) result.notes.push(note);
      write(facts, opts.scale, results, false);
    }
    console.log(section(ORDER.indexOf(name) + 1, result, opts.scale, facts.commit));
  }
  facts.commitAtEnd = await codeVersion();
  facts.elapsedSeconds = (performance.now() - t0) / 1000;
  write(facts, opts.scale, results, true);
  console.log(footer(facts));
  progress(`wrote ${RESULTS}chaos-latest.md and chaos-latest.json`);
}

await runStoppingChildren(main, cleanUp, progress);
