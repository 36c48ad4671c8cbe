/** Tests for preconditions, If-Range and Range parsing (src/handlers/conditionals.ts). */

import assert from "node:assert/strict";
import {
  type Conditions,
  evaluate,
  ifRangeHolds,
  parseHttpDate,
  parseRange,
  tagListMatches,
  type Validators,
} from "../../src/handlers/conditionals.ts";

const V: Validators = { etag: '"abc-1"', modified: Date.parse("Wed, 07 Jan 2026 10:00:00 GMT") };
const BEFORE = "Wed, 07 Jan 2026 09:59:59 GMT";
const AT = "Wed, 07 Jan 2026 10:00:00 GMT";
const AFTER = "Wed, 07 Jan 2026 10:00:01 GMT";
const NONE: Conditions = {
  ifMatch: null,
  ifUnmodifiedSince: null,
  ifNoneMatch: null,
  ifModifiedSince: null,
};

Deno.test("parseRange() reads one range: first-last, open, suffix, clamped to the last byte", () => {
  assert.deepEqual(parseRange("bytes=0-99", 1000), { start: 0, end: 99 });
  assert.deepEqual(parseRange("bytes=999-999", 1000), { start: 999, end: 999 }); // the last byte
  assert.deepEqual(parseRange("bytes=990-5000", 1000), { start: 990, end: 999 }); // past the end
  assert.deepEqual(parseRange("bytes=500-", 1000), { start: 500, end: 999 });
  assert.deepEqual(parseRange("bytes=-500", 1000), { start: 500, end: 999 });
  assert.deepEqual(parseRange("bytes=-5000", 1000), { start: 0, end: 999 }); // suffix above the size
  assert.deepEqual(parseRange("Bytes = 0-0", 1000), { start: 0, end: 0 });
  assert.deepEqual(parseRange("bytes=0-0,", 1000), { start: 0, end: 0 }); // an empty element
});

Deno.test("parseRange() finds a range starting at or past the end unsatisfiable", () => {
  assert.equal(parseRange("bytes=1000-", 1000), "unsatisfiable"); // one past the last byte
  assert.equal(parseRange("bytes=1000-2000", 1000), "unsatisfiable");
  assert.equal(parseRange("bytes=-0", 1000), "unsatisfiable");
  assert.equal(parseRange("bytes=0-", 0), "unsatisfiable"); // an empty file
  assert.equal(parseRange("bytes=-1", 0), "unsatisfiable");
  assert.equal(parseRange("bytes=2000-,3000-", 1000), "unsatisfiable");
});

Deno.test("parseRange() answers several satisfiable ranges with the whole file", () => {
  assert.equal(parseRange("bytes=0-1,5-6", 1000), "whole");
  assert.equal(parseRange("bytes=0-499,250-", 1000), "whole"); // overlapping
  // One satisfiable among unsatisfiable ones is that one range.
  assert.deepEqual(parseRange("bytes=5000-,0-9", 1000), { start: 0, end: 9 });
});

Deno.test("parseRange() ignores what is not a bytes range (the whole file, 200)", () => {
  for (const bad of ["items=0-1", "bytes", "bytes=", "bytes=a-b", "bytes=5-1", "bytes=-", "0-1"]) {
    assert.equal(parseRange(bad, 1000), "ignore", bad);
  }
  assert.equal(parseRange("bytes=0-1,x", 1000), "ignore");
});

Deno.test("evaluate() passes with no conditionals", () => {
  assert.equal(evaluate(NONE, V), "pass");
});

Deno.test("evaluate(): If-Match strong, * matches, a weak tag or another fails with 412", () => {
  assert.equal(evaluate({ ...NONE, ifMatch: '"abc-1"' }, V), "pass");
  assert.equal(evaluate({ ...NONE, ifMatch: '"x", "abc-1"' }, V), "pass");
  assert.equal(evaluate({ ...NONE, ifMatch: "*" }, V), "pass");
  assert.equal(evaluate({ ...NONE, ifMatch: 'W/"abc-1"' }, V), 412);
  assert.equal(evaluate({ ...NONE, ifMatch: '"x"' }, V), 412);
});

