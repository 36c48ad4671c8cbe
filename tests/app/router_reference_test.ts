/**
 * `Router.match()` (src/app/router.ts) against its plain reference
 * (tests/reference/router.ts), which always splits the path: random routers,
 * with pattern routes and without (where `match()` skips the split), with a
 * fallback and without, must answer random paths the same way: the route
 * and its params, 405 with `Allow`, or 404.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import type { Handler } from "../../src/app/response.ts";
import { FALLBACK_ROUTE, type Match, Router } from "../../src/app/router.ts";
import { type ReferenceMatch, referenceMatch, type ReferenceRoute } from "../reference/router.ts";

const EXACT = ["/", "/a", "/a/b", "/users", "/a/b/", "/caf\u00e9", "/a%2Fb", "/a b"];
const PATTERNS = ["/users/:id", "/users/:name", "/a/:x/*", "/static/*", "/:p", "/a/:x/c", "/*"];
const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE"];
const SEGMENTS = [
  "",
  "a",
  "b",
  "c",
  "users",
  "static",
  "7",
  "%2F",
  "a%2Fb",
  "%41",
  "%zz",
  "caf%C3%A9",
  "x y",
];

const route = (paths: string[]) =>
  fc.record({
    method: fc.constantFrom(...METHODS),
    path: fc.constantFrom(...paths),
    metered: fc.boolean(),
  });

/** A router's routes: exact only (no pattern: the optimised path) or mixed. */
const routes = fc.oneof(
  fc.array(route(EXACT), { maxLength: 8 }),
  fc.array(route([...EXACT, ...PATTERNS]), { maxLength: 8 }),
);

const request = fc.record({
  method: fc.constantFrom(...METHODS, "OPTIONS"),
  path: fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 4 })
    .map((s) => "/" + s.join("/")),
});

/** The match with its route as pattern and handler, as the reference gives it. */
function plain(m: Match): ReferenceMatch {
  if (m.kind !== "found") return m.kind === "not_found" ? { kind: "not_found" } : { ...m };
  return {
    kind: "found",
    pattern: m.route.pattern,
    handler: m.route.handler,
    params: { ...m.params },
  };
}

Deno.test("Router.match() answers random paths as the reference does, on routers with and without pattern routes", () => {
  fc.assert(
    fc.property(
      routes,
      fc.boolean(),
      fc.array(request, { minLength: 1, maxLength: 10 }),
      (specs, withFallback, requests) => {
        const router = new Router();
        const list: ReferenceRoute[] = specs.map((s) => {
          const handler: Handler = () => ({ status: 200 });
          router.add(s.method, s.path, handler, { metered: s.metered });
          return { ...s, handler };
        });
        let fallback: ReferenceMatch = { kind: "not_found" };
        if (withFallback) {
          const handler: Handler = () => ({ status: 200 });
          router.fallback(handler);
          fallback = { kind: "found", pattern: FALLBACK_ROUTE, handler, params: {} };
        }
        for (const r of requests) {
          assert.deepEqual(
            plain(router.match(r.method, r.path)),
            referenceMatch(list, r.method, r.path, fallback),
            `${r.method} ${r.path}`,
          );
        }
      },
    ),
    { numRuns: 400 },
  );
});
