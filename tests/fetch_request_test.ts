import assert from "node:assert/strict";
import { Exchange } from "../src/exchange.ts";
import { toRequest } from "../src/fetch_request.ts";
import { makeRequest } from "./fixtures/request.ts";

function streamOf(text: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });
}

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
  const exchange = new Exchange(streamOf("hello body"), () => {});
  const raw = makeRequest("POST", "/up", {
    headers: [["Content-Type", "text/plain"], ["Content-Length", "10"]],
    streaming: exchange,
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
    streaming: new Exchange(streamOf("{}"), () => {}),
  });
  const req = toRequest(raw);
  assert.equal(req.bodyUsed, false);
  assert.ok(req.body instanceof ReadableStream);
  assert.deepEqual(await req.json(), {});
  assert.equal(req.bodyUsed, true);
});

Deno.test("headers taken before the real Request is built carry into it", async () => {
  const req = toRequest(makeRequest("GET", "/"));
  req.headers.set("x-added", "yes");
  assert.equal(new Request(req).headers.get("x-added"), "yes");
  await req.arrayBuffer(); // builds the real Request; headers stay the same object
  assert.equal(req.headers.get("x-added"), "yes");
});

Deno.test("the signal is the exchange's, and aborts when the exchange fails", () => {
  const exchange = new Exchange(null, () => {});
  const req = toRequest(makeRequest("GET", "/", { streaming: exchange }));
  const signal = req.signal;
  assert.equal(req.signal, signal, "the same signal each time");
  exchange.done(new Error("client gone"));
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

Deno.test("an absolute-form target is the URL as sent; one that does not parse is a TypeError", () => {
  assert.equal(toRequest(makeRequest("GET", "http://b.example/p?q")).url, "http://b.example/p?q");
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
    const req = toRequest(makeRequest("GET", "/", { streaming: new Exchange(null, () => {}) }));
    void [req.method, req.url, req.headers.get("host"), req.signal, req.body, req.bodyUsed];
    await Promise.resolve(req);
    assert.equal(built, 0);
    void req.mode;
    void req.text();
    assert.equal(built, 1, "built once, on first need");
  } finally {
    globalThis.Request = original;
  }
});
