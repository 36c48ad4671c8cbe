/** Tests for one header field line parsed, and the Host check, in src/protocol/_field_lines.ts. */

import assert from "node:assert/strict";
import { isValidHost, parseFieldLine } from "../../src/protocol/_field_lines.ts";
import { bytes } from "../fixtures/requests.ts";

Deno.test("parseFieldLine() lower-cases the name and trims OWS around the value", () => {
  const line = bytes("X-Mixed-Case: \t a b \t");
  assert.deepEqual(parseFieldLine(line, 0, line.length), ["x-mixed-case", "a b"]);
  const sub = bytes("??Name:v??");
  assert.deepEqual(parseFieldLine(sub, 2, sub.length - 2), ["name", "v"]);
});

Deno.test("parseFieldLine() names each malformed field line", () => {
  const cases: [string, string][] = [
    [" x: y", "obs_fold"],
    ["\tx: y", "obs_fold"],
    ["NoColon", "missing_colon"],
    ["x : y", "space_before_colon"],
    ["x\t: y", "space_before_colon"],
    [": y", "invalid_header_name"],
    ["x/y: z", "invalid_header_name"],
    ["x: a\x00", "invalid_header_value"],
    ["x: \x7f", "invalid_header_value"],
  ];
  for (const [text, code] of cases) {
    const line = bytes(text);
    assert.equal(parseFieldLine(line, 0, line.length), code, JSON.stringify(text));
  }
});

Deno.test("parseFieldLine() keeps an empty or all-whitespace value as empty, and obs-text as latin1", () => {
  for (const text of ["X-Empty:", "X-Empty:   ", "X-Empty:\t \t"]) {
    const line = bytes(text);
    assert.deepEqual(parseFieldLine(line, 0, line.length), ["x-empty", ""], JSON.stringify(text));
  }
  const latin = new Uint8Array([...bytes("X-L: caf"), 0xe9, 0xff]);
  assert.deepEqual(parseFieldLine(latin, 0, latin.length), ["x-l", "caf\xe9\xff"]);
  const inner = bytes("X-In: a \t b");
  assert.deepEqual(parseFieldLine(inner, 0, inner.length), ["x-in", "a \t b"], "inner OWS kept");
});

Deno.test("parseFieldLine() answers a line seen before the same, and sees a change of one byte", () => {
  const seen = new Map<string, unknown>();
  for (let round = 0; round < 3; round++) {
    for (const text of ["Accept: */*", "ACCEPT: */*", "Accept: */+", "Accept: */*\x01"]) {
      const line = bytes(text);
      const got = parseFieldLine(line, 0, line.length);
      if (round === 0) seen.set(text, got);
      else assert.deepEqual(got, seen.get(text), `round ${round}: ${JSON.stringify(text)}`);
    }
  }
  assert.deepEqual(seen.get("ACCEPT: */*"), ["accept", "*/*"]);
  assert.deepEqual(seen.get("Accept: */+"), ["accept", "*/+"]);
  assert.equal(seen.get("Accept: */*\x01"), "invalid_header_value");
});

Deno.test("isValidHost() accepts a reg-name, IPv4 or bracketed IPv6, each with an optional port, and empty", () => {
  for (
    const host of [
      "",
      "a",
      "example.com",
      "example.com:8080",
      "127.0.0.1:80",
      "[::1]",
      "[::1]:443",
      "[2001:db8::1]",
      "a-b_c~d%41",
      "host:",
    ]
  ) assert.equal(isValidHost(host), true, JSON.stringify(host));
});

Deno.test("isValidHost() refuses spaces, slashes, userinfo, a bad port or an unclosed bracket", () => {
  for (
    const host of [
      "a b",
      "a/b",
      "user@a",
      "a:b",
      "a:80:90",
      "[::1",
      "::1",
      "[zz::1]",
      "a\tb",
      "é.example",
    ]
  ) assert.equal(isValidHost(host), false, JSON.stringify(host));
});

Deno.test("isValidHost() still refuses a bad host right after a good one (its one-entry cache)", () => {
  for (let i = 0; i < 3; i++) {
    assert.equal(isValidHost("cached.example"), true);
    assert.equal(isValidHost("cached.example/x"), false);
    assert.equal(isValidHost("cached.example"), true);
  }
});
