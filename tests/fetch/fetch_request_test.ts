import assert from "node:assert/strict";
import { Streaming } from "../../src/server/streaming.ts";
import { toRequest } from "../../src/fetch/fetch_request.ts";
import { makeRequest, streamOf } from "../fixtures/request.ts";

Deno.test("a GET's Request answers method, url, headers and body from the native request", () => {
  const req = toRequest(makeRequest("GET", "/a/b?c=d", { headers: [["X-One", "1"]] }));
  assert.ok(req instanceof Request);
  assert.equal(req.method, "GET");
  assert.equal(req.url, "http://a/a/b?c=d");
  assert.equal(req.headers.get("x-one"), "1");
  assert.equal(req.headers.get("host"), "a");
  assert.equal(req.headers, req.headers, "the same Headers object each time");
  assert.equal(req.body, null);
  assert.equal(req.bodyUsed, false);
  assert.equal(req.signal.aborted, false);
  assert.equal(Object.prototype.toString.call(req), "[object Request]");
  assert.equal(req.constructor, Request);
});

Deno.test("every other Request member works, through a real Request built on demand", async () => {
  const req = toRequest(makeRequest("GET", "/x", { headers: [["Accept", "text/html"]] }));
  assert.equal(req.redirect, "follow");
  assert.equal(req.cache, "default");
  assert.equal(await req.text(), "");
  const copy = req.clone();
  assert.ok(copy instanceof Request);
  assert.equal(copy.url, "http://a/x");
  assert.equal(copy.headers.get("accept"), "text/html");
});

Deno.test("new Request(req) copies the method, URL, headers and body", async () => {
  const streaming = new Streaming(streamOf("hello body"), () => {});
  const raw = makeRequest("POST", "/up", {
    headers: [["Content-Type", "text/plain"], ["Content-Length", "10"]],
    streaming,
  });
  const copy = new Request(toRequest(raw));
  assert.equal(copy.method, "POST");
  assert.equal(copy.url, "http://a/up");
  assert.equal(copy.headers.get("content-type"), "text/plain");
  assert.equal(await copy.text(), "hello body");
});

Deno.test("a POST's body is read through the Request's body methods", async () => {
  const raw = makeRequest("POST", "/up", {
    headers: [["Content-Length", "2"]],
    streaming: new Streaming(streamOf("{}"), () => {}),
  });
  const req = toRequest(raw);
  assert.equal(req.bodyUsed, false);
  assert.ok(req.body instanceof ReadableStream);
  assert.deepEqual(await req.json(), {});
  assert.equal(req.bodyUsed, true);
});

Deno.test("headers are immutable, as Deno.serve's are; a copy's are the copier's to change", () => {
  const req = toRequest(makeRequest("GET", "/", { headers: [["X-One", "1"]] }));
  assert.throws(() => req.headers.set("x-added", "yes"), TypeError);
  assert.throws(() => req.headers.append("x-added", "yes"), TypeError);
  assert.throws(() => req.headers.delete("x-one"), TypeError);
  void req.clone(); // builds the real Request: the handler's view stays the same
  assert.throws(() => req.headers.set("x-added", "yes"), TypeError);
  const copy = new Request(req);
  assert.equal(copy.headers.get("x-one"), "1");
  copy.headers.set("x-added", "yes");
  assert.equal(copy.headers.get("x-added"), "yes");
});

Deno.test("url is the one a copy gets: parsed and serialised, dot segments and host case included", () => {
  const req = toRequest(makeRequest("GET", "/public/../admin", { host: "EXAMPLE.com:80" }));
  assert.equal(req.url, "http://example.com/admin");
  assert.equal(req.clone().url, req.url);
  assert.equal(new Request(req).url, req.url);
});

Deno.test("a Proxy of the request, or an object inheriting from it, works as with a real Request", async () => {
  const raw = makeRequest("POST", "/p", {
    headers: [["Content-Length", "2"]],
    streaming: new Streaming(streamOf("ok"), () => {}),
  });
  const req = toRequest(raw);
  const proxy = new Proxy(req, {});
  assert.equal(proxy.method, "POST");
  assert.equal(proxy.headers.get("content-length"), "2");
  assert.equal(await proxy.text(), "ok");
  const child = Object.create(req) as Request;
  assert.equal(child.url, "http://a/p");
  assert.equal(child.bodyUsed, true);
});

