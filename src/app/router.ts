/**
 * Maps a method and a path, as sent, to a handler.
 *
 * Exact paths live in a Map (one lookup on the hot path); patterns with
 * `:name` segments or a trailing `*` are tried in the order they were added.
 * A match answers one of three ways, as values: found, method not allowed
 * (with the `Allow` list, RFC 9110 §15.5.6), or not found. HEAD is served by
 * the GET handler wherever no HEAD handler is registered (RFC 9110 §9.3.2).
 *
 * The path is split into segments before anything is percent-decoded, and
 * each segment is decoded on its own (as Hono does): an encoded slash (`%2F`)
 * stays inside its segment, so `/a%2Fb` is one segment, "a/b", and never the
 * route `/a/b`. A parameter gets its segment decoded; `*` gets the rest of the
 * path decoded.
 *
 * @example
 * ```ts
 * import { Router } from "./router.ts";
 * import { text } from "./response.ts";
 * const router = new Router().get("/users/:id", (req) => text(`user ${req.params.id}`));
 * router.match("GET", "/users/7").kind; // "found"
 * router.match("POST", "/users/7").kind; // "method_not_allowed"
 * ```
 *
 * @module
 */

import { checkLimit } from "../protocol/limits.ts";
import type { Handler } from "./response.ts";

/** Options of one route. */
export interface RouteOptions {
  /** Whether `/metrics` counts requests to this route (default true). */
  readonly metered?: boolean;
  /**
   * Whether the handler waits for a pool permit (default true). Health and
   * metrics set false: they must answer even when every worker is busy, or a
   * busy server would look dead to its load balancer. Only for handlers that
   * do no heavy work.
   */
  readonly pooled?: boolean;
  /**
   * How the handler gets the request body: `"buffer"` (default) reads it whole
   * into `req.body` before the handler runs; `"stream"` gives `req.bodyStream`,
   * pulled from the socket as the handler reads, plus `req.signal` and
   * `req.completed` (the fetch adapter uses this).
   */
  readonly body?: "buffer" | "stream";
  /** This route's body size limit in bytes, instead of the server's `maxBodyBytes`. */
  readonly maxBodyBytes?: number;
  /** This route's whole-body deadline in ms (0: none), instead of the server's `bodyTimeoutMs`. */
  readonly bodyTimeoutMs?: number;
}

/** A registered handler with its route's options. */
export interface Route {
  /**
   * The route as registered (`/users/:id`, `/static/*`), or
   * {@link FALLBACK_ROUTE}: what `/metrics` counts requests by, so its table
   * is as small as the app's routes whatever paths clients send.
   */
  readonly pattern: string;
  /** The handler. */
  readonly handler: Handler;
  /** Whether `/metrics` counts its requests. */
  readonly metered: boolean;
  /** Whether it runs in a pool permit. */
  readonly pooled: boolean;
  /** Whether its request body streams (`body: "stream"`) rather than being read first. */
  readonly streamBody: boolean;
  /** The body limits it sets instead of the server's, or null. */
  readonly bodyLimits: Readonly<{ maxBodyBytes?: number; bodyTimeoutMs?: number }> | null;
}

/** The outcome of matching one request: a route with its params, 405 with `Allow`, or 404. */
export type Match =
  | { readonly kind: "found"; readonly route: Route; readonly params: Record<string, string> }
  | {
    readonly kind: "method_not_allowed";
    readonly allow: string;
    /** The route the path matched, for the counters. */
    readonly pattern: string;
    /** Whether the route's requests are counted: false if any method of it is not. */
    readonly metered: boolean;
  }
  | { readonly kind: "not_found" };

/** The {@link Route.pattern} of a fallback handler (see {@link Router.fallback}). */
export const FALLBACK_ROUTE = "(fallback)";

/** What a server routes with: a {@link Router}, or anything that matches as one does. */
export interface Routes {
  /** Finds the handler for `method` on `rawPath` (the path as sent; see {@link Router.match}). */
  match(method: string, rawPath: string): Match;
}

interface PatternRoute {
  /** The pattern normalised, e.g. "users/:id/*": two paths with one key are one route. */
  readonly key: string;
  /** The path as first registered, e.g. "/users/:id/*". */
  readonly pattern: string;
  readonly segments: readonly string[];
  readonly wildcard: boolean;
  readonly methods: Map<string, Route>;
}

