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
