/**
 * `deno-serve`: `Deno.serve` with the same fetch handler as `rawhttp-fetch`;
 * its own "Listening on" line is replaced by the readiness line.
 *
 * Usage: `deno run --allow-net bench/servers/deno_serve.ts [port]`
 *
 * @module
 */

import { announce, exitWithParent, fetchHandler, portArg } from "./common.ts";

exitWithParent();
Deno.serve(
  { port: portArg(), hostname: "127.0.0.1", onListen: ({ port }) => announce(port) },
  fetchHandler,
);
