/**
 * How the benchmark's servers on rawhttp's native path listen: on 127.0.0.1,
 * with the connection cap raised to 20,000 for the idle-connections scenario,
 * exiting with run.ts, announcing their port. (Not in common.ts: the other
 * servers import that, and loading rawhttp would add to their RSS.)
 *
 * @module
 */

import { type Router, Server } from "../../mod.ts";
import { announce, exitWithParent, portArg } from "./common.ts";

/** Serves `router` until the process ends. */
export async function serveNative(router: Router): Promise<void> {
  const server = Server.listen(
    { hostname: "127.0.0.1", port: portArg(), maxConnections: 20000 },
    router,
  );
  exitWithParent();
  announce(server.addr.port);
  await server.finished;
}
