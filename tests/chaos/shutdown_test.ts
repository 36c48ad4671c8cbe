/**
 * SIGTERM under load: every request a client sent gets an answer, or its
 * connection is closed cleanly (FIN) before the server read it; never a
 * reset after sending, never silence; and the process exits 0 within
 * --shutdown-timeout.
 */

import assert from "node:assert/strict";
import { Client, Ended, get } from "./fixtures/client.ts";
import { KeepAlive } from "./fixtures/keepalive.ts";
import { metricsUntil } from "./fixtures/probe.ts";
import { Program } from "./fixtures/program.ts";
import { tally } from "./fixtures/tally.ts";

/** How a connection may end after SIGTERM: answered then closed cleanly, or closed cleanly before its request was read. */
const CLEAN = new Set(["answered 200 close then eof", "eof before answer"]);

/** Margin past --shutdown-timeout for the process to exit: generous, for slow CI. */
const EXIT_MARGIN_MS = 3000;

/** How one request sent during shutdown ended: "200", "200 close", "eof", "reset", "timeout". */
async function fate(client: Client, timeoutMs = 8000): Promise<string> {
  try {
    const reply = await client.response(timeoutMs);
    const close = reply.headers.get("connection") === "close";
    return `${reply.status}${close ? " close" : ""}`;
  } catch (error) {
    if (error instanceof Ended) return error.how;
    throw error;
  }
}

Deno.test("main.ts on SIGTERM under keep-alive load answers every request or closes before reading it, never resets, and exits 0 in time", async () => {
  await using program = await Program.main(["--shutdown-timeout", "3s"]);
  // 20 connections sending requests back to back; SIGTERM once 200 are answered.
  await using clients = KeepAlive.load(program.port, 20, "/api/hello", 200);
  await clients.line("warm");
  const sigterm = performance.now();
  assert.ok(program.kill("SIGTERM"));
  const report = await clients.report();
  const code = await program.exitWithin(3000 + EXIT_MARGIN_MS);
  const took = Math.round(performance.now() - sigterm);
  console.log(`  ${report.answered} answered; endings: ${JSON.stringify(report.endings)}`);
  for (const ending of Object.keys(report.endings)) {
    assert.ok(CLEAN.has(ending), `a connection ended with: ${ending}`);
  }
  assert.equal(code, 0, `exit code (null: still running ${took} ms after SIGTERM)`);
});

Deno.test("serve() on SIGTERM answers all 12 slow requests queued behind 2 busy workers, 200 or 503 with Connection: close, and exits 0", async () => {
  await using program = await Program.serveApp([
    "--num-workers",
    "2",
    "--shutdown-timeout",
    "2s",
  ]);
  const port = program.port;
  const clients = await Promise.all(Array.from({ length: 12 }, () => Client.connect(port)));
  try {
    const from = program.lines.length;
    await Promise.all(clients.map((c, i) => c.write(get(`/slow?ms=1500&id=${i}`))));
    const fates = clients.map((c) => fate(c, 10_000));
    // Two handlers run; the other ten wait in the pool's queue.
    const running = (await program.lineCount(/^slow started \d+$/, 2, from))
      .map((l) => Number(l.split(" ")[2]));
    const m = await metricsUntil(port, (m) => m.pool.queue_depth === 10);
    assert.equal(m.pool.queue_depth, 10, "requests waiting for a worker before SIGTERM");
    const sigterm = performance.now();
    assert.ok(program.kill("SIGTERM"));
    const outcomes = await Promise.all(fates);
    const code = await program.exitWithin(2000 + EXIT_MARGIN_MS);
    const took = Math.round(performance.now() - sigterm);
    console.log(`  after SIGTERM: ${JSON.stringify(tally(outcomes))}, running: ${running}`);
    const byId = outcomes.map((o, i) => `${i}: ${o}`);
    // In flight and able to finish within the deadline (1.5 s < 2 s): 200.
    for (const id of running) assert.match(byId[id]!, /^\d+: 200/, "a handler running at SIGTERM");
    for (const o of byId) {
      assert.match(o, /^\d+: (200( close)?|503 close)$/, "every request is answered");
    }
    assert.equal(code, 0, `exit code (null: still running ${took} ms after SIGTERM)`);
  } finally {
    for (const c of clients) c.close();
  }
});

Deno.test("main.ts answers or cleanly closes requests sent on idle keep-alive connections just after SIGTERM, never resets", async () => {
  await using program = await Program.main(["--shutdown-timeout", "3s"]);
  // 50 connections, each idle after one request; after SIGTERM each sends
  // another, 0.5 ms apart, as the server begins to close its idle connections.
  await using clients = KeepAlive.idle(program.port, 50, "/api/hello", 0.5);
  await clients.line("idle");
  assert.ok(program.kill("SIGTERM"));
  await clients.go();
  const report = await clients.report();
  console.log(`  endings: ${JSON.stringify(report.endings)}`);
  for (const ending of Object.keys(report.endings)) {
    assert.ok(CLEAN.has(ending) || ending === "answered 200", `a connection ended with: ${ending}`);
  }
  assert.equal(await program.exitWithin(3000 + EXIT_MARGIN_MS), 0);
});
