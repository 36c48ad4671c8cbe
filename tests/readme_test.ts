/**
 * The README tells the truth about what the code does: the settings table is
 * the one config.ts defines, and the quick start has exactly two commands.
 */

import assert from "node:assert/strict";
import { flagOf, SETTINGS } from "../src/program/settings.ts";

const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));

Deno.test("README lists every setting with its flag and its real default", () => {
  for (const s of SETTINGS) {
    const row = readme.split("\n").find((l) => l.startsWith(`| \`${s.env}\``));
    assert.ok(row !== undefined, `no README row for ${s.env}`);
    assert.ok(row.includes(`\`${flagOf(s)}\``), `${s.env}: flag`);
    const d = s.default;
    const shown = s.kind === "duration"
      ? `${Number(d) / 1000} s`
      : s.kind === "bytes"
      ? (Number(d) >= 1024 * 1024 ? `${Number(d) / 1024 / 1024} MiB` : `${Number(d) / 1024} KiB`)
      : d === ""
      ? "(shipped www/)"
      : String(d);
    assert.ok(row.includes(`| ${shown} `), `${s.env}: default ${shown} not in "${row}"`);
    assert.ok(row.includes(s.doc), `${s.env}: the reason differs from config.ts`);
  }
});

Deno.test("README's settings table lists no setting that does not exist", () => {
  const envs = new Set(SETTINGS.map((s) => s.env));
  const start = readme.indexOf("| env var ");
  const rows = readme.slice(start).split("\n\n")[0]!.split("\n").slice(2);
  assert.ok(rows.length > 0);
  for (const row of rows) {
    const env = /^\| `([A-Z_]+)`/.exec(row)?.[1];
    assert.ok(env !== undefined && envs.has(env), `README row for an unknown setting: ${row}`);
  }
  assert.equal(rows.length, SETTINGS.length);
});

Deno.test("README quick start has exactly two commands, start and test", () => {
  const start = readme.indexOf("## Quick start");
  const block = readme.slice(start).split("```sh\n")[1]!.split("```")[0]!;
  const commands = block.trim().split("\n").map((l) => l.replace(/\s+#.*$/, ""));
  assert.deepEqual(commands, ["npx -y deno@2.9.6 task start", "npx -y deno@2.9.6 task test"]);
});

Deno.test("README's test command is the one .ci/run runs", async () => {
  const ci = await Deno.readTextFile(new URL("../.ci/run", import.meta.url));
  assert.match(ci, /DENO=\(npx -y deno@2\.9\.6\)/);
  assert.match(ci, /"\$\{DENO\[@\]\}" task test/);
});
