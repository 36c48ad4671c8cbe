/**
 * The layering of src/ as policy (as Go's go/build/deps_test.go states its
 * own): each folder is a layer, and a module imports only from its own layer
 * and the layers below it. No import cycle anywhere, no module outside a
 * layer, and the published library (mod.ts) never reaches the program.
 */

import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The layers, lowest first. */
const LAYERS = [
  "protocol", // pure bytes and rules: no sockets, no clocks but the date cache
  "app", // what handlers see: request, response, router
  "io", // the socket's read and write sides, deadlines
  "server", // server, connection and its parts, pool, metrics, logging
  "handlers", // static files, health, metrics
  "fetch", // the fetch adapter and serve()
  "program", // main, settings, the demo app, threads: not part of the library
] as const;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** A module and the local modules it imports, as paths relative to the repository. */
type Graph = ReadonlyMap<string, readonly string[]>;

const IMPORT = new RegExp(
  [
    /(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s*"(\.{1,2}\/[^"]+)"/.source,
    /(?:^|\n)\s*import\s*"(\.{1,2}\/[^"]+)"/.source,
    /import\(\s*"(\.{1,2}\/[^"]+)"\s*\)/.source,
  ].join("|"),
  "g",
);

/** The local imports of one source text (comments with example imports are skipped). */
function importsOf(file: string, text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const out: string[] = [];
  for (const m of code.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3]!;
    out.push(relative(ROOT, resolve(dirname(join(ROOT, file)), spec)));
  }
  return out;
}

async function graphOf(files: readonly string[]): Promise<Graph> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    graph.set(file, importsOf(file, await Deno.readTextFile(join(ROOT, file))));
  }
  return graph;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(join(ROOT, dir))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await sourceFiles(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

/** The layer of a src/ path, or null when it is in none. */
function layerOf(path: string): number | null {
  const m = /^src\/([a-z_]+)\/[^/]+\.ts$/.exec(path);
  if (m === null) return null;
  const i = (LAYERS as readonly string[]).indexOf(m[1]!);
  return i === -1 ? null : i;
}

/** Every breach of the policy in `graph`, one line each. */
function violations(graph: Graph): string[] {
  const out: string[] = [];
  for (const [file, imports] of graph) {
    if (file === "mod.ts") {
      for (const to of imports) {
        if (layerOf(to) === LAYERS.indexOf("program")) {
          out.push(`mod.ts exports the program: ${to}`);
        }
      }
      continue;
    }
    const from = layerOf(file);
    if (from === null) {
      out.push(`${file} is in no layer`);
      continue;
    }
    for (const to of imports) {
      const layer = layerOf(to);
      if (layer === null) out.push(`${file} imports ${to}, which is in no layer`);
      else if (layer > from) {
        out.push(`${file} (${LAYERS[from]}) imports upward: ${to} (${LAYERS[layer]})`);
      }
    }
  }
  return [...out, ...cycles(graph)];
}

/** One line per import cycle found by a depth-first walk. */
function cycles(graph: Graph): string[] {
  const out: string[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    stack.push(file);
    for (const to of graph.get(file) ?? []) {
      if (state.get(to) === "open") {
        out.push(`import cycle: ${[...stack.slice(stack.indexOf(to)), to].join(" → ")}`);
      } else if (!state.has(to)) visit(to);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return out;
}

const files = ["mod.ts", ...await sourceFiles("src")];
const graph = await graphOf(files);

Deno.test("every module of src/ is in a layer folder and imports only its own layer and those below", () => {
  assert.deepEqual(violations(graph), []);
});

Deno.test("every layer exists and holds modules", () => {
  for (const layer of LAYERS) {
    assert.ok(files.some((f) => f.startsWith(`src/${layer}/`)), `src/${layer}/ is empty`);
  }
});

Deno.test("the layering check sees the imports it polices", () => {
  // Guards the regex: a graph without edges would pass the policy vacuously.
  assert.ok(graph.get("src/server/head_reader.ts")!.includes("src/protocol/head_parser.ts"));
  assert.ok(graph.get("src/program/main.ts")!.length > 0);
  assert.ok(graph.get("mod.ts")!.includes("src/fetch/serve.ts"));
  assert.deepEqual(
    importsOf(
      "src/x/a.ts",
      '/** import { x } from "./nope.ts"; */\nexport { y } from "../b/c.ts";',
    ),
    ["src/b/c.ts"],
  );
});

Deno.test("a planted wrong-way import, cycle, stray module or program export is caught", () => {
  const planted = new Map(graph);
  planted.set("src/protocol/chars.ts", ["src/server/pool.ts"]);
  planted.set("src/io/reader.ts", ["src/io/deadlines.ts"]);
  planted.set("src/io/deadlines.ts", ["src/io/reader.ts"]);
  planted.set("src/stray.ts", []);
  planted.set("mod.ts", [...graph.get("mod.ts")!, "src/program/settings.ts"]);
  const found = violations(planted);
  assert.ok(found.some((v) => v.startsWith("src/protocol/chars.ts (protocol) imports upward")));
  assert.ok(found.some((v) => v.startsWith("import cycle: src/io/")), found.join("\n"));
  assert.ok(found.includes("src/stray.ts is in no layer"));
  assert.ok(found.includes("mod.ts exports the program: src/program/settings.ts"));
});
