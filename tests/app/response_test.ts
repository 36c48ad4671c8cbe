import assert from "node:assert/strict";
import { responseHeader } from "../fixtures/request.ts";
import type { RawResponse } from "../../src/app/response.ts";
import { html, json, text } from "../../src/app/response.ts";

Deno.test("text() builds a 200 text/plain UTF-8 response", () => {
  assert.deepEqual(text("hi"), {
    status: 200,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
    body: "hi",
  });
});

Deno.test("json() builds an application/json response of JSON.stringify(value)", () => {
  const value = { ok: true, list: [1, "two"], nested: { a: null } };
  const res = json(value);
  assert.equal(res.status, 200);
  assert.equal(responseHeader(res, "content-type"), "application/json");
  assert.equal(res.body, JSON.stringify(value));
  assert.deepEqual(JSON.parse(res.body as string), value);
});

Deno.test("html() builds a text/html UTF-8 response and accepts bytes", () => {
  const bytes = new TextEncoder().encode("<p>hi</p>");
  const res = html(bytes);
  assert.equal(responseHeader(res, "content-type"), "text/html; charset=utf-8");
  assert.equal(res.body, bytes);
  assert.equal(html("<p>x</p>").body, "<p>x</p>");
});

Deno.test("text() and json() take a status and extra headers from init", () => {
  const res = json({ error: "nope" }, { status: 404, headers: { "cache-control": "no-store" } });
  assert.equal(res.status, 404);
  assert.equal(responseHeader(res, "content-type"), "application/json");
  assert.equal(responseHeader(res, "cache-control"), "no-store");
  assert.equal(text("x", { status: 201 }).status, 201);
});

Deno.test("text() lets a caller's own Content-Type replace the default, whatever its case", () => {
  const res = text("a,b", { headers: { "CONTENT-TYPE": "text/csv" } });
  assert.deepEqual(res.headers, { "CONTENT-TYPE": "text/csv" });
  assert.equal(responseHeader(res, "content-type"), "text/csv");
  const lower = json(1, { headers: { "content-type": "application/problem+json" } });
  assert.deepEqual(lower.headers, { "content-type": "application/problem+json" });
});

Deno.test("responseHeader() finds a field in header pairs and in an object", () => {
  const pairs: RawResponse = {
    status: 200,
    headers: [["Set-Cookie", "a=1"], ["ETag", '"x"'], ["Set-Cookie", "b=2"]],
  };
  assert.equal(responseHeader(pairs, "etag"), '"x"');
  assert.equal(responseHeader(pairs, "set-cookie"), "a=1"); // the first one
  assert.equal(responseHeader(pairs, "missing"), undefined);
  assert.equal(responseHeader({ status: 200, headers: { Location: "/x" } }, "location"), "/x");
  assert.equal(responseHeader({ status: 204 }, "location"), undefined);
});

// Regression: the argument was compared as given, so responseHeader(res, "ETag")
// missed an "etag" field although the doc promises case-insensitive names.
Deno.test("responseHeader() matches a name given in any case", () => {
  const res: RawResponse = { status: 200, headers: { etag: "1", "X-Mixed": "2" } };
  assert.equal(responseHeader(res, "ETag"), "1");
  assert.equal(responseHeader(res, "x-MIXED"), "2");
  assert.equal(
    responseHeader({ status: 200, headers: [["Connection", "close"]] }, "CONNECTION"),
    "close",
  );
});