const NOT_FOUND: Match = { kind: "not_found" };
const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** A method-and-path router with exact and pattern routes. */
export class Router implements Routes {
  readonly #exact = new Map<string, Map<string, Route>>();
  readonly #patterns: PatternRoute[] = [];
  #optionsRoute: Route | null = null;
  #fallback: Match = NOT_FOUND;

  /**
   * Registers `handler` for `method` on `path`. A path is exact (`/health`),
   * or a pattern with `:name` segments (`/users/:id`) and at most a final `*`
   * that matches the rest (`/static/*`, read as `params["*"]`).
   */
  add(method: string, path: string, handler: Handler, options: RouteOptions = {}): this {
    if (!path.startsWith("/")) throw new TypeError(`route path must start with "/": ${path}`);
    const route = makeRoute(path, handler, options);
    // A "*" segment anywhere makes a pattern, so a misplaced one ("/a/*/b") reaches
    // the check below instead of silently registering as a literal exact path.
    const isPattern = path.includes("/:") || path.endsWith("*") || path.includes("/*/");
    let methods: Map<string, Route> | undefined;
    if (!isPattern) {
      methods = this.#exact.get(path);
      if (methods === undefined) this.#exact.set(path, methods = new Map());
    } else {
      const segments = path.split("/").slice(1);
      const wildcard = segments.at(-1) === "*";
      if (wildcard) segments.pop();
      if (segments.includes("*")) throw new TypeError(`"*" must end the route path: ${path}`);
      const key = segments.join("/") + (wildcard ? "/*" : "");
      let found = this.#patterns.find((p) => p.key === key);
      if (found === undefined) {
        found = { key, pattern: path, segments, wildcard, methods: new Map() };
        this.#patterns.push(found);
      }
      methods = found.methods;
    }
    methods.set(method, route);
    this.#optionsRoute = null;
    return this;
  }

  /**
   * Sends every request that no route matches to `handler`, instead of 404.
   * `serve()` mounts a fetch application this way, behind the routes of this
   * router (such as `/health` and `/metrics`).
   */
  fallback(handler: Handler, options: RouteOptions = {}): this {
    this.#fallback = fallbackMatch(handler, options);
    return this;
  }

  /** Registers a GET handler (which also answers HEAD). */
  get(path: string, handler: Handler, options?: RouteOptions): this {
    return this.add("GET", path, handler, options);
  }

  /** Registers a POST handler. */
  post(path: string, handler: Handler, options?: RouteOptions): this {
    return this.add("POST", path, handler, options);
  }