Deno.test("on a route that does not stream, each request gets its own signal", () => {
  const first = toRequest(makeRequest("GET", "/"));
  const second = toRequest(makeRequest("GET", "/"));
  assert.notEqual(first.signal, second.signal);
  assert.equal(first.signal, first.signal);
  assert.equal(first.signal.aborted, false);
});

Deno.test("the signal is the streaming parts', and aborts when they fail", () => {
  const streaming = new Streaming(null, () => {});
  const req = toRequest(makeRequest("GET", "/", { streaming }));
  const signal = req.signal;
  assert.equal(req.signal, signal, "the same signal each time");
  streaming.done(new Error("client gone"));
  assert.equal(signal.aborted, true);
  assert.equal((signal.reason as Error).message, "client gone");
});

Deno.test("awaiting the Request, or reading a key it lacks, leaves it as it is", async () => {
  const req = toRequest(makeRequest("GET", "/"));
  assert.equal(await Promise.resolve(req), req);
  assert.equal((req as unknown as Record<string, unknown>)["nonsense"], undefined);
  (req as unknown as Record<string, unknown>)["extra"] = 1;
  assert.equal((req as unknown as Record<string, unknown>)["extra"], 1);
});

Deno.test("a Host the URL parser refuses is a TypeError, as with new Request", () => {
  assert.throws(() => toRequest(makeRequest("GET", "/", { host: "a%zz" })), TypeError);
});

Deno.test("each request's url is its own, in runs of one URL and between others and refused ones", () => {
  // The last URL's parse is remembered: a change of host or target, or a
  // refused one in between, must never hand out another request's URL.
  const cases: Array<[string, string, string | null]> = [
    ["a", "/x", "http://a/x"],
    ["a", "/x", "http://a/x"],
    ["b", "/x", "http://b/x"],
    ["a%zz", "/x", null],
    ["a%zz", "/x", null],
    ["b", "/x", "http://b/x"],
    ["b", "/y", "http://b/y"],
    ["a%zz", "/x", null],
    ["a", "/x", "http://a/x"],
    // The absolute-form's URL is its target, whatever the Host says.
    ["a", "http://c/x", "http://c/x"],
    ["b", "http://c/x", "http://c/x"],
    ["c", "/x", "http://c/x"],
    ["a", "/x", "http://a/x"],
    ["a", "http://a/x", "http://a/x"],
    ["b", "/x", "http://b/x"],
  ];
  for (const [host, target, url] of cases) {
    const make = () => toRequest(makeRequest("GET", target, { host }));
    if (url === null) assert.throws(make, TypeError, `${host} ${target}`);
    else assert.equal(make().url, url);
  }
});

Deno.test("an absolute-form target is the URL; one that does not parse is a TypeError", () => {
  assert.equal(toRequest(makeRequest("GET", "http://B.example/p?q")).url, "http://b.example/p?q");
  assert.throws(() => toRequest(makeRequest("GET", "http://b%zz/")), TypeError);
});

Deno.test("method, url, headers, signal and a GET's body build no Request; other members build one", async () => {
  const original = globalThis.Request;
  let built = 0;
  globalThis.Request = class extends original {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(input, init);
      built++;
    }
  };
  try {
    const req = toRequest(makeRequest("GET", "/", { streaming: new Streaming(null, () => {}) }));
    void [req.method, req.url, req.headers.get("host"), req.signal, req.body, req.bodyUsed];
    await Promise.resolve(req);
    void [String(req), `${req}`, Object.prototype.toString.call(req), req.toString()];
    void [Object.getPrototypeOf(req), (req as unknown as { __proto__: unknown }).__proto__];
    assert.equal(built, 0);
    void req.mode;
    void req.text();
    assert.equal(built, 1, "built once, on first need");
  } finally {
    globalThis.Request = original;
  }
});

Deno.test("a TRACE request reads its method, url and headers; a real Request is a clear TypeError", async () => {
  const req = toRequest(makeRequest("TRACE", "/", { headers: [["X-K", "v"]] }));
  assert.equal(req.method, "TRACE");
  assert.equal(req.url, "http://a/");
  assert.equal(req.headers.get("x-k"), "v");
  assert.equal(req.body, null);
  assert.throws(() => req.clone(), {
    name: "TypeError",
    message: /TRACE request has no fetch Request/,
  });
  await assert.rejects(async () => await req.text(), TypeError);
});