Deno.test("evaluate(): If-Unmodified-Since before the modification is 412; at or after passes", () => {
  assert.equal(evaluate({ ...NONE, ifUnmodifiedSince: BEFORE }, V), 412);
  assert.equal(evaluate({ ...NONE, ifUnmodifiedSince: AT }, V), "pass");
  assert.equal(evaluate({ ...NONE, ifUnmodifiedSince: AFTER }, V), "pass");
  assert.equal(evaluate({ ...NONE, ifUnmodifiedSince: "not a date" }, V), "pass");
  // If-Match present: If-Unmodified-Since is not looked at.
  assert.equal(evaluate({ ...NONE, ifMatch: '"abc-1"', ifUnmodifiedSince: BEFORE }, V), "pass");
});

Deno.test("evaluate(): If-None-Match weak list match is 304", () => {
  assert.equal(evaluate({ ...NONE, ifNoneMatch: 'W/"abc-1"' }, V), 304);
  assert.equal(evaluate({ ...NONE, ifNoneMatch: '"x", "abc-1"' }, V), 304);
  assert.equal(evaluate({ ...NONE, ifNoneMatch: "*" }, V), 304);
  assert.equal(evaluate({ ...NONE, ifNoneMatch: '"x"' }, V), "pass");
});

Deno.test("evaluate(): If-Modified-Since at or after is 304, before is 200; If-None-Match wins", () => {
  assert.equal(evaluate({ ...NONE, ifModifiedSince: AT }, V), 304);
  assert.equal(evaluate({ ...NONE, ifModifiedSince: AFTER }, V), 304);
  assert.equal(evaluate({ ...NONE, ifModifiedSince: BEFORE }, V), "pass");
  assert.equal(evaluate({ ...NONE, ifModifiedSince: "garbage" }, V), "pass");
  // RFC 9110 §13.1.3: ignored when If-None-Match is present.
  assert.equal(evaluate({ ...NONE, ifNoneMatch: '"x"', ifModifiedSince: AT }, V), "pass");
  assert.equal(evaluate({ ...NONE, ifModifiedSince: AT }, { ...V, modified: null }), "pass");
});

Deno.test("evaluate(): a failed If-Match is 412 before If-None-Match is looked at", () => {
  assert.equal(evaluate({ ...NONE, ifMatch: '"x"', ifNoneMatch: '"abc-1"' }, V), 412);
});

Deno.test("ifRangeHolds(): absent, the same strong tag, or the exact date", () => {
  assert.equal(ifRangeHolds(null, V), true);
  assert.equal(ifRangeHolds('"abc-1"', V), true);
  assert.equal(ifRangeHolds('W/"abc-1"', V), false);
  assert.equal(ifRangeHolds('"other"', V), false);
  assert.equal(ifRangeHolds(AT, V), true);
  assert.equal(ifRangeHolds(AFTER, V), false);
  assert.equal(ifRangeHolds("junk", V), false);
});

Deno.test("tagListMatches() strong and weak", () => {
  assert.equal(tagListMatches('W/"a"', '"a"', false), true);
  assert.equal(tagListMatches('W/"a"', '"a"', true), false);
  assert.equal(tagListMatches(' "b" ,"a"', '"a"', true), true);
});

Deno.test("parseHttpDate() reads the three HTTP-date forms and nothing else (RFC 9110 §5.6.7)", () => {
  const t = Date.UTC(1994, 10, 6, 8, 49, 37);
  assert.equal(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), t);
  assert.equal(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), t);
  assert.equal(parseHttpDate("Sun Nov  6 08:49:37 1994"), t);
  for (
    const bad of ["1", "2000", "2030", "garbage", "Sun, 06 Nov 1994 08:49:37 PST", "1994-11-06"]
  ) {
    assert.equal(parseHttpDate(bad), null, bad);
  }
});
