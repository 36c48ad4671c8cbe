/**
 * The load benchmark's results as a markdown report (the data is in
 * `report_data.ts`).
 *
 * @module
 */

import type { IdleResult, LoadSummary, Ratio, RunFacts, ScalingSummary } from "./report_data.ts";

function fixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : "–";
}

function mib(kib: number): string {
  return fixed(kib / 1024, 1);
}

/** The columns every load table has, in this order: see {@link measureCells}. */
const MEASURE_COLUMNS = [
  "req/s",
  "req/s min–max",
  "p50 ms",
  "p99 ms",
  "CPU µs/req",
  "user µs/req",
  "server CPU %",
] as const;

/** A load or scaling row's cells under {@link MEASURE_COLUMNS}. */
function measureCells(
  r: Pick<
    LoadSummary,
    | "requestsPerSecond"
    | "requestsPerSecondMin"
    | "requestsPerSecondMax"
    | "p50Ms"
    | "p99Ms"
    | "cpuMicrosPerRequest"
    | "userMicrosPerRequest"
    | "cpuPercent"
  >,
): string[] {
  return [
    fixed(r.requestsPerSecond, 0),
    `${fixed(r.requestsPerSecondMin, 0)}–${fixed(r.requestsPerSecondMax, 0)}`,
    fixed(r.p50Ms, 2),
    fixed(r.p99Ms, 2),
    fixed(r.cpuMicrosPerRequest, 1),
    fixed(r.userMicrosPerRequest, 1),
    fixed(r.cpuPercent, 0),
  ];
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  const align = header.map((_, i) => (i < 2 ? "---" : "--:"));
  return [line(header), line(align), ...rows.map(line)].join("\n");
}

/** The title, command, machine facts and wrk commands: known before the first run. */
export function header(facts: RunFacts): string {
  const parts: string[] = [];
  parts.push("# rawhttp benchmark");
  parts.push(
    [
      `- command: \`${facts.command}\``,
      `- date: ${facts.date}`,
      `- machine: ${facts.nproc} CPUs (${facts.cpuModel}), Linux ${facts.kernel}`,
      `- versions: deno ${facts.deno}, node ${facts.node}, ${facts.wrk}`,
      `- code: ${facts.code}`,
      `- pinning: ${facts.pinning}`,
      `- load average at start (1, 5, 15 min): ${facts.loadAverage}; other processes used ` +
      `${facts.otherCpuAtStart}% of a core in the second before the run` +
      (facts.otherCpuAtStart > 10 ? " (**the machine was busy: figures are skewed**)" : ""),
      `- each load figure is the median of ${facts.rounds} round(s) of ${facts.durationSeconds} s; ` +
      "servers take turns within a round; all on 127.0.0.1",
    ].join("\n"),
  );
  if (Object.keys(facts.wrkCommands).length > 0) {
    parts.push(
      "wrk commands (PORT is each server's):\n\n" +
        Object.entries(facts.wrkCommands).map(([s, c]) => `- ${s}: \`${c}\``).join("\n"),
    );
  }
  return parts.join("\n\n") + "\n";
}

/** The "Multi-core scaling" heading, text, table and scaling lines. */
function scalingSection(nproc: number, rows: readonly ScalingSummary[]): string[] {
  const parts: string[] = [];
  parts.push("## Multi-core scaling");
  parts.push(
    "rawhttp's own program (src/program/main.ts: the demo app with its default settings, log level " +
      "warning, so a connection closes after 1000 requests and wrk reconnects) with `--workers N`, " +
      `N = 1 to this machine's ${nproc} CPU(s), answering \`GET /api/hello\` (a small JSON ` +
      "body) on keep-alive connections; Deno.serve (one thread; the bench server's `GET /`, a " +
      "14-byte body) for reference. Nothing is pinned in this scenario: the server may use " +
      "every core, but wrk runs on the same cores with as many threads as there are CPUs, so " +
      "the load generator competes with the server for them. On a machine with few cores req/s " +
      "therefore understates what the server could do alone, and N listeners cannot reach N×. " +
      "CPU µs/req is the whole server process's user+system time (every thread) per response: " +
      "what a request costs with N listeners; server CPU % can reach N × 100. Cores busy % is " +
      "each core's busy time over the run, whoever used it (server, wrk, kernel, others). " +
      "Each run starts a fresh server process and warms it with a 1 s wrk run first.",
  );
  parts.push(table(
    [
      "server",
      "path",
      "listeners",
      ...MEASURE_COLUMNS,
      "cores busy %",
      "other CPU %",
      "errors",
    ],
    rows.map((r) => [
      r.server,
      r.path,
      String(r.listeners),
      ...measureCells(r),
      r.coreBusyPercent.map((p) => fixed(p, 0)).join("/"),
      fixed(r.otherCpuPercent, 0),
      String(r.errors),
    ]),
  ));
  const scaled = rows.filter((r) => r.speedup !== undefined && r.listeners > 1);
  parts.push(
    scaled.length > 0
      ? scaled.map((r) =>
        `- scaling: ${r.listeners} listeners = ${fixed(r.speedup!, 2)}× the req/s of 1`
      ).join("\n")
      : `- scaling: not measured (${nproc} CPU, or a rawhttp run failed)`,
  );
  const errors = rows.filter((r) => r.errors > 0);
  if (errors.length > 0) {
    parts.push(
      "Errors (wrk's socket errors and non-2xx responses):\n\n" +
        errors.map((r) => `- ${r.server}: ${r.errorDetail}`).join("\n"),
    );
  }
  return parts;
}

