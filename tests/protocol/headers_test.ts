import assert from "node:assert/strict";
import { hasToken, RequestHeaders } from "../../src/protocol/headers.ts";

function headersOf(...pairs: Array<[string, string]>): RequestHeaders {
  const h = new RequestHeaders();
  for (const [name, value] of pairs) h.add(name, value);
  return h;
}

Deno.test("RequestHeaders.get() looks names up case-insensitively", () => {
  const h = headersOf(["content-type", "text/plain"]);
  assert.equal(h.get("Content-Type"), "text/plain");
  assert.equal(h.get("CONTENT-TYPE"), "text/plain");
  assert.equal(h.get("content-type"), "text/plain");
});

Deno.test("RequestHeaders.get() answers null for an absent field, and keeps an empty value", () => {
  const h = headersOf(["x-empty", ""]);
  assert.equal(h.get("x-missing"), null);
  assert.equal(h.get("X-Empty"), "");
});

Deno.test('RequestHeaders.get() joins repeated fields with ", "', () => {
  const h = headersOf(["accept", "text/html"], ["x-other", "1"], ["accept", "*/*"]);
  assert.equal(h.get("Accept"), "text/html, */*");
});

Deno.test('RequestHeaders.get() joins repeated cookie fields with "; "', () => {
  const h = headersOf(["cookie", "a=1"], ["cookie", "b=2; c=3"]);
  assert.equal(h.get("Cookie"), "a=1; b=2; c=3");
});

Deno.test("RequestHeaders.getAll() returns each field line's value in order", () => {
  const h = headersOf(["x-a", "1"], ["x-b", "2"], ["x-a", "3"]);
  assert.deepEqual(h.getAll("X-A"), ["1", "3"]);
  assert.deepEqual(h.getAll("x-none"), []);
});

Deno.test("RequestHeaders.has() and count() compare names case-insensitively", () => {
  const h = headersOf(["host", "a"], ["x-a", "1"], ["x-a", "2"]);
  assert.equal(h.has("HOST"), true);
  assert.equal(h.has("Hos"), false);
  assert.equal(h.count("X-A"), 2);
  assert.equal(h.count("host"), 1);
  assert.equal(h.count("nothing"), 0);
});

Deno.test("RequestHeaders.size counts field lines, repeats included", () => {
  assert.equal(new RequestHeaders().size, 0);
  assert.equal(headersOf(["a", "1"], ["a", "2"], ["b", "3"]).size, 3);
});

Deno.test("RequestHeaders iterates pairs in arrival order, repeats kept", () => {
  const pairs: Array<[string, string]> = [["host", "a"], ["x-b", "2"], ["host", "c"], ["a", "0"]];
  const h = headersOf(...pairs);
  assert.deepEqual([...h], pairs);
  assert.deepEqual([...h.entries()], pairs);
});

Deno.test("hasToken() finds a token in a comma-separated list, case- and space-insensitively", () => {
  assert.equal(hasToken("keep-alive, Upgrade", "upgrade"), true);
  assert.equal(hasToken("keep-alive, Upgrade", "keep-alive"), true);
  assert.equal(hasToken("Keep-Alive", "keep-alive"), true);
  assert.equal(hasToken("  close  ", "close"), true);
  assert.equal(hasToken("a,\tclose\t,b", "close"), true);
  assert.equal(hasToken("a,,close", "close"), true);
});

Deno.test("hasToken() does not match part of a token or an absent value", () => {
  assert.equal(hasToken("keep-alive", "alive"), false);
  assert.equal(hasToken("closed", "close"), false);
  assert.equal(hasToken("keep-alive, Upgrade", "close"), false);
  assert.equal(hasToken("", "close"), false);
  assert.equal(hasToken(null, "close"), false);
});

// Regression: only the list items were lower-cased, so hasToken("upgrade", "Upgrade")
// was false although the doc promises a case-insensitive comparison.
Deno.test("hasToken() matches a token argument given in any case", () => {
  assert.equal(hasToken("keep-alive, upgrade", "Upgrade"), true);
  assert.equal(hasToken("CLOSE", "Close"), true);
  assert.equal(hasToken("keep-alive", "Close"), false);
});

Deno.test("RequestHeaders.copy() has the same fields, and an add() to either leaves the other as it was", () => {
  const original = headersOf(["host", "a"], ["accept", "*/*"]);
  const copy = original.copy();
  assert.deepEqual(copy.pairs(), [["host", "a"], ["accept", "*/*"]]);
  copy.add("x-added", "1");
  assert.deepEqual(original.pairs(), [["host", "a"], ["accept", "*/*"]]);
  original.add("x-other", "2");
  assert.deepEqual(copy.pairs(), [["host", "a"], ["accept", "*/*"], ["x-added", "1"]]);
  assert.deepEqual(original.pairs(), [["host", "a"], ["accept", "*/*"], ["x-other", "2"]]);
  const third = copy.copy(); // a copy of a copy that has added already
  third.add("x-third", "3");
  assert.equal(copy.has("x-third"), false);
  assert.equal(third.get("x-added"), "1");
});
