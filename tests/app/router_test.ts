import assert from "node:assert/strict";
import type { Handler } from "../../src/app/response.ts";
import { text } from "../../src/app/response.ts";
import type { Match } from "../../src/app/router.ts";
import { FALLBACK_ROUTE, Router, withFallback } from "../../src/app/router.ts";
import { makeRequest } from "../fixtures/request.ts";

/** A handler that is only compared by identity. */
function handler(name: string): Handler {
  return () => text(name);
}

function found(m: Match): Extract<Match, { kind: "found" }> {
  assert.equal(m.kind, "found", `expected found, got ${JSON.stringify(m)}`);
  return m as Extract<Match, { kind: "found" }>;
}

Deno.test("Router.match() finds an exact route with no params", () => {
  const h = handler("health");
  const m = found(new Router().get("/health", h).match("GET", "/health"));
  assert.equal(m.route.handler, h);
  assert.deepEqual(m.params, {});
});

Deno.test("Router.match() does not match an exact route by prefix or with a trailing slash", () => {
  const router = new Router().get("/health", handler("h"));
  assert.equal(router.match("GET", "/health/").kind, "not_found");
  assert.equal(router.match("GET", "/healthz").kind, "not_found");
  assert.equal(router.match("GET", "/").kind, "not_found");
});

Deno.test("Router.match() reads :param segments into params", () => {
  const h = handler("user");
  const router = new Router().get("/users/:id/posts/:post", h);
  const m = found(router.match("GET", "/users/7/posts/abc"));
  assert.equal(m.route.handler, h);
  assert.deepEqual(m.params, { id: "7", post: "abc" });
});

Deno.test("Router.match() does not let :param match an empty segment or extra segments", () => {
  const router = new Router().get("/users/:id", handler("user"));
  assert.equal(router.match("GET", "/users/").kind, "not_found");
  assert.equal(router.match("GET", "/users/7/extra").kind, "not_found");
  assert.equal(router.match("GET", "/users").kind, "not_found");
});

Deno.test("Router.match() gives a trailing * the rest of the path as params['*']", () => {
  const router = new Router().get("/static/*", handler("static"));
  assert.deepEqual(found(router.match("GET", "/static/css/site.css")).params, {
    "*": "css/site.css",
  });
  assert.deepEqual(found(router.match("GET", "/static/")).params, { "*": "" });
  assert.deepEqual(found(router.match("GET", "/static")).params, { "*": "" });
  assert.equal(router.match("GET", "/other/x").kind, "not_found");
});

Deno.test("Router.match() combines :param and a trailing *", () => {
  const router = new Router().get("/files/:bucket/*", handler("f"));
  assert.deepEqual(found(router.match("GET", "/files/b1/a/b/c")).params, {
    bucket: "b1",
    "*": "a/b/c",
  });
});

Deno.test("Router.match() prefers an exact route over a pattern that also matches", () => {
  const exact = handler("exact");
  const pattern = handler("pattern");
  const router = new Router().get("/users/:id", pattern).get("/users/me", exact);
  assert.equal(found(router.match("GET", "/users/me")).route.handler, exact);
  assert.equal(found(router.match("GET", "/users/7")).route.handler, pattern);
});

Deno.test("Router.match() tries patterns in the order they were added", () => {
  const first = handler("first");
  const second = handler("second");
  const router = new Router().get("/a/:x", first).get("/a/*", second);
  assert.equal(found(router.match("GET", "/a/b")).route.handler, first);
  assert.equal(found(router.match("GET", "/a/b/c")).route.handler, second);
});

Deno.test("Router.match() answers not_found for an unknown path", () => {
  const router = new Router().get("/", handler("home")).post("/x", handler("x"));
  assert.deepEqual(router.match("GET", "/nope"), { kind: "not_found" });
  assert.deepEqual(new Router().match("GET", "/"), { kind: "not_found" });
});

Deno.test("Router.match() answers 405 with Allow when only GET is registered", () => {
  const router = new Router().get("/health", handler("h"));
  assert.deepEqual(router.match("POST", "/health"), {
    kind: "method_not_allowed",
    allow: "GET, HEAD",
    pattern: "/health",
    metered: true,
  });
});

Deno.test("Router.match() lists every registered method in Allow, sorted", () => {
  const router = new Router()
    .post("/items", handler("p"))
    .add("PUT", "/items", handler("u"))
    .get("/items", handler("g"))
    .add("DELETE", "/items", handler("d"));
  assert.deepEqual(router.match("PATCH", "/items"), {
    kind: "method_not_allowed",
    allow: "DELETE, GET, HEAD, POST, PUT",
    pattern: "/items",
    metered: true,
  });
});

Deno.test("Router.match() leaves HEAD out of Allow when no GET is registered", () => {
  const router = new Router().post("/submit", handler("p"));
  assert.deepEqual(router.match("GET", "/submit"), {
    kind: "method_not_allowed",
    allow: "POST",
    pattern: "/submit",
    metered: true,
  });
  // With no GET, HEAD is not served by anything either.
  assert.equal(router.match("HEAD", "/submit").kind, "method_not_allowed");
});

