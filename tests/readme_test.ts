/**
 * The docs tell the truth about what the code does: docs/configuration.md's
 * settings table is the one settings.ts defines (flag, default, library option
 * and reason of each setting), the README's compact table names every setting
 * with its flag and default, the quick start has exactly two commands, and
 * every relative link in the README and docs/ leads to a file and heading that
 * exist.
 */

import assert from "node:assert/strict";
import { flagOf, type Setting, SETTINGS } from "../src/program/settings.ts";
import { LIMITS } from "../src/protocol/limits.ts";

const ROOT = new URL("../", import.meta.url);
const read = (path: string) => Deno.readTextFile(new URL(path, ROOT));

const readme = await read("README.md");
const configuration = await read("docs/configuration.md");

/** A setting's default as the tables show it: `5 s`, `16 KiB`, `1 MiB`, `10000`. */
function shownDefault(s: Setting): string {
  const d = s.default;
  if (s.kind === "duration") return `${Number(d) / 1000} s`;
  if (s.kind === "bytes") {
    return Number(d) >= 1024 * 1024 ? `${Number(d) / 1024 / 1024} MiB` : `${Number(d) / 1024} KiB`;
  }
  if (d === "") return s.key === "wwwDir" ? "(shipped www/)" : "(none)";
  return String(d);
}

/** The `Server.listen` option that takes a setting's limit, or "(program)" for a program-only one. */
function optionOf(s: Setting): string {
  if (s.key === "host") return "`hostname`";
  if (s.key === "port") return "`port`";
  return s.key in LIMITS ? `\`${s.key}\`` : "(program)";
}

/** The body rows of the settings table in `doc`: the table whose header starts with "| env var ". */
function settingsRows(doc: string): string[] {
  const start = doc.indexOf("| env var ");
  assert.ok(start !== -1, "no settings table");
  return doc.slice(start).split("\n\n")[0]!.split("\n").slice(2);
}

/** cells of a table row, trimmed: "| a | b |" → ["a", "b"]. */
function cells(row: string): string[] {
  return row.split("|").slice(1, -1).map((c) => c.trim());
}

function rowOf(rows: readonly string[], s: Setting): string[] {
  const row = rows.find((l) => l.startsWith(`| \`${s.env}\``));
  assert.ok(row !== undefined, `no row for ${s.env}`);
  return cells(row);
}

const TABLES = [
  { name: "docs/configuration.md", doc: configuration, full: true },
  { name: "README.md", doc: readme, full: false },
] as const;

for (const { name, doc, full } of TABLES) {
  const what = full ? "flag, real default, option and reason" : "flag and real default";
  Deno.test(`${name} lists every setting with its ${what}`, () => {
    const rows = settingsRows(doc);
    for (const s of SETTINGS) {
      const [, flag, shown, ...rest] = rowOf(rows, s);
      assert.equal(flag, `\`${flagOf(s)}\``, `${s.env}: flag`);
      assert.equal(shown, shownDefault(s), `${s.env}: default`);
      if (!full) continue;
      const [option, reason] = rest;
      assert.equal(option, optionOf(s), `${s.env}: library option`);
      assert.equal(reason, s.doc, `${s.env}: the reason differs from the code's`);
    }
  });

  Deno.test(`${name}'s settings table lists no setting that does not exist`, () => {
    const envs = new Set(SETTINGS.map((s) => s.env));
    const rows = settingsRows(doc);
    for (const row of rows) {
      const env = /^\| `([A-Z_]+)`/.exec(row)?.[1];
      assert.ok(env !== undefined && envs.has(env), `${name} row for an unknown setting: ${row}`);
    }
    assert.equal(rows.length, SETTINGS.length);
  });
}

Deno.test("README quick start has exactly two commands, start and test", () => {
  const start = readme.indexOf("## Quick start");
  const block = readme.slice(start).split("```sh\n")[1]!.split("```")[0]!;
  const commands = block.trim().split("\n").map((l) => l.replace(/\s+#.*$/, ""));
  assert.deepEqual(commands, ["npx -y deno@2.9.6 task start", "npx -y deno@2.9.6 task test"]);
});

Deno.test("README's test command is the one .ci/run runs", async () => {
  const ci = await read(".ci/run");
  assert.match(ci, /DENO=\(npx -y deno@2\.9\.6\)/);
  assert.match(ci, /"\$\{DENO\[@\]\}" task test/);
});

/** Markdown without its fenced code blocks (a link-like text in code is not a link). */
function prose(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");
}

/** The anchors of `markdown`'s headings, as GitHub makes them ("## The `/health` route" → "the-health-route"). */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const [, title] of prose(markdown).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = title!.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replaceAll(" ", "-");
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

Deno.test("anchorsOf() names headings as GitHub does", () => {
  const anchors = anchorsOf(
    "# A\n## What is refused, and how\n### `/health` and `/metrics`\n## A\n",
  );
  assert.deepEqual([...anchors], ["a", "what-is-refused-and-how", "health-and-metrics", "a-1"]);
});

Deno.test("every relative link in the README and docs/ leads to a file and heading that exist", async () => {
  const docs = ["README.md"];
  for await (const entry of Deno.readDir(new URL("docs/", ROOT))) {
    if (entry.isFile && entry.name.endsWith(".md")) docs.push(`docs/${entry.name}`);
  }
  let checked = 0;
  for (const doc of docs) {
    const text = await read(doc);
    for (const [, target] of prose(text).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue; // https:, mailto:
      const [path, anchor] = target!.split("#") as [string, string | undefined];
      const file = path === "" ? new URL(doc, ROOT) : new URL(path, new URL(doc, ROOT));
      const where = `${doc}: (${target})`;
      const info = await Deno.stat(file).catch(() => null);
      assert.ok(info !== null, `${where}: no such file`);
      if (anchor !== undefined) {
        assert.ok(info.isFile && file.pathname.endsWith(".md"), `${where}: an anchor needs a page`);
        assert.ok(
          anchorsOf(await Deno.readTextFile(file)).has(anchor),
          `${where}: no such heading`,
        );
      }
      checked++;
    }
  }
  assert.ok(checked > 20, `only ${checked} links found: is the pattern still right?`);
});

/** Every `.ts` file below `dir` (relative to the repository), sorted. */
async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(new URL(`${dir}/`, ROOT))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await sourceFiles(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

Deno.test("docs/architecture.md lists every file of src/, and no file that is gone", async () => {
  const doc = await read("docs/architecture.md");
  const files = doc.slice(doc.indexOf("\n## Files\n"));
  const listed: string[] = [];
  // Each "### `src/<folder>/`" heading is followed by a table whose first cells name its files.
  for (
    const [, folder, table] of files.matchAll(/^### `(src\/[a-z_]+\/)`\n\n([\s\S]*?)(?=\n\n)/gm)
  ) {
    for (const [, file] of table!.matchAll(/^\| `([a-z0-9_]+\.ts)`/gm)) {
      listed.push(folder! + file!);
    }
  }
  assert.deepEqual(listed.slice().sort(), await sourceFiles("src"));
});
