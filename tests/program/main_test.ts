/**
 * The `rawhttp` program as an operator runs it: a real process, real signals,
 * settings from env and flags, logs on stdout, and the container's probe.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { notServing, RawClient } from "../fixtures/harness.ts";
import { OutputLines } from "../fixtures/output_lines.ts";
import { START_FLAGS } from "../fixtures/start_command.ts";
import { runProbe } from "../fixtures/probe.ts";

const MAIN = fileURLToPath(new URL("../../src/program/main.ts", import.meta.url));
/** `deno task start`'s flags: permissions and V8 flags, as users run the program. */
const PERMISSIONS = START_FLAGS;
const SAFETY_LIMIT_MS = 60_000;

/** Runs main.ts to completion, for settings that stop it at start. */
async function runToExit(env: Record<string, string>, args: string[] = []) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, MAIN, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

/** A running server process, with its stdout read line by line. */
class Program implements AsyncDisposable {
  readonly child: Deno.ChildProcess;
  readonly #output: OutputLines;
  port = 0;

  constructor(env: Record<string, string>, args: string[] = []) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...PERMISSIONS, MAIN, "--host", "127.0.0.1", "--port", "0", ...args],
      env,
      stdout: "piped",
      stderr: "null",
    }).spawn();
    this.#output = new OutputLines(this.child.stdout, this.child.status);
    // A safety net, not a synchronisation: a program that never prints what a
    // test waits for is killed, so the test fails instead of hanging CI.
    const guard = setTimeout(() => this.child.kill("SIGKILL"), SAFETY_LIMIT_MS);
    this.child.status.finally(() => clearTimeout(guard));
  }

  /** The log lines so far. */
  get lines(): string[] {
    return this.#output.lines;
  }

  /** Waits for a log line matching `pattern` (throws if the process ends first). */
  line(pattern: RegExp): Promise<string> {
    return this.#output.line(pattern);
  }

  /** Waits for the "listening" line (text or JSON) and returns the bound port. */
  async started(): Promise<number> {
    const line = await this.line(/listening on \S*https?:/);
    this.port = Number(/127\.0\.0\.\d+:(\d+)/.exec(line)![1]);
    return this.port;
  }

  async exit(): Promise<number> {
    const status = await this.child.status;
    await this.#output.done;
    return status.code;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.child.kill("SIGKILL");
    } catch { /* already exited */ }
    await this.exit();
  }
}

for (
  const [env, args, what] of [
    [{ PORT: "abc" }, [], "PORT"],
    [{ PORT: "70000" }, [], "PORT"],
    [{ PORT: "-1" }, [], "PORT"],
    [{ NUM_WORKERS: "0" }, [], "NUM_WORKERS"],
    [{ CLIENT_TIMEOUT: "soon" }, [], "CLIENT_TIMEOUT"],
    [{}, ["--port", "abc"], "--port"],
    [{}, ["--no-such-flag"], "--no-such-flag"],
  ] as Array<[Record<string, string>, string[], string]>
) {
  Deno.test(`main.ts refuses ${JSON.stringify({ ...env, args })} with one line and exit 2`, async () => {
    const { code, stdout, stderr } = await runToExit(env, args);
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.equal(stderr.trimEnd().split("\n").length, 1);
    assert.match(stderr, new RegExp(`^rawhttp: .*${what}`));
  });
}

Deno.test("main.ts --help lists every setting and exits 0", async () => {
  const { code, stdout } = await runToExit({}, ["--help"]);
  assert.equal(code, 0);
  for (const name of ["HOST", "PORT", "NUM_WORKERS", "CLIENT_TIMEOUT", "RECV_BUFFER"]) {
    assert.ok(stdout.includes(name), name);
  }
});

