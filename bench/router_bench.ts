/**
 * Micro-benchmark of the router (`deno task bench:micro`): a path no route
 * matches, on a router with no pattern route, answered without splitting the
 * path (`Router.match()`), against the same answer with the split made, as
 * the plain path (tests/reference/router.ts) always makes it (the baseline).
 *
 * @module
 */

import { Router } from "../src/app/router.ts";

const ok = () => ({ status: 200 as const, body: "ok" });
const router = new Router().get("/", ok).get("/health", ok).post("/api/items", ok);
const PATHS = ["/favicon.ico", "/api/items/7/comments", "/wp-login.php", "/a/b/c/d"];

let sink: unknown = null;
let turn = 0;

Deno.bench({
  name: 'no pattern: reference, the path split (match, then split("/"))',
  group: "no pattern",
  baseline: true,
  fn() {
    const path = PATHS[++turn & 3]!;
    sink = router.match("GET", path);
    sink = path.split("/").slice(1);
  },
});
Deno.bench({
  name: "no pattern: optimised, no split when no pattern route (match)",
  group: "no pattern",
  fn() {
    sink = router.match("GET", PATHS[++turn & 3]!);
  },
});

globalThis.addEventListener("unload", () => {
  if (sink === null) console.log(""); // keeps `sink` read
});