/** The result tables. */
export function results(
  facts: RunFacts,
  load: readonly LoadSummary[],
  ratios: readonly Ratio[],
  scaling: readonly ScalingSummary[],
  idle: readonly IdleResult[],
): string {
  const parts: string[] = [];
  if (load.length > 0) {
    parts.push("## Load");
    parts.push(
      "CPU µs/req is the server process's user+system time over the run divided by the " +
        "responses wrk completed, and user µs/req its user-space part (the rest is kernel " +
        "time: TCP and syscalls); server CPU % is that time over the run's wall time (100 = " +
        "one core busy: the server was the bottleneck; well below: wrk or other load on the " +
        "machine limited it, so compare CPU µs/req rather than req/s). Other CPU % is the " +
        "most that processes other than the server, wrk and run.ts used in any round (% of " +
        "one core); a run where it exceeds 10% is repeated up to twice (at most 10 repeats " +
        "per benchmark) and the quietest attempt kept, so a high figure here means the " +
        "machine stayed busy and that row is unreliable. RSS is the server's " +
        "VmRSS after the run. With pipelining, " +
        "wrk's latency is per batch of 16, and wrk sometimes prints 0 for a percentile " +
        "(wg/wrk#236): such rounds are left out of the median, and – means all were.",
    );
    parts.push(table(
      [
        "scenario",
        "server",
        ...MEASURE_COLUMNS,
        "other CPU %",
        "RSS MiB",
        "errors",
      ],
      load.map((r) => [
        r.scenario,
        r.server,
        ...measureCells(r),
        fixed(r.otherCpuPercent, 0),
        fixed(r.rssMiB, 1),
        String(r.errors),
      ]),
    ));
    const errors = load.filter((r) => r.errors > 0);
    if (errors.length > 0) {
      parts.push(
        "Errors (wrk's socket errors and non-2xx responses):\n\n" +
          errors.map((r) => `- ${r.scenario}, ${r.server}: ${r.errorDetail}`).join("\n"),
      );
    }
  }
  if (ratios.length > 0) {
    parts.push("## Ratios");
    parts.push(
      "req/s ratio above 1 means the first server is faster; CPU/req ratio above 1 means it " +
        "spends more CPU per request.",
    );
    parts.push(table(
      ["scenario", "pair", "req/s ratio", "CPU/req ratio"],
      ratios.map((r) => [
        r.scenario,
        r.pair,
        fixed(r.requestsPerSecond, 2),
        fixed(r.cpuPerRequest, 2),
      ]),
    ));
  }
  if (scaling.length > 0) parts.push(...scalingSection(facts.nproc, scaling));
  if (idle.length > 0) {
    const n = idle[0]!.connections + idle[0]!.failed;
    parts.push(`## ${n.toLocaleString("en-US")} idle keep-alive connections`);
    parts.push(
      "A fresh server process; RSS before the client connects, with every connection open " +
        "(each has served one GET), and after the client closed them all. KiB/conn = " +
        "(open − before) / connections.",
    );
    parts.push(table(
      ["server", "open / failed", "RSS before MiB", "RSS open MiB", "KiB/conn", "RSS after MiB"],
      idle.map((r) => [
        r.server,
        `${r.connections} / ${r.failed}`,
        mib(r.rssBeforeKiB),
        mib(r.rssOpenKiB),
        fixed(r.kibPerConnection, 1),
        mib(r.rssAfterCloseKiB),
      ]),
    ));
    const notes = idle.filter((r) => r.note !== undefined);
    if (notes.length > 0) parts.push(notes.map((r) => `- ${r.server}: ${r.note}`).join("\n"));
  }
  if (facts.code.includes("changed during the run")) {
    parts.push(`**The code changed during the run**: ${facts.code}.`);
  }
  const skipped = Object.entries(facts.skipped).map(([name, why]) => `- ${name}: ${why}`);
  if (skipped.length > 0) parts.push(`Skipped:\n\n${skipped.join("\n")}`);
  parts.push(
    `The whole run took ${fixed(facts.elapsedSeconds, 0)} s` +
      (facts.retries > 0
        ? `, including ${facts.retries} run(s) repeated because other processes were busy.`
        : "."),
  );
  return parts.join("\n\n") + "\n";
}
