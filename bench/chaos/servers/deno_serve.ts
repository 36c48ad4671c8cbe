/**
 * `deno-serve` in the chaos benchmark: `Deno.serve` with the shared fetch
 * handler, shut down gracefully on SIGTERM (`server.shutdown()`, as a careful
 * app does; without a listener SIGTERM would end the process at once).
 *
 * Usage: `deno run --allow-net bench/chaos/servers/deno_serve.ts PORT`
 *
 * @module
 */

import { exitWithParent, portArg } from "../../servers/common.ts";
import { chaosHandler } from "./handler.ts";

exitWithParent();
const server = Deno.serve(
  { hostname: "127.0.0.1", port: portArg(), onListen: () => {} },
  chaosHandler,
);
Deno.addSignalListener("SIGTERM", () => {
  server.shutdown().finally(() => Deno.exit(0));
});