Deno.test("main.ts serves every demo route, logs access lines, and exits 0 on SIGTERM when idle", async () => {
  await using program = new Program({ NUM_WORKERS: "3" });
  const port = await program.started();
  const base = `http://127.0.0.1:${port}`;

  const home = await fetch(`${base}/`);
  assert.equal(home.headers.get("content-type"), "text/plain; charset=utf-8");
  const listing = await home.text();
  for (const route of ["/api/hello", "/about", "/health", "/metrics"]) {
    assert.ok(listing.includes(route), route);
  }
  assert.deepEqual(await (await fetch(`${base}/api/hello`)).json(), {
    message: "Hello, world!",
    method: "GET",
    path: "/api/hello",
    server: "rawhttp",
  });
  const about = await fetch(`${base}/about`);
  assert.equal(about.headers.get("content-type"), "text/html; charset=utf-8");
  assert.match(await about.text(), /<html/i);
  const echo = await fetch(`${base}/api/echo`, { method: "POST", body: "ping" });
  assert.equal(await echo.text(), "ping");
  const health = await (await fetch(`${base}/health`)).json();
  assert.equal(health.status, "ok");
  assert.equal(typeof health.uptime_seconds, "number");
  assert.match(health.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  const missing = await fetch(`${base}/nope`);
  await missing.body?.cancel();
  assert.equal(missing.status, 404);
  const metrics = await (await fetch(`${base}/metrics`)).json();
  assert.equal(metrics.requests_total, 5); // /, hello, about, echo, nope: not /health or /metrics
  assert.deepEqual(metrics.requests_by_status, { "200": 4, "404": 1 });
  assert.equal(metrics.requests_by_path["/health"], undefined);
  assert.equal(metrics.pool.total_workers, 3);

  await program.line(/rawhttp\.access: GET \/api\/hello 200 \d+B [\d.]+ms 127\.0\.0\.1:\d+/);
  program.child.kill("SIGTERM");
  assert.equal(await program.exit(), 0);
  assert.ok(program.lines.some((l) => /SIGTERM received/.test(l)));
  assert.ok(program.lines.some((l) => /stopped after 5 request/.test(l)));
});

/**
 * Sends SIGTERM while a request is in flight (proved by its `100 Continue`),
 * then checks that no listener accepts any more, that the request completes
 * with `Connection: close`, and that the program exits 0.
 */
async function sigtermWithRequestInFlight(program: Program): Promise<void> {
  const port = program.port;
  using client = await RawClient.connect(port);
  await client.write(
    "POST /api/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
  );
  // The interim 100 proves the server has parsed the head and waits for the body.
  assert.equal((await client.response()).status, 100);
  program.child.kill("SIGTERM");
  await program.line(/SIGTERM received/);
  assert.ok(await notServing(port)); // no longer accepting, on any listener
  await client.write("hello");
  const res = await client.response();
  assert.equal(res.status, 200);
  assert.equal(res.body, "hello");
  assert.equal(res.headers.get("connection"), "close");
  assert.ok(await client.closedByServer());
  assert.equal(client.wasReset, false, "a clean close, not a reset");
  assert.equal(await program.exit(), 0);
}

Deno.test("main.ts on SIGTERM finishes the request in flight, then exits 0", async () => {
  await using program = new Program({});
  await program.started();
  await sigtermWithRequestInFlight(program);
});

Deno.test("main.ts --listeners 2: two listeners on one port, one /metrics, SIGTERM drains both", async () => {
  await using program = new Program({}, ["--listeners", "2"]);
  const port = await program.started();
  assert.match(program.lines.find((l) => l.includes("listening on"))!, /2 listener\(s\)/);
  const base = `http://127.0.0.1:${port}`;
  assert.equal((await (await fetch(`${base}/api/hello`)).json()).path, "/api/hello");
  const metrics = await (await fetch(`${base}/metrics`)).json();
  assert.equal(metrics.listeners.length, 2);
  assert.equal(metrics.requests_total, 1);

  // A request in flight on whichever listener took it finishes after SIGTERM.
  await sigtermWithRequestInFlight(program);
  assert.ok(program.lines.some((l) => /stopped after 2 request/.test(l)));
});

Deno.test("main.ts --workers 2 (the former name of --listeners) exits 1 with a fatal line when the port is taken", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  await using program = new Program({}, ["--workers", "2", "--port", String(taken.addr.port)]);
  assert.equal(await program.exit(), 1);
  assert.ok(program.lines.some((l) => /cannot listen on 127\.0\.0\.1:\d+/.test(l)));
});

Deno.test("main.ts exits 0 on SIGINT too", async () => {
  await using program = new Program({});
  await program.started();
  program.child.kill("SIGINT");
  assert.equal(await program.exit(), 0);
});

Deno.test("main.ts with LOG_FORMAT=json writes one JSON object per line", async () => {
  await using program = new Program({ LOG_FORMAT: "json" });
  const port = await program.started();
  await (await fetch(`http://127.0.0.1:${port}/api/hello?x=1`)).body?.cancel();
  const line = await program.line(/"rawhttp\.access"/);
  const record = JSON.parse(line);
  assert.equal(record.level, "INFO");
  assert.equal(record.properties.method, "GET");
  assert.equal(record.properties.path, "/api/hello");
  assert.equal(record.properties.status, 200);
  assert.equal(typeof record.properties.durationMs, "number");
  program.child.kill("SIGTERM");
  assert.equal(await program.exit(), 0);
});

