/**
 * The plain reference path for `src/app/router.ts`'s `Router.match()`: the
 * path always split into segments and each decoded, exact routes then
 * pattern routes tried on them, where the optimised path skips the split when
 * the path has no escape (it is then its own key) and when the router has no
 * pattern route at all. Routes are given as a list, as they were added.
 * Compared against in tests/app/router_reference_test.ts; the split's cost
 * is timed in bench/router_bench.ts.
 *
 * @module
 */

import type { Handler } from "../../src/app/response.ts";

/** One `Router.add(method, path, handler, { metered })` call. */
export interface ReferenceRoute {
  readonly method: string;
  readonly path: string;
  readonly handler: Handler;
  readonly metered: boolean;
}

/** What `Router.match()` answers, with the route as its pattern and handler. */
export type ReferenceMatch =
  | { kind: "found"; pattern: string; handler: Handler; params: Record<string, string> }
  | { kind: "method_not_allowed"; allow: string; pattern: string; metered: boolean }
  | { kind: "not_found" };

function decode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw; // malformed: as sent
  }
}

/** `:name` segments and a final `*` make a pattern; anything else is an exact path. */
function isPattern(path: string): boolean {
  return path.includes("/:") || path.endsWith("*") || path.includes("/*/");
}

/** A pattern's identity: two paths with one key are one route, named as first added. */
function patternKey(path: string): string {
  return path.split("/").slice(1).join("/");
}

/** The params of the segments `parts` (decoded; `raw` as sent) under `path`, or null. */
function matchPath(path: string, parts: string[], raw: string[]): Record<string, string> | null {
  const segments = path.split("/").slice(1);
  const wildcard = segments.at(-1) === "*";
  if (wildcard) segments.pop();
  if (wildcard ? parts.length < segments.length : parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (const [i, seg] of segments.entries()) {
    if (seg.startsWith(":") && parts[i] !== "") params[seg.slice(1)] = parts[i]!;
    else if (seg !== parts[i]) return null;
  }
  if (wildcard) params["*"] = decode(raw.slice(segments.length).join("/"));
  return params;
}

/** The routes of one path (exact, or one pattern key) as `method → route`, last added winning. */
function answer(
  routes: ReferenceRoute[],
  pattern: string,
  method: string,
  params: Record<string, string>,
): ReferenceMatch {
  const byMethod = new Map(routes.map((r) => [r.method, r]));
  const route = byMethod.get(method) ?? (method === "HEAD" ? byMethod.get("GET") : undefined);
  if (route !== undefined) return { kind: "found", pattern, handler: route.handler, params };
  const allow = [...byMethod.keys()];
  if (byMethod.has("GET") && !byMethod.has("HEAD")) allow.push("HEAD");
  const metered = [...byMethod.values()].every((r) => r.metered);
  return { kind: "method_not_allowed", allow: allow.sort().join(", "), pattern, metered };
}

/** Matches `method rawPath` against `routes` (never `*`), or `fallback` when nothing matches. */
export function referenceMatch(
  routes: readonly ReferenceRoute[],
  method: string,
  rawPath: string,
  fallback: ReferenceMatch = { kind: "not_found" },
): ReferenceMatch {
  const raw = rawPath.split("/").slice(1);
  const parts = raw.map(decode);
  if (!parts.some((p) => p.includes("/"))) {
    const path = "/" + parts.join("/");
    const exact = routes.filter((r) => !isPattern(r.path) && r.path === path);
    if (exact.length > 0) return answer(exact, path, method, {});
  }
  const keys = [...new Set(routes.filter((r) => isPattern(r.path)).map((r) => patternKey(r.path)))];
  for (const key of keys) {
    const same = routes.filter((r) => isPattern(r.path) && patternKey(r.path) === key);
    const params = matchPath(same[0]!.path, parts, raw);
    if (params !== null) return answer(same, same[0]!.path, method, params);
  }
  return fallback;
}
