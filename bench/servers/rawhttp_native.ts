/**
 * `rawhttp-native`: the native handler path of rawhttp (`Server.listen` and
 * `Router`), with logging not configured (no access log), the connection cap
 * raised to 20,000 for the idle-connections scenario, and default workers.
 *
 * Usage: `deno run --allow-net bench/servers/rawhttp_native.ts [port]`
 *
 * @module
 */

import { Router } from "../../mod.ts";
import { BIG_BODY, HELLO } from "./common.ts";
import { serveNative } from "./native.ts";

const TEXT = { "Content-Type": "text/plain; charset=utf-8" };

const router = new Router()
  .get("/", () => ({ status: 200, headers: TEXT, body: HELLO }))
  .get("/64k", () => ({ status: 200, headers: TEXT, body: BIG_BODY }))
  .post("/echo-len", (req) => ({ status: 200, headers: TEXT, body: String(req.body.length) }));

await serveNative(router);
