/**
 * A whole request's in-process cost in two (or more) source trees, in one
 * process: what a change costs the hot path, measured before and after with
 * the same JIT, machine and moment. Each tree's `Connection` serves 2,000
 * keep-alive requests over an in-memory socket (as request_bench.ts does):
 * a native `GET /`, the same from a fetch handler, and a native POST with a
 * 64-byte body. Trials alternate between the trees, rotating who goes first;
 * the report gives each tree's median µs per request and its ratio to the
 * first tree's.
 *
 *   mkdir -p /tmp/before && git archive HEAD src | tar -x -C /tmp/before
 *   deno run -A bench/request_pair.ts /tmp/before . [--trials 100]
 *
 * The figures of docs/telemetry.md ("what it costs when off") come from here.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { trials: { type: "string", default: "100" } },
  allowPositionals: true,
});
if (positionals.length < 2) {
  console.error("usage: deno run -A bench/request_pair.ts <tree> <tree> [...] [--trials N]");
  Deno.exit(2);
}

const REQUESTS = 2000;
const KINDS = ["native", "fetch", "post"] as const;
type Kind = typeof KINDS[number];
const HELLO = "Hello, world!\n";
const encode = (text: string) => new TextEncoder().encode(text);
const GET = encode(
  "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n",
);
const POST = encode(
  `POST /up HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: 64\r\n\r\n${"x".repeat(64)}`,
);
const TEXT = { status: 200, headers: { "Content-Type": "text/plain; charset=utf-8" }, body: HELLO };

/** A socket that hands over `request` once per read, `count` times, then EOF. */
function socket(count: number, request: Uint8Array) {
  let reads = 0;
  return {
    read(p: Uint8Array): Promise<number | null> {
      if (reads++ >= count) return Promise.resolve(null);
      p.set(request);
      return Promise.resolve(request.length);
    },
    write: (p: Uint8Array) => Promise.resolve(p.length),
    closeWrite: () => Promise.resolve(),
    close() {},
  };
}

/** The tree at `root`: a function serving one connection's requests of a kind. */
async function load(root: string): Promise<(kind: Kind) => Promise<void>> {
  const at = (path: string) => pathToFileURL(resolve(root, path)).href;
  const { defaultConfig } = await import(at("src/program/settings.ts"));
  const { Connection } = await import(at("src/server/connection.ts"));
  const { fetchHandler } = await import(at("src/fetch/adapter.ts"));
  const { Metrics } = await import(at("src/server/metrics.ts"));
  const { Pool } = await import(at("src/server/pool.ts"));
  const { Router } = await import(at("src/app/router.ts"));
  const config = defaultConfig();
  const context = (router: unknown) => ({
    limits: { ...config, maxRequestsPerConnection: Infinity },
    router,
    pool: new Pool(config.numWorkers, config.maxQueue),
    metrics: new Metrics(),
    draining: () => false,
  });
  const native = context(new Router().get("/", () => TEXT).post("/up", () => TEXT));
  const fetch = context(
    new Router().fallback(fetchHandler(() => new Response(HELLO)), { body: "stream" }),
  );
  return async (kind) => {
    const ctx = kind === "fetch" ? fetch : native;
    const requests = socket(REQUESTS, kind === "post" ? POST : GET);
    await new Connection(requests, { hostname: "127.0.0.1", port: 1 }, ctx).serve();
  };
}

const trees = await Promise.all(positionals.map(load));
const times = new Map<string, number[]>();
for (let i = 0; i < 5; i++) for (const kind of KINDS) for (const tree of trees) await tree(kind); // warm-up
for (let trial = 0; trial < Number(values.trials); trial++) {
  for (const kind of KINDS) {
    for (let k = 0; k < trees.length; k++) {
      const j = (k + trial) % trees.length;
      const started = performance.now();
      await trees[j]!(kind);
      const perRequestUs = (performance.now() - started) / REQUESTS * 1000;
      const key = `${kind} ${j}`;
      times.set(key, [...times.get(key) ?? [], perRequestUs]);
    }
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const kind of KINDS) {
  const first = median(times.get(`${kind} 0`)!);
  const cells = positionals.map((root, j) => {
    const m = median(times.get(`${kind} ${j}`)!);
    return `${root} ${m.toFixed(3)} µs (×${(m / first).toFixed(3)})`;
  });
  console.log(`${kind}: ${cells.join(", ")}`);
}