Deno.test("main.ts stops with exit 1 and one log line when the port is taken", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { code, stdout } = await runToExit({}, [
    "--host",
    "127.0.0.1",
    "--port",
    String(taken.addr.port),
  ]);
  assert.equal(code, 1);
  assert.match(stdout, /cannot listen on 127\.0\.0\.1:\d+/);
});

Deno.test("the container HEALTHCHECK probe exits 0 against a live server and 1 when none answers", async () => {
  await using program = new Program({});
  const port = await program.started();
  assert.equal(await runProbe({ PORT: String(port) }), 0);
  assert.equal(
    await runProbe({ PORT: "1" }, ["--port", String(port)]),
    0,
    "--port wins, as for the server",
  );
  using spare = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = spare.addr.port;
  spare.close();
  assert.equal(await runProbe({ PORT: String(closedPort) }), 1);
  assert.equal(
    await runProbe({ PORT: "abc" }),
    2,
    "a bad setting is refused as the server refuses it",
  );
});

// Regression: the probe always asked 127.0.0.1 and read only PORT, so a
// server on another address was reported unhealthy.
Deno.test("the container HEALTHCHECK probe asks the address HOST names", async () => {
  await using program = new Program({}, ["--host", "127.0.0.2"]);
  const port = await program.started();
  assert.equal(await runProbe({ HOST: "127.0.0.2", PORT: String(port) }), 0);
  assert.equal(await runProbe({ PORT: String(port) }, ["--host", "127.0.0.2"]), 0);
});

Deno.test("main.ts warns that IDLE_GC_AFTER needs --expose-gc when run without it, and not when it is off", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 }); // so the program stops at once
  const run = async (flags: string[], env: Record<string, string>) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...flags, MAIN, "--host", "127.0.0.1", "--port", String(taken.addr.port)],
      env,
      stdout: "piped",
      stderr: "null",
    }).output();
    return new TextDecoder().decode(out.stdout);
  };
  const bare = ["--allow-net", "--allow-env", "--allow-read"];
  assert.match(await run(bare, {}), /IDLE_GC_AFTER needs the V8 flag --expose-gc/);
  assert.doesNotMatch(await run(bare, { IDLE_GC_AFTER: "0" }), /expose-gc/);
  assert.doesNotMatch(await run([...START_FLAGS], {}), /expose-gc/);
});

Deno.test("main.ts --version prints the version and exits 0", async () => {
  const { code, stdout } = await runToExit({}, ["--version"]);
  assert.equal(code, 0);
  assert.match(stdout, /^rawhttp \d+\.\d+\.\d+ \(deno \d+\.\d+\.\d+\)\n$/);
});

Deno.test("main.ts with a WWW_DIR that is not a folder exits 2 at once, saying so", async () => {
  const { code, stderr } = await runToExit({ WWW_DIR: "/nonexistent/rawhttp-www" });
  assert.equal(code, 2);
  assert.equal(
    stderr,
    'rawhttp: WWW_DIR "/nonexistent/rawhttp-www" is not a folder that can be read\n',
  );
});

Deno.test("main.ts with DRAIN_DELAY: after SIGTERM /ready answers 503 while requests are still served, then it drains and exits 0", async () => {
  await using program = new Program({ DRAIN_DELAY: "3s" }); // ample for two requests, never a race;
  const port = await program.started();
  const url = `http://127.0.0.1:${port}`;
  const ready = await fetch(`${url}/ready`);
  assert.equal(ready.status, 200);
  await ready.body?.cancel();
  program.child.kill("SIGTERM");
  await program.line(/SIGTERM received: \/ready answers 503; stopping in 3000 ms/);
  const draining = await fetch(`${url}/ready`);
  assert.equal(draining.status, 503);
  assert.deepEqual(await draining.json(), { status: "draining" });
  const served = await fetch(`${url}/api/hello`);
  assert.equal(served.status, 200, "still served during the drain delay");
  await served.body?.cancel();
  await program.line(/SIGTERM received: shutting down/);
  assert.equal(await program.exit(), 0);
});

Deno.test("main.ts --listeners 2 with DRAIN_DELAY: every listener's /ready answers 503 after SIGTERM", async () => {
  await using program = new Program({ DRAIN_DELAY: "3s" }, ["--listeners", "2"]);
  const port = await program.started();
  program.child.kill("SIGTERM");
  await program.line(/SIGTERM received: \/ready answers 503/);
  // New connections each: the kernel spreads them over both listeners.
  const statuses = new Set<number>();
  for (let i = 0; i < 8; i++) {
    const res = await fetch(`http://127.0.0.1:${port}/ready`, { headers: { connection: "close" } });
    statuses.add(res.status);
    await res.body?.cancel();
  }
  assert.deepEqual([...statuses], [503]);
  assert.equal(await program.exit(), 0);
});
