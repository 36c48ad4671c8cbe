/**
 * The chaos report: a header of facts, then one table per attack with a row
 * per server, in markdown.
 *
 * @module
 */

import type { Attack, Row } from "./attack.ts";
import { fixed } from "./attack.ts";
import type { Facts } from "./facts.ts";
import type { Scale } from "./scale.ts";

/** One server's row in an attack's table, as run.ts collected it. */
export interface ResultRow extends Row {
  readonly server: string;
  /** CPU that processes outside the benchmark used meanwhile, % of one core. */
  readonly otherCpuPercent: number;
  readonly otherTop: readonly string[];
  /** The code version when the row's server started (see codeVersion in facts.ts). */
  readonly code: string;
}

/** An attack's rows, and the notes under its table. */
export interface AttackResult {
  readonly attack: Attack;
  readonly rows: ResultRow[];
  readonly notes: string[];
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escape).join(" | ")} |`;
  const align = header.map((_, i) => (i < 2 ? "---" : "--:"));
  return [line(header), line(align), ...rows.map(line)].join("\n");
}

function escape(cell: string): string {
  return cell.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** The title and the facts. */
export function header(facts: Facts): string {
  const v = facts.versions;
  return [
    `# rawhttp chaos benchmark${facts.scale === "quick" ? " (--quick)" : ""}`,
    [
      `- command: \`${facts.command}\``,
      `- date: ${facts.date}`,
      `- machine: ${facts.cores} cores (${facts.cpuModel}), Linux ${facts.kernel}`,
      `- versions: deno ${v.deno}, node ${v.node}, nginx ${v.nginx}, bun ${v.bun}, ` +
      `wrk ${v.wrk}, python ${v.python3}`,
      facts.commitAtEnd === "" || facts.commitAtEnd === facts.commit
        ? `- code: ${facts.commit}`
        : `- code: ${facts.commit} at the start, ${facts.commitAtEnd} at the end: **the code ` +
          "changed during the run**; a row whose server ran other code says so under its setup",
      `- pinning: ${facts.pinning}`,
      `- load average at the start (1, 5, 15 min): ${facts.loadAverage}`,
      "- every server runs alone, a fresh process per attack, on 127.0.0.1; RSS is VmRSS " +
      'from /proc/PID/status (nginx: master + worker). "other CPU %" is what processes ' +
      "outside this benchmark used while the row ran (% of one core): above ~10 the " +
      "machine was shared and latencies are skewed.",
    ].join("\n"),
  ].join("\n\n") + "\n";
}

/** One attack's section. */
export function section(
  number: number,
  result: AttackResult,
  scale: Scale,
  startCode: string,
): string {
  const { attack, rows, notes } = result;
  const parts = [`## ${number}. ${attack.title}`, attack.describe(scale)];
  const columns = attack.columns(scale);
  parts.push(table(
    ["server", "setup", ...columns, "other CPU %"],
    rows.map((r) => [
      r.variant === undefined ? r.server : `${r.server} (${r.variant})`,
      r.code === startCode || r.setup === "" ? r.setup : `${r.setup} (code ${r.code})`,
      ...r.cells,
      ...Array(Math.max(0, columns.length - r.cells.length)).fill(""),
      fixed(r.otherCpuPercent),
    ]),
  ));
  if (notes.length > 0) parts.push(notes.map((n) => `- ${n}`).join("\n"));
  return parts.join("\n\n") + "\n";
}

/** The closing lines: skipped servers and the wall time. */
export function footer(facts: Facts): string {
  const skipped = Object.entries(facts.skipped).map(([name, why]) => `- ${name}: ${why}`);
  const parts: string[] = [];
  if (skipped.length > 0) parts.push(`Skipped:\n\n${skipped.join("\n")}`);
  parts.push(`The whole run took ${fixed(facts.elapsedSeconds)} s.`);
  return parts.join("\n\n") + "\n";
}