Deno.test("Router.match() lists HEAD once when both GET and HEAD are registered", () => {
  const router = new Router().get("/x", handler("g")).add("HEAD", "/x", handler("h"));
  assert.deepEqual(router.match("POST", "/x"), {
    kind: "method_not_allowed",
    allow: "GET, HEAD",
    pattern: "/x",
    metered: true,
  });
});

Deno.test("Router.match() answers 405 with Allow on pattern routes too", () => {
  const router = new Router().get("/users/:id", handler("g")).post("/users/:id", handler("p"));
  assert.deepEqual(router.match("DELETE", "/users/7"), {
    kind: "method_not_allowed",
    allow: "GET, HEAD, POST",
    pattern: "/users/:id",
    metered: true,
  });
});

Deno.test("Router.match() serves HEAD with the GET handler when no HEAD handler is registered", () => {
  const get = handler("get");
  const m = found(new Router().get("/users/:id", get).match("HEAD", "/users/3"));
  assert.equal(m.route.handler, get);
  assert.deepEqual(m.params, { id: "3" });
});

Deno.test("Router.match() prefers a registered HEAD handler over the GET handler", () => {
  const get = handler("get");
  const head = handler("head");
  const router = new Router().get("/x", get).add("HEAD", "/x", head);
  assert.equal(found(router.match("HEAD", "/x")).route.handler, head);
  assert.equal(found(router.match("GET", "/x")).route.handler, get);
});

Deno.test("Router.match() compares methods case-sensitively (RFC 9110 §9.1)", () => {
  const router = new Router().get("/x", handler("g"));
  assert.equal(router.match("get", "/x").kind, "method_not_allowed");
});

Deno.test("Router.add() meters routes by default and honours metered: false", () => {
  const router = new Router()
    .get("/a", handler("a"))
    .get("/b", handler("b"), { metered: true })
    .get("/c", handler("c"), { metered: false })
    .get("/d/:id", handler("d"), { metered: false });
  assert.equal(found(router.match("GET", "/a")).route.metered, true);
  assert.equal(found(router.match("GET", "/b")).route.metered, true);
  assert.equal(found(router.match("GET", "/c")).route.metered, false);
  assert.equal(found(router.match("GET", "/d/1")).route.metered, false);
  // HEAD served by GET carries the GET route's options.
  assert.equal(found(router.match("HEAD", "/c")).route.metered, false);
});

Deno.test("Router.add() holds a pool permit by default and honours pooled: false", () => {
  const router = new Router()
    .get("/a", handler("a"))
    .get("/b", handler("b"), { pooled: false })
    .get("/c/*", handler("c"), { pooled: false, metered: true });
  assert.equal(found(router.match("GET", "/a")).route.pooled, true);
  assert.equal(found(router.match("GET", "/b")).route.pooled, false);
  const c = found(router.match("GET", "/c/x")).route;
  assert.equal(c.pooled, false);
  assert.equal(c.metered, true);
});

Deno.test("Router.add() rejects a path that does not start with /", () => {
  assert.throws(() => new Router().get("health", handler("h")), TypeError);
  assert.throws(() => new Router().get("", handler("h")), TypeError);
  assert.throws(() => new Router().get("*", handler("h")), TypeError);
});

Deno.test("Router.add() rejects a * that does not end the path", () => {
  assert.throws(() => new Router().get("/a/*/*", handler("h")), TypeError);
});

// Regression: "/a/*/b" neither ends in "*" nor holds "/:", so it used to skip the
// pattern branch (and its "*" check) and register silently as a literal exact path.
Deno.test("Router.add() rejects a mid-path * instead of registering it as a literal path", () => {
  assert.throws(() => new Router().get("/a/*/b", handler("h")), TypeError);
  assert.throws(() => new Router().get("/*/b", handler("h")), TypeError);
});

Deno.test("Router.add() replaces a handler registered twice for the same method and path", () => {
  const first = handler("1");
  const second = handler("2");
  const router = new Router()
    .get("/x", first).get("/x", second)
    .get("/p/:id", first).get("/p/:other", second);
  assert.equal(found(router.match("GET", "/x")).route.handler, second);
  // Patterns differ only in param names are different keys, so the first still wins.
  assert.equal(found(router.match("GET", "/p/1")).route.handler, first);
});

Deno.test("Router.get() and post() return the router for chaining", () => {
  const router = new Router();
  assert.equal(router.get("/a", handler("a")), router);
  assert.equal(router.post("/a", handler("a")), router);
  assert.equal(router.add("PUT", "/a", handler("a")), router);
});