  /**
   * Finds the handler for `method` on `rawPath`, the path as sent (escapes
   * and all; see the module's note on encoded slashes). `OPTIONS *` asks
   * about the server itself (RFC 9110 §9.3.7): it gets 204 with an `Allow`
   * of every method some route serves.
   */
  match(method: string, rawPath: string): Match {
    if (rawPath === "*") return { kind: "found", route: this.#serverOptions(), params: NO_PARAMS };
    const escaped = rawPath.includes("%");
    // The usual path has no escape: it is its own key, and its segments need no decoding.
    const raw = escaped ? rawPath.split("/").slice(1) : null;
    const decoded = raw === null ? null : raw.map(decodeSegment);
    const key = decoded === null ? rawPath : decoded.some((s) => s.includes("/"))
      ? null // an encoded slash: no exact route has such a segment
      : "/" + decoded.join("/");
    if (key !== null) {
      const exact = this.#exact.get(key);
      if (exact !== undefined) return pick(exact, key, method, NO_PARAMS);
    }
    if (this.#patterns.length === 0) return this.#fallback; // no split for nothing to match
    const parts = decoded ?? rawPath.split("/").slice(1);
    for (const pattern of this.#patterns) {
      const params = matchPattern(pattern, parts, raw);
      if (params !== null) return pick(pattern.methods, pattern.pattern, method, params);
    }
    return this.#fallback;
  }

  /** The built-in answer to `OPTIONS *`, built once (routes are added before serving). */
  #serverOptions(): Route {
    if (this.#optionsRoute === null) {
      const allow = allowOf([...this.#exact.values(), ...this.#patterns.map((p) => p.methods)]);
      this.#optionsRoute = {
        pattern: "*",
        handler: () => ({ status: 204, headers: { "Allow": allow } }),
        metered: true,
        pooled: false,
        streamBody: false,
        bodyLimits: null,
      };
    }
    return this.#optionsRoute;
  }
}

/**
 * `routes` first; a request they do not match goes to `handler` (with
 * `options`). Neither `routes` nor anything else is changed: `serve()`
 * mounts a fetch app behind a caller's routes this way, and the same routes
 * can sit in front of several apps.
 */
export function withFallback(routes: Routes, handler: Handler, options: RouteOptions = {}): Routes {
  const fallback = fallbackMatch(handler, options);
  return {
    match(method, rawPath) {
      const match = routes.match(method, rawPath);
      return match.kind === "not_found" ? fallback : match;
    },
  };
}

function fallbackMatch(handler: Handler, options: RouteOptions): Match {
  return { kind: "found", route: makeRoute(FALLBACK_ROUTE, handler, options), params: NO_PARAMS };
}

function makeRoute(pattern: string, handler: Handler, options: RouteOptions): Route {
  return {
    pattern,
    handler,
    metered: options.metered ?? true,
    pooled: options.pooled ?? true,
    streamBody: options.body === "stream",
    bodyLimits: bodyLimitsOf(options),
  };
}

/** A route's own body limits, checked against the limits' ranges; null when it sets none. */
function bodyLimitsOf(options: RouteOptions): Route["bodyLimits"] {
  const { maxBodyBytes, bodyTimeoutMs } = options;
  if (maxBodyBytes === undefined && bodyTimeoutMs === undefined) return null;
  if (maxBodyBytes !== undefined) checkLimit("maxBodyBytes", maxBodyBytes);
  if (bodyTimeoutMs !== undefined) checkLimit("bodyTimeoutMs", bodyTimeoutMs);
  return {
    ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}),
    ...(bodyTimeoutMs !== undefined ? { bodyTimeoutMs } : {}),
  };
}

/** Every method of `routes`, as an Allow value (HEAD wherever GET is). */
function allowOf(routes: Iterable<Map<string, Route>>): string {
  const all = new Map<string, Route>();
  for (const methods of routes) for (const [m, r] of methods) all.set(m, r);
  return allowList(all);
}

function pick(
  methods: Map<string, Route>,
  pattern: string,
  method: string,
  params: Record<string, string>,
): Match {
  const route = methods.get(method) ?? (method === "HEAD" ? methods.get("GET") : undefined);
  if (route !== undefined) return { kind: "found", route, params };
  let metered = true;
  for (const r of methods.values()) metered &&= r.metered;
  return { kind: "method_not_allowed", allow: allowList(methods), pattern, metered };
}

/** The Allow header value: the registered methods, plus HEAD where GET is. */
function allowList(methods: Map<string, Route>): string {
  const allow = [...methods.keys()];
  if (methods.has("GET") && !methods.has("HEAD")) allow.push("HEAD");
  return allow.sort().join(", ");
}

/**
 * The params of `parts` (the path's segments, decoded) under `pattern`, or
 * null if it does not match. `raw` holds the segments as sent when they had
 * escapes (null when none did): `*` takes the rest of those, decoded once.
 */
function matchPattern(
  pattern: PatternRoute,
  parts: string[],
  raw: string[] | null,
): Record<string, string> | null {
  const { segments, wildcard } = pattern;
  if (wildcard ? parts.length < segments.length : parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const part = parts[i]!;
    if (seg.startsWith(":")) {
      if (part === "") return null;
      params[seg.slice(1)] = part;
    } else if (seg !== part) {
      return null;
    }
  }
  if (wildcard) {
    params["*"] = raw === null
      ? parts.slice(segments.length).join("/")
      : decodeSegment(raw.slice(segments.length).join("/"));
  }
  return params;
}

/**
 * A segment (or the rest of a path) percent-decoded as UTF-8; as sent when
 * malformed (the server refuses such paths before routing; a library caller
 * may still pass one).
 */
function decodeSegment(raw: string): string {
  if (!raw.includes("%")) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
