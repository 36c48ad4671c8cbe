/**
 * Micro-benchmarks of a whole request's JavaScript cost (`deno task
 * bench:micro`): one connection serves 1,000 keep-alive requests over an
 * in-memory socket, so the figure is the parser, router, handler, response
 * writer and connection loop with no kernel in it. Divide by 1,000 for the
 * cost of one request. `native` is a `Router` route; `fetch` is the same
 * answer from a fetch handler (`new Response(text)`), as `serve()` runs it.
 *
 * @module
 */

import { defaultConfig } from "../src/program/settings.ts";
import { Connection, type ConnectionContext, type Socket } from "../src/server/connection.ts";
import { fetchHandler } from "../src/fetch/adapter.ts";
import { Metrics } from "../src/server/metrics.ts";
import { Pool } from "../src/server/pool.ts";
import { Router } from "../src/app/router.ts";

const REQUESTS = 1000;
const HELLO = "Hello, world!\n";
const REQUEST = new TextEncoder().encode(
  "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n",
);

function context(router: Router): ConnectionContext {
  const config = defaultConfig(); // its limits are the server's defaults
  return {
    limits: { ...config, maxRequestsPerConnection: Infinity },
    router,
    pool: new Pool(config.numWorkers, config.maxQueue),
    metrics: new Metrics(),
    draining: () => false,
  };
}

/** A socket that hands over one request per read, `count` times, then EOF. */
function socket(count: number): Socket {
  let reads = 0;
  return {
    read(p: Uint8Array): Promise<number | null> {
      if (reads++ >= count) return Promise.resolve(null);
      p.set(REQUEST);
      return Promise.resolve(REQUEST.length);
    },
    write: (p: Uint8Array) => Promise.resolve(p.length),
    closeWrite: () => Promise.resolve(),
    close() {},
  };
}

const native = context(
  new Router().get("/", () => ({
    status: 200,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
    body: HELLO,
  })),
);
const fetch = context(
  new Router().fallback(fetchHandler(() => new Response(HELLO)), { body: "stream" }),
);

for (const [name, ctx] of [["native route", native], ["fetch handler", fetch]] as const) {
  Deno.bench({
    name: `${REQUESTS} keep-alive requests, ${name}`,
    group: "request",
    baseline: ctx === native,
    async fn() {
      await new Connection(socket(REQUESTS), { hostname: "127.0.0.1", port: 1 }, ctx).serve();
    },
  });
}
