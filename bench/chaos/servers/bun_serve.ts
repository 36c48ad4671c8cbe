/**
 * `bun` in the chaos benchmark: `Bun.serve` with the shared fetch handler
 * (its default settings), stopped gracefully on SIGTERM (`server.stop()`
 * waits for requests in flight). Exits when its stdin closes.
 *
 * Usage: `bun bench/chaos/servers/bun_serve.ts PORT`
 *
 * @module
 */

import process from "node:process";
import { chaosHandler } from "./handler.ts";

/** The part of Bun's API this file uses (Deno type-checks it too). */
declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    fetch: (req: Request) => Promise<Response>;
  }): { stop(closeActiveConnections?: boolean): Promise<void> };
};

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.argv[2] ?? "0"),
  fetch: chaosHandler,
});
process.on("SIGTERM", () => {
  server.stop().finally(() => process.exit(0));
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
