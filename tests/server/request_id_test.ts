/** Tests for request ids (src/server/request_id.ts): accepted, refused, generated, echoed, logged. */

import assert from "node:assert/strict";
import { isRequestId, newRequestId, requestIdOf } from "../../src/server/request_id.ts";
import { logAccess } from "../../src/server/access_log.ts";
import { formatterFor } from "../../src/server/log.ts";
import { capturingLogs } from "../fixtures/logs.ts";
import { exchange, startServer, testRouter } from "../fixtures/harness.ts";
import { parsedHead } from "../fixtures/exchange.ts";

const REMOTE = { hostname: "192.0.2.7", port: 51000 };
const GENERATED = /^[a-z0-9]{13}-[a-z0-9]+$/;

Deno.test("isRequestId(): 1-128 of A-Z a-z 0-9 . _ -, nothing else", () => {
  for (const ok of ["a", "abc-123_X.y", "x".repeat(128), "4bf92f3577b34da6a3ce929d0e0e4736"]) {
    assert.ok(isRequestId(ok), ok);
  }
  for (const bad of ["", "x".repeat(129), "a b", "a,b", "a\tb", "é", "a/b", '"x"', "a;b"]) {
    assert.ok(!isRequestId(bad), bad);
  }
});

Deno.test("newRequestId(): a per-process prefix and a counter, each one new", () => {
  const a = newRequestId();
  const b = newRequestId();
  assert.match(a, GENERATED);
  assert.notEqual(a, b);
  assert.equal(a.slice(0, 14), b.slice(0, 14), "same prefix");
  const seen = new Set(Array.from({ length: 1000 }, newRequestId));
  assert.equal(seen.size, 1000);
});

Deno.test("requestIdOf(): the client's when well-formed, else a new one", () => {
  const h = (v: string) =>
    parsedHead(`GET / HTTP/1.1\r\nHost: h\r\nX-Request-Id: ${v}\r\n\r\n`).headers;
  assert.equal(requestIdOf(h("trace-42.a_b")), "trace-42.a_b");
  assert.match(requestIdOf(h("has space")), GENERATED);
  assert.match(requestIdOf(h("x".repeat(200))), GENERATED);
  assert.match(requestIdOf(parsedHead("GET / HTTP/1.1\r\nHost: h\r\n\r\n").headers), GENERATED);
  assert.match(requestIdOf(null), GENERATED);
  // Two X-Request-Id fields join with ", ": refused, so a new one.
  const two = parsedHead("GET / HTTP/1.1\r\nHost: h\r\nX-Request-Id: a\r\nX-Request-Id: b\r\n\r\n");
  assert.match(requestIdOf(two.headers), GENERATED);
});

Deno.test("requestIdHeader: every response carries X-Request-Id, the client's echoed or a new one", async () => {
  await using s = startServer({ requestIdHeader: true });
  const echoed = await exchange(s.port, "GET / HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc-1\r\n\r\n");
  assert.equal(echoed.headers.get("x-request-id"), "abc-1");
  const refused = await exchange(
    s.port,
    "GET / HTTP/1.1\r\nHost: x\r\nX-Request-Id: <script>\r\n\r\n",
  );
  assert.match(refused.headers.get("x-request-id") ?? "", GENERATED);
  const made = await fetch(`${s.url}/hello`);
  await made.text();
  assert.match(made.headers.get("x-request-id") ?? "", GENERATED);
  const missed = await fetch(`${s.url}/nowhere`);
  await missed.text();
  assert.equal(missed.status, 404);
  assert.match(missed.headers.get("x-request-id") ?? "", GENERATED);
  const posted = await fetch(`${s.url}/echo`, {
    method: "POST",
    body: "hi",
    headers: { "x-request-id": "p-2" },
  });
  assert.equal(await posted.text(), "hi");
  assert.equal(posted.headers.get("x-request-id"), "p-2");
});

Deno.test("requestIdHeader: a handler's own X-Request-Id is kept, and logged", async () => {
  await capturingLogs("info", async (records) => {
    const router = testRouter().get("/own", () => ({
      status: 200,
      headers: { "x-request-id": "mine" },
      body: "x",
    }));
    await using s = startServer({ requestIdHeader: true }, router);
    const res = await fetch(`${s.url}/own`);
    await res.text();
    assert.equal(res.headers.get("x-request-id"), "mine");
    const access = records.find((r) => r.category.join(".") === "rawhttp.access")!;
    assert.equal(access.properties.requestId, "mine");
  });
});

Deno.test("without requestIdHeader (the default) responses carry no X-Request-Id", async () => {
  await using s = startServer();
  const res = await fetch(`${s.url}/hello`, { headers: { "x-request-id": "abc" } });
  await res.text();
  assert.equal(res.headers.get("x-request-id"), null);
});

Deno.test("the access line: method, route, status, bytes, duration, peer, request id, user agent, in text and JSON", async () => {
  await capturingLogs("info", async (records) => {
    await using s = startServer({ requestIdHeader: true });
    const res = await exchange(
      s.port,
      "GET /hello?x=1 HTTP/1.1\r\nHost: x\r\nUser-Agent: probe/1.0 (test)\r\nX-Request-Id: join-me\r\n\r\n",
    );
    assert.equal(res.headers.get("x-request-id"), "join-me");
    const access = records.find((r) => r.category.join(".") === "rawhttp.access")!;
    const p = access.properties;
    assert.equal(p.method, "GET");
    assert.equal(p.path, "/hello");
    assert.equal(p.route, "/hello");
    assert.equal(p.status, 200);
    assert.ok((p.bytes as number) > 0);
    assert.equal(typeof p.durationMs, "number");
    assert.match(p.remote as string, /^127\.0\.0\.1:\d+$/);
    assert.equal(p.requestId, "join-me");
    assert.equal(p.userAgent, "probe/1.0 (test)");
    const text = formatterFor("text")(access);
    assert.match(
      text,
      /GET \/hello 200 \d+B [\d.]+ms 127\.0\.0\.1:\d+ \/hello id=join-me ua=probe\/1\.0 \(test\)\n$/,
    );
    const json = JSON.parse(formatterFor("json")(access));
    assert.equal(json.properties.requestId, "join-me");
    assert.equal(json.properties.route, "/hello");
    assert.equal(json.properties.userAgent, "probe/1.0 (test)");
  });
});

Deno.test("the access line of an unmatched path and of a refusal: route '-', an id generated", async () => {
  await capturingLogs("info", async (records) => {
    await using s = startServer();
    await exchange(s.port, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
    const miss = records.find((r) => r.category.join(".") === "rawhttp.access")!;
    assert.equal(miss.properties.route, "-");
    assert.match(miss.properties.requestId as string, GENERATED);
  });
  await capturingLogs("info", (records) => {
    logAccess(REMOTE, null, 400, 90, performance.now(), "obs_fold");
    assert.match(records[0]!.properties.requestId as string, GENERATED);
    assert.equal(records[0]!.properties.userAgent, "-");
    return Promise.resolve();
  });
});
