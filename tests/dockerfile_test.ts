/**
 * The container, checked without a Docker engine (none runs on these
 * machines): the Dockerfile's rules, and its exact CMD and HEALTHCHECK
 * commands run here as the container would run them.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const dockerfile = await Deno.readTextFile(`${ROOT}/Dockerfile`);

/** Instructions with continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, " ")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l !== "" && !l.startsWith("#"));

function instruction(name: string): string[] {
  return instructions.filter((l) => l.startsWith(name + " ")).map((l) => l.slice(name.length + 1));
}

/** The JSON array of an exec-form instruction (throws for shell form). */
function execForm(value: string): string[] {
  const json = value.slice(value.indexOf("["));
  const parsed = JSON.parse(json);
  assert.ok(Array.isArray(parsed), `not exec form: ${value}`);
  return parsed;
}

Deno.test("Dockerfile pins the Deno image to the version CI uses", async () => {
  const ci = await Deno.readTextFile(`${ROOT}/.ci/run`);
  const version = /deno@(\d+\.\d+\.\d+)/.exec(ci)![1];
  assert.deepEqual(instruction("FROM"), [`denoland/deno:${version}`]);
});

Deno.test("Dockerfile runs as the non-root deno user, with exec-form CMD and HEALTHCHECK", () => {
  const users = instruction("USER");
  assert.equal(users.at(-1), "deno");
  const cmd = execForm(instruction("CMD").at(-1)!);
  assert.equal(cmd[0], "run");
  const health = instruction("HEALTHCHECK").at(-1)!;
  assert.match(health, /^--interval=\d+s --timeout=\d+s .*CMD \[/);
  assert.equal(execForm(health)[0], "deno");
  assert.ok(!/curl|wget/.test(health), "the probe must not need curl or wget");
});

Deno.test("Dockerfile caches dependencies from the lock file before copying the code", () => {
  const copyLock = instructions.findIndex((l) => /^COPY .*deno\.lock/.test(l));
  const install = instructions.findIndex((l) => /^RUN deno install --frozen/.test(l));
  const copySrc = instructions.findIndex((l) => /^COPY .*src\//.test(l));
  assert.ok(copyLock !== -1 && copyLock < install && install < copySrc);
});

Deno.test(".dockerignore keeps tests and git out and lets the app in", async () => {
  const ignored = (await Deno.readTextFile(`${ROOT}/.dockerignore`)).split("\n").map((l) =>
    l.trim()
  );
  for (const out of [".git", "tests"]) assert.ok(ignored.includes(out), out);
  for (const kept of ["src", "www", "deno.json", "deno.lock", "mod.ts"]) {
    assert.ok(!ignored.includes(kept), kept);
  }
});

Deno.test("the image's CMD serves, and its HEALTHCHECK command passes against it", async () => {
  // As the container runs them: the entrypoint prefixes "deno"; /app is the repo here.
  const cmd = execForm(instruction("CMD").at(-1)!).map((a) => a.replace("/app", ROOT));
  const server = new Deno.Command(Deno.execPath(), {
    args: cmd,
    cwd: ROOT,
    env: { HOST: "127.0.0.1", PORT: "0", LOG_FORMAT: "json" },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  try {
    const lines = server.stdout.pipeThrough(new TextDecoderStream()).values();
    let port = 0;
    let buffered = "";
    while (port === 0) {
      const { value, done } = await lines.next();
      assert.ok(!done, "server exited before listening");
      buffered += value;
      const line = buffered.split("\n").find((l) => l.includes("listening on"));
      if (line !== undefined) port = Number(/:(\d+)\//.exec(JSON.parse(line).properties.url)![1]);
    }
    const health = execForm(instruction("HEALTHCHECK").at(-1)!);
    const probe = await new Deno.Command(Deno.execPath(), {
      args: health.slice(1),
      cwd: ROOT,
      env: { PORT: String(port) },
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(probe.code, 0, new TextDecoder().decode(probe.stderr));
    server.kill("SIGTERM");
    assert.equal((await server.status).code, 0);
    await lines.return?.();
  } finally {
    try {
      server.kill("SIGKILL");
    } catch { /* exited */ }
    await server.status;
  }
});

const TEST_ONLY = ["fast-check", "hono", "ws", "kubernetes-models", "yaml"];

Deno.test("the image installs from its own deno.json, without the tests' packages", async () => {
  const copy = instructions.find((l) => /^COPY .*deno\.lock/.test(l))!;
  assert.match(copy, /deploy\/image\/deno\.json deploy\/image\/deno\.lock \.\/$/);
  const root = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  const image = JSON.parse(await Deno.readTextFile(`${ROOT}/deploy/image/deno.json`));
  for (const [name, target] of Object.entries(image.imports)) {
    assert.equal(root.imports[name], target, `${name}: the root's version`);
  }
  for (const name of TEST_ONLY) assert.ok(!(name in image.imports), name);
  assert.deepEqual(image.unstable, root.unstable);
  assert.equal(image.lock.frozen, true);
  const ignored = (await Deno.readTextFile(`${ROOT}/.dockerignore`)).split("\n");
  assert.ok(!ignored.some((l) => /^deploy(\/image)?\/?$/.test(l.trim())), "deploy/image is sent");
});

Deno.test("deploy/image/deno.json and deno.lock are up to date (deno task image:config)", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-run",
      "--allow-env",
      "deploy/image/make_config.ts",
      "--check",
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
});

Deno.test("the image's RUN steps, in a fresh Deno cache, cache only the runtime packages", async () => {
  // /app as the Dockerfile lays it out, and an empty DENO_DIR as in the base image.
  const app = await Deno.makeTempDir();
  const denoDir = await Deno.makeTempDir();
  const run = async (args: string[], env: Record<string, string> = {}) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args,
      cwd: app,
      env: { DENO_DIR: denoDir, NO_COLOR: "1", ...env },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, `deno ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  };
  try {
    await Deno.copyFile(`${ROOT}/deploy/image/deno.json`, `${app}/deno.json`);
    await Deno.copyFile(`${ROOT}/deploy/image/deno.lock`, `${app}/deno.lock`);
    for (const step of instruction("RUN").filter((r) => r.startsWith("deno install"))) {
      await run(step.split(/\s+/).slice(1));
    }
    await Deno.copyFile(`${ROOT}/mod.ts`, `${app}/mod.ts`);
    await copyDir(`${ROOT}/src`, `${app}/src`);
    await copyDir(`${ROOT}/www`, `${app}/www`);
    for (const step of instruction("RUN").filter((r) => r.startsWith("deno cache"))) {
      await run(step.split(/\s+/).slice(1));
    }
    const cached: string[] = [];
    for await (const e of Deno.readDir(`${denoDir}/npm/registry.npmjs.org`)) cached.push(e.name);
    for (const name of TEST_ONLY) assert.ok(!cached.includes(name), `${name} is in the image`);
    // The CMD, --cached-only, loads the whole program from that cache (then
    // --version exits).
    const cmd = execForm(instruction("CMD").at(-1)!).map((a) => a.replace("/app", app));
    await run([...cmd, "--version"]);
  } finally {
    await Deno.remove(app, { recursive: true });
    await Deno.remove(denoDir, { recursive: true });
  }
});

async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyDir(`${from}/${e.name}`, `${to}/${e.name}`);
    else if (e.isFile) await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}
