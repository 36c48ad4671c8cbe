/** Tests for the precompressed siblings a client accepts (src/handlers/encodings.ts). */

import assert from "node:assert/strict";
import { acceptedSiblings } from "../../src/handlers/encodings.ts";

const codings = (header: string | null) => acceptedSiblings(header).map((s) => s.coding);

Deno.test("acceptedSiblings(): br before gzip whatever the client's order", () => {
  assert.deepEqual(codings("gzip, deflate, br"), ["br", "gzip"]);
  assert.deepEqual(codings("br;q=0.5, gzip;q=1"), ["br", "gzip"]);
  assert.deepEqual(codings("gzip"), ["gzip"]);
  assert.deepEqual(codings("x-gzip"), ["gzip"]);
  assert.deepEqual(codings("BR"), ["br"]);
});

Deno.test("acceptedSiblings(): none without the header, for identity, or for q=0", () => {
  assert.deepEqual(codings(null), []);
  assert.deepEqual(codings(""), []);
  assert.deepEqual(codings("identity"), []);
  assert.deepEqual(codings("br;q=0, gzip;q=0"), []);
  assert.deepEqual(codings("gzip; q=0.000"), []);
  assert.deepEqual(codings("gzip;q=x"), []);
});

Deno.test("acceptedSiblings(): * stands for codings not named", () => {
  assert.deepEqual(codings("*"), ["br", "gzip"]);
  assert.deepEqual(codings("*, br;q=0"), ["gzip"]);
  assert.deepEqual(codings("*;q=0, gzip"), ["gzip"]);
});
