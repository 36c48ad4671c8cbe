/**
 * `rawhttp-fetch`: rawhttp's fetch-style adapter, `serve()` from mod.ts,
 * which mirrors `Deno.serve(options, handler)`.
 *
 * `serve` is looked up at run time so this file type-checks and fails with a
 * clear message (run.ts then skips this server) while mod.ts lacks it.
 *
 * Usage: `deno run --allow-net bench/servers/rawhttp_fetch.ts [port]`
 *
 * @module
 */

import * as rawhttp from "../../mod.ts";
import { announce, exitWithParent, fetchHandler, portArg } from "./common.ts";

/** The shape `serve` will have: the same as `Deno.serve(options, handler)`. */
type Serve = (
  options: {
    port: number;
    hostname: string;
    onListen: (addr: { port: number; hostname: string }) => void;
  },
  handler: (req: Request) => Response | Promise<Response>,
) => unknown;

const serve = (rawhttp as Record<string, unknown>)["serve"] as Serve | undefined;
if (typeof serve !== "function") {
  console.error("mod.ts does not export serve() yet");
  Deno.exit(2);
}

exitWithParent();
serve(
  { port: portArg(), hostname: "127.0.0.1", onListen: ({ port }) => announce(port) },
  fetchHandler,
);
