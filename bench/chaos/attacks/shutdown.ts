/**
 * 7. Shutdown under load: 20 keep-alive clients send requests back to back,
 * then the server gets its stop signal; how every connection ended, and how
 * long the server took to exit. For rawhttp also: 12 slow requests behind a
 * pool of 2 permits when SIGTERM comes.
 *
 * @module
 */

import { Client, Ended, get } from "../../../tests/chaos/fixtures/client.ts";
import { KeepAlive, type KeepAliveReport } from "../../../tests/chaos/fixtures/keepalive.ts";
import { metricsUntil } from "../../../tests/chaos/fixtures/probe.ts";
import { tally } from "../../../tests/chaos/fixtures/tally.ts";
import { type Attack, fixed, type Row, sleep, tallyText } from "../attack.ts";
import type { Peer } from "../peers.ts";
import type { AttackContext } from "../attack.ts";
import type { ServerProcess } from "../server_process.ts";

/** How long after the signal the clients and the server may take before the server is killed. */
const GRACE_MS = 15_000;
const CLIENTS = 20;
const SLOW_REQUESTS = 12;
const SLOW_MS = 1500;

/** Waits up to `ms` for the server to exit: its code, or null. */
async function exitWithin(server: ServerProcess, ms: number): Promise<number | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => timer = setTimeout(resolve, ms, null));
  try {
    return await Promise.race([server.child.status.then((s) => s.code), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits up to `ms` for `promise`; null if it did not settle by then. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => timer = setTimeout(resolve, ms, null));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sent, answered, clean and reset counts from keepalive.py's endings. */
function counts(report: KeepAliveReport) {
  let unanswered = 0;
  let clean = 0;
  let reset = 0;
  for (const [ending, n] of Object.entries(report.endings)) {
    if (/before answer/.test(ending)) unanswered += n;
    if (/eof/.test(ending)) clean += n;
    if (/reset/.test(ending)) reset += n;
  }
  return { sent: report.answered + unanswered, answered: report.answered, clean, reset };
}

/** The keep-alive part against one server and one signal. */
async function underLoad(
  peer: Peer,
  ctx: AttackContext,
  signal: Deno.Signal,
  variant: string | null,
): Promise<Row> {
  await using server = await ctx.start(peer, shutdownAttack.need);
  await using clients = KeepAlive.load(
    server.port,
    CLIENTS,
    server.path("hello"),
    ctx.scale.shutdownWarm,
  );
  await clients.line("warm");
  const signalled = performance.now();
  server.signal(signal);
  let report = await within(clients.report(), GRACE_MS);
  let killed = false;
  if (report === null) {
    // Still serving: end it, so the clients see how their connections end.
    killed = true;
    server.child.kill("SIGKILL");
    report = await clients.report();
  }
  const code = await exitWithin(server, Math.max(0, GRACE_MS - (performance.now() - signalled)));
  const exitMs = performance.now() - signalled;
  const c = counts(report);
  return {
    ...(variant === null ? {} : { variant }),
    setup: server.launch.setup,
    cells: [
      signal,
      String(c.sent),
      String(c.answered),
      String(c.clean),
      String(c.reset),
      tallyText(report.endings),
      killed ? `killed after ${GRACE_MS / 1000} s` : code === null ? "still running" : String(code),
      code === null ? "–" : fixed(exitMs / 1000, 2),
    ],
    data: { signal, ...c, endings: report.endings, exitCode: code, exitMs, killed },
  };
}

/** How one slow request ended: "200", "503 close", "eof", "reset", "timeout". */
async function fate(client: Client): Promise<string> {
  try {
    const reply = await client.response(10_000);
    return `${reply.status}${reply.headers.get("connection") === "close" ? " close" : ""}`;
  } catch (error) {
    return error instanceof Ended ? error.how : String(error);
  }
}

/** rawhttp's serve() with 2 permits: 12 slow requests, 2 running and 10 queued, then SIGTERM. */
async function slowBehindPool(peer: Peer, ctx: AttackContext): Promise<Row> {
  const flags = ["--num-workers", "2", "--shutdown-timeout", "2s"];
  await using server = await ctx.start(peer, { routes: ["slow"], rawhttpFlags: flags });
  const port = server.port;
  const clients = await Promise.all(
    Array.from({ length: SLOW_REQUESTS }, () => Client.connect(port)),
  );
  try {
    await Promise.all(
      clients.map((c, i) => c.write(get(`${server.path("slow")}?ms=${SLOW_MS}&id=${i}`))),
    );
    const fates = Promise.all(clients.map(fate));
    const queued = (await metricsUntil(port, (m) => m.pool.queue_depth === SLOW_REQUESTS - 2, 5000))
      .pool.queue_depth;
    const signalled = performance.now();
    server.signal("SIGTERM");
    const outcomes = tally(await fates);
    const code = await exitWithin(server, GRACE_MS);
    const exitMs = performance.now() - signalled;
    const answered = Object.entries(outcomes).filter(([o]) => /^\d/.test(o))
      .reduce((n, [, k]) => n + k, 0);
    return {
      variant: `${SLOW_REQUESTS} × /slow?ms=${SLOW_MS}, 2 permits`,
      setup: server.launch.setup,
      cells: [
        "SIGTERM",
        String(SLOW_REQUESTS),
        String(answered),
        String(outcomes["eof"] ?? 0),
        String(outcomes["reset"] ?? 0),
        tallyText(outcomes),
        code === null ? "still running" : String(code),
        code === null ? "–" : fixed(exitMs / 1000, 2),
      ],
      data: { queuedAtSignal: queued, outcomes, exitCode: code, exitMs },
    };
  } finally {
    for (const c of clients) c.close();
  }
}

export const shutdownAttack: Attack = {
  name: "shutdown",
  title: "Shutdown under load",
  need: { routes: ["hello"] },
  describe: (s) =>
    `${CLIENTS} keep-alive clients (tests/chaos/fixtures/keepalive.py) send \`GET /api/hello\` ` +
    `back to back; after ${s.shutdownWarm} answers the server's main process gets the signal ` +
    `(nginx twice: SIGTERM, its fast shutdown, and SIGQUIT, its graceful one). Each client ` +
    `goes on until its connection ends. "sent": requests written; "answered": responses ` +
    `read; "clean close" and "reset": connections that ended with a FIN or with a reset ` +
    `(counted per connection: a connection answered with Connection: close then closed ` +
    `cleanly counts as clean). Deno.serve, node:http and Bun run a SIGTERM listener that ` +
    `calls their graceful shutdown (server.shutdown(), server.close(), server.stop()); ` +
    `rawhttp is its program with its defaults (SHUTDOWN_TIMEOUT 8 s). A server still ` +
    `serving ${GRACE_MS / 1000} s after the signal is killed. rawhttp's extra row: serve() ` +
    `with --num-workers 2 --shutdown-timeout 2s, ${SLOW_REQUESTS} concurrent ` +
    `\`GET /slow?ms=${SLOW_MS}\` (2 running, 10 queued), then SIGTERM; the others have no ` +
    `pool, so no such row.`,
  columns: () => [
    "signal",
    "sent",
    "answered",
    "clean close",
    "reset",
    "endings",
    "exit code",
    "exit s",
  ],
  async run(peer, ctx) {
    const rows: Row[] = [];
    const signals: Deno.Signal[] = peer.name === "nginx" ? ["SIGTERM", "SIGQUIT"] : ["SIGTERM"];
    for (const signal of signals) {
      rows.push(await underLoad(peer, ctx, signal, signals.length > 1 ? signal : null));
      await sleep(500);
    }
    if (peer.name === "rawhttp") rows.push(await slowBehindPool(peer, ctx));
    return rows;
  },
};
