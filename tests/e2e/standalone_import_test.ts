/**
 * `mod.ts` from another project that has no deno.json and no import map: by
 * path and by URL, as a user would import it before it is published.
 */

import assert from "node:assert/strict";
import { join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { firstLine } from "../fixtures/output_lines.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A project outside this repository: a folder with only `main.ts`, which serves and prints its port. */
async function project(modSpecifier: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "rawhttp-user-" });
  await Deno.writeTextFile(
    join(dir, "main.ts"),
    `import { serve } from ${JSON.stringify(modSpecifier)};\n` +
      `const server = serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) =>\n` +
      `  new Response("from a user project " + new URL(req.url).pathname));\n` +
      `console.log(server.addr.port);\n`,
  );
  return dir;
}

/** Runs the project's main.ts, asks it one request, stops it; returns the answer. */
async function runAndAsk(dir: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", "--allow-read", "--allow-import", "main.ts"],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const { line: out, reader } = await firstLine(child.stdout);
  try {
    const port = Number(out.trim());
    assert.ok(port > 0, `the project did not start: ${out}`);
    return await (await fetch(`http://127.0.0.1:${port}/hi`)).text();
  } finally {
    child.kill();
    await reader.cancel();
    const status = await child.status;
    const err = await new Response(child.stderr).text();
    assert.ok(status.signal === "SIGTERM" || status.success, err);
  }
}

Deno.test("mod.ts imported by path from a project with no import map serves", async () => {
  const dir = await project(new URL("../../mod.ts", import.meta.url).href);
  assert.equal(await runAndAsk(dir), "from a user project /hi");
});

Deno.test("mod.ts imported by URL (served over HTTP) from a project with no import map serves", async () => {
  // The repository's files over HTTP, as a Git host or a CDN would give them.
  await using files = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = normalize(join(ROOT, decodeURIComponent(new URL(req.url).pathname)));
    if (!path.startsWith(ROOT) || !path.endsWith(".ts")) return new Response(null, { status: 404 });
    try {
      return new Response(await Deno.readFile(path), {
        headers: { "content-type": "application/typescript" },
      });
    } catch {
      return new Response(null, { status: 404 });
    }
  });
  const dir = await project(`http://127.0.0.1:${files.addr.port}/mod.ts`);
  assert.equal(await runAndAsk(dir), "from a user project /hi");
});

Deno.test("reusePort without --unstable-net (a project with no deno.json) is refused with a TypeError, not an exit", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rawhttp-user-" });
  const mod = new URL("../../mod.ts", import.meta.url).href;
  await Deno.writeTextFile(
    join(dir, "main.ts"),
    `import { serve } from ${JSON.stringify(mod)};\n` +
      `try { serve({ port: 0, reusePort: true, onListen() {} }, () => new Response("")); console.log("listened"); }\n` +
      `catch (e) { console.log(String(e)); }\nDeno.exit(0);\n`,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", "--allow-read", "main.ts"],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(
    new TextDecoder().decode(out.stdout),
    /TypeError: serve\(\): reusePort needs Deno's --unstable-net flag/,
  );
});