Deno.test("Router.match() answers OPTIONS * with 204 and every method any route serves", async () => {
  const router = new Router()
    .get("/a", () => ({ status: 204 }))
    .add("PUT", "/b/:id", () => ({ status: 204 }))
    .post("/c", () => ({ status: 204 }));
  const m = router.match("OPTIONS", "*");
  assert.equal(m.kind, "found");
  if (m.kind !== "found") return;
  const res = await m.route.handler(makeRequest("OPTIONS", "*"));
  assert.equal(res.status, 204);
  assert.deepEqual(res.headers, { "Allow": "GET, HEAD, POST, PUT" });
  // A route added later shows up in the next answer.
  router.add("DELETE", "/d", () => ({ status: 204 }));
  const again = router.match("OPTIONS", "*");
  assert.ok(again.kind === "found");
  assert.deepEqual((await again.route.handler(makeRequest("OPTIONS", "*"))).headers, {
    "Allow": "DELETE, GET, HEAD, POST, PUT",
  });
});

// Regression: the path was decoded before routing, so /a%2Fb reached the
// route /a/b and a parameter could never hold a slash.
Deno.test("Router.match() keeps an encoded slash inside its segment: /a%2Fb is not the route /a/b", () => {
  const router = new Router().get("/a/b", handler("ab")).get("/files/:name", handler("f"));
  assert.equal(found(router.match("GET", "/a/b")).route.pattern, "/a/b");
  assert.equal(router.match("GET", "/a%2Fb").kind, "not_found");
  assert.equal(router.match("GET", "/a%2fb").kind, "not_found");
  const m = found(router.match("GET", "/files/x%2Fy"));
  assert.deepEqual(m.params, { name: "x/y" }, "the parameter is decoded after matching");
  assert.equal(router.match("GET", "/files/x/y").kind, "not_found", "a real slash is two segments");
});

Deno.test("Router.match() decodes each segment once, after splitting", () => {
  const router = new Router()
    .get("/café", handler("c"))
    .get("/tags/:tag", handler("t"))
    .get("/static/*", handler("s"));
  assert.equal(found(router.match("GET", "/caf%C3%A9")).route.pattern, "/café");
  // %25 is a literal "%": decoded once, never again.
  assert.deepEqual(found(router.match("GET", "/tags/100%2525")).params, { tag: "100%25" });
  assert.deepEqual(found(router.match("GET", "/tags/a%20b")).params, { tag: "a b" });
  assert.deepEqual(found(router.match("GET", "/static/a%2Fb/c%20d")).params, { "*": "a/b/c d" });
  assert.deepEqual(found(router.match("GET", "/static/a/b")).params, { "*": "a/b" });
});

Deno.test("Router.match() names the route a request matched, as registered", () => {
  const router = new Router().get("/users/:id", handler("u")).get("/health", handler("h"));
  assert.equal(found(router.match("GET", "/users/7")).route.pattern, "/users/:id");
  assert.equal(found(router.match("HEAD", "/health")).route.pattern, "/health");
  assert.equal(found(router.match("OPTIONS", "*")).route.pattern, "*");
});

Deno.test("Router.match() answers 405 uncounted on a path whose routes are not metered", () => {
  const router = new Router().get("/health", handler("h"), { metered: false });
  assert.deepEqual(router.match("DELETE", "/health"), {
    kind: "method_not_allowed",
    allow: "GET, HEAD",
    pattern: "/health",
    metered: false,
  });
});

// Regression: serve({ routes }) set its fallback on the caller's router, so
// two servers sharing one router both answered with the second's handler.
Deno.test("withFallback() sends what the routes do not match to the fallback, and changes neither", () => {
  const routes = new Router().get("/health", handler("h"));
  const one = withFallback(routes, handler("one"));
  const two = withFallback(routes, handler("two"));
  assert.equal(routes.match("GET", "/x").kind, "not_found", "the routes themselves are unchanged");
  const a = found(one.match("GET", "/x"));
  const b = found(two.match("GET", "/x"));
  assert.notEqual(a.route.handler, b.route.handler);
  assert.equal(a.route.pattern, FALLBACK_ROUTE);
  assert.equal(found(one.match("GET", "/health")).route.pattern, "/health");
  assert.equal(one.match("POST", "/health").kind, "method_not_allowed");
});

Deno.test("a route's own body limits are kept, checked against the limits' ranges; none is null", () => {
  const handler = () => text("x");
  const router = new Router()
    .post("/small", handler, { maxBodyBytes: 10 })
    .post("/slow", handler, { body: "stream", bodyTimeoutMs: 0 })
    .post("/plain", handler);
  const found = (path: string) => {
    const m = router.match("POST", path);
    assert.equal(m.kind, "found");
    return (m as Extract<typeof m, { kind: "found" }>).route;
  };
  assert.deepEqual(found("/small").bodyLimits, { maxBodyBytes: 10 });
  assert.deepEqual(found("/slow").bodyLimits, { bodyTimeoutMs: 0 });
  assert.equal(found("/plain").bodyLimits, null);
  assert.throws(() => new Router().post("/x", handler, { maxBodyBytes: -1 }), RangeError);
  assert.throws(() => new Router().post("/x", handler, { bodyTimeoutMs: 1.5e12 }), RangeError);
});
