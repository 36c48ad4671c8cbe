/**
 * The head parser against its plain reference (tests/reference/parse_head.ts):
 * random request heads, valid and mutated, fed whole and at every split
 * point, and again and again on one parser (so the same-head replay with
 * its word-at-a-time compare, the interned names and values and the
 * field-line cache are all taken), must give the reference's head field for
 * field, or its refusal code, or "incomplete" where it says so, after every
 * feed.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  DEFAULT_HEAD_LIMITS,
  type HeadLimits,
  HeadParser,
  type HeadResult,
} from "../../src/protocol/head_parser.ts";
import { bytes, INVALID_HEADS, SMALL_LIMITS, VALID_HEADS } from "../fixtures/requests.ts";
import { snapshot } from "../fixtures/split.ts";
import { type ReferenceHead, referenceParseHead } from "../reference/parse_head.ts";

/** A parser's result as the reference's plain data: the usual snapshot, and a head's framing fields. */
function view(result: HeadResult): ReferenceHead {
  const plain = snapshot(result);
  if (plain.kind !== "head") return plain;
  const h = (result as Extract<HeadResult, { kind: "head" }>).head;
  return {
    ...plain,
    contentLength: [...h.contentLength],
    transferEncoding: [...h.transferEncoding],
    connection: h.connection,
    expect: h.expect,
  };
}

/** The input as latin1 text, for assertion messages. */
function show(input: Uint8Array): string {
  return JSON.stringify(String.fromCharCode(...input));
}

/**
 * Feeds `input` to `parser` as a connection would after a previous request:
 * copied into `into` at `offset` (so the head starts on or off a word
 * boundary), with growing ends; every result must be the reference's for the
 * bytes fed so far. Resets the parser after, and plays a handler that adds
 * a field to the head it got (a replayed head must not see it).
 */
function feedAndCompare(
  parser: HeadParser,
  input: Uint8Array,
  ends: readonly number[],
  expected: (end: number) => ReferenceHead,
  into: Uint8Array,
  offset: number,
): void {
  into.set(input, offset);
  for (const end of ends) {
    const result = parser.feed(into, offset, offset + end);
    assert.deepEqual(view(result), expected(end), `${show(input)} fed up to ${end}`);
    if (result.kind === "head") result.head.headers.add("x-added-by-handler", "1");
    if (result.kind !== "incomplete") break;
  }
  parser.reset();
}

// ---------------------------------------------------------------------------
// Random heads
// ---------------------------------------------------------------------------

const TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const TARGET_CHARS = Array.from({ length: 0x5e }, (_, i) => String.fromCharCode(0x21 + i))
  .filter((c) => c !== "#");
const token = fc.string({ unit: fc.constantFrom(...TCHARS), minLength: 1, maxLength: 8 });

const method = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom("TRACE", "CONNECT", "BREW", "get", "G\x00T", "", "GE\tT"),
  },
);
const target = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      "/",
      "/a/b?x=1&y",
      "/caf%C3%A9",
      "/a%2Fb?q?r",
      "http://h/x?y",
      "HTTP://H",
      "https://a.b:8?q",
    ),
  },
  {
    weight: 4,
    arbitrary: fc.string({ unit: fc.constantFrom(...TARGET_CHARS), maxLength: 20 })
      .map((s) => "/" + s),
  },
  { weight: 1, arbitrary: fc.constantFrom("/%zz", "/%00", "*", "h", "/a#b", "/\x7f", "/\xe9") },
);
const version = fc.oneof(
  { weight: 16, arbitrary: fc.constantFrom("HTTP/1.1", "HTTP/1.0") },
  {
    weight: 1,
    arbitrary: fc.constantFrom("HTTP/2.0", "HTTP/1.2", "HTTP/1.10", "http/1.1", "HTTP/1.x", ""),
  },
);
const space = fc.oneof(
  { weight: 12, arbitrary: fc.constant(" ") },
  fc.constantFrom("  ", "\t", ""),
);

const fieldName = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.constantFrom(
      "Host",
      "Content-Length",
      "Transfer-Encoding",
      "Connection",
      "Expect",
      "Accept",
      "Cookie",
      "X-Aa", // "Aa" and "BB" hash alike: the caches' slots collide
      "X-BB",
      "x-aa",
    ),
  },
  { weight: 6, arbitrary: token },
  { weight: 1, arbitrary: fc.constantFrom("", "Bad Name", "X\x00", "\xe9", " Folded") },
);
const valueChar = fc.oneof(
  { weight: 100, arbitrary: fc.constantFrom(...TARGET_CHARS, "#", " ", "\t") },
  { weight: 3, arbitrary: fc.constantFrom("\x80", "\x9f", "\xe9", "\xff") },
  { weight: 1, arbitrary: fc.constantFrom("\x00", "\x7f", "\x1f", "\r", "\n") },
);
const fieldValue = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      "a",
      "example.com",
      "example.com:8080",
      "[::1]:80",
      "bad host",
      "5",
      "chunked",
      "close",
      "100-continue",
      "",
      " x ",
      "caf\xe9",
      "Aa",
      "BB",
    ),
  },
  { weight: 3, arbitrary: fc.string({ unit: valueChar, maxLength: 20 }) },
);
const colon = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(": ", ":") },
  fc.constantFrom(":\t", " :", ":  "),
);
const fieldLine = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.tuple(fieldName, colon, fieldValue, fc.constantFrom("", "", " ", "\t"))
      .map(([n, c, v, ows]) => `${n}${c}${v}${ows}`),
  },
  // Lines whose hashes are equal ("Aa" and "BB" hash alike, and so do "x~"
  // and "y_" lower-cased): only the caches' byte compare tells them apart.
  { weight: 1, arbitrary: fc.constantFrom("X-Aa: 1", "X-BB: 1", "X-x~: Aa", "X-y_: BB") },
).map((line) => line + "\r\n");

const headText = fc.record({
  leading: fc.constantFrom("", "", "\r\n", "\r\n\r\n"),
  method,
  sp1: space,
  target,
  sp2: space,
  version,
  host: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false)),
  fields: fc.array(fieldLine, { maxLength: 7 }),
  end: fc.oneof(
    { weight: 8, arbitrary: fc.constant("\r\n") },
    fc.constantFrom("", "\n", "\r", "\r\r\n"),
  ),
  rest: fc.constantFrom("", "", "GET / HTTP/1.1\r\n", "hello"),
}).map((h) =>
  h.leading + h.method + h.sp1 + h.target + h.sp2 + h.version + "\r\n" +
  (h.host ? "Host: h\r\n" : "") + h.fields.join("") + h.end + h.rest
);

/** A one-byte edit: set, insert or delete at a position (taken modulo the length). */
interface Edit {
  readonly op: "set" | "insert" | "delete";
  readonly at: number;
  readonly byte: number;
}
const edit: fc.Arbitrary<Edit> = fc.record({
  op: fc.constantFrom("set" as const, "insert" as const, "delete" as const),
  at: fc.nat(),
  byte: fc.oneof(fc.nat(255), fc.constantFrom(0x0d, 0x0a, 0x20, 0x09, 0x3a, 0x00, 0x7f, 0x80)),
});

function applyEdits(input: Uint8Array, edits: readonly Edit[]): Uint8Array {
  const out = [...input];
  for (const e of edits) {
    const at = e.at % (out.length + 1);
    if (e.op === "insert") out.splice(at, 0, e.byte);
    else if (at < out.length) {
      if (e.op === "set") out[at] = e.byte;
      else out.splice(at, 1);
    }
  }
  return Uint8Array.from(out);
}

const FIXTURES = [...VALID_HEADS.map((f) => f.head + f.rest), ...INVALID_HEADS.map((f) => f.raw)];

const input: fc.Arbitrary<Uint8Array> = fc.tuple(
  fc.oneof({ weight: 4, arbitrary: headText }, fc.constantFrom(...FIXTURES)),
  fc.oneof(
    { weight: 3, arbitrary: fc.constant<Edit[]>([]) },
    fc.array(edit, { minLength: 1, maxLength: 2 }),
  ),
).map(([text, edits]) => applyEdits(bytes(text), edits));

const limits: fc.Arbitrary<HeadLimits> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(DEFAULT_HEAD_LIMITS, SMALL_LIMITS) },
  fc.record({
    maxRequestLineBytes: fc.integer({ min: 1, max: 80 }),
    maxHeadBytes: fc.integer({ min: 1, max: 200 }),
    maxHeaderCount: fc.integer({ min: 0, max: 8 }),
  }),
);

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

/** A head and heads of the same length that differ from it in one byte (the replay's near misses). */
const family = fc.tuple(
  fc.oneof({ weight: 3, arbitrary: headText.map(bytes) }, input),
  fc.array(
    fc.record({
      fromEnd: fc.oneof({ weight: 3, arbitrary: fc.nat(4) }, fc.nat()),
      byte: fc.oneof(fc.nat(255), fc.constantFrom(0x0d, 0x0a, 0x20, 0x3a, 0x61)),
    }),
    { maxLength: 3 },
  ),
).map(([base, changes]) => [
  base,
  ...changes.map(({ fromEnd, byte }) => {
    const variant = base.slice();
    if (base.length > 0) variant[base.length - 1 - (fromEnd % base.length)] = byte;
    return variant;
  }),
]);

Deno.test("HeadParser.feed() gives the reference's head or refusal, heads and near misses repeated on one parser (replay, interner, LineCache)", () => {
  // One scratch buffer shared by the runs: the parser's word view of a
  // buffer is made once per buffer, and the buffer's bytes change under it.
  const scratch = new Uint8Array(4096);
  fc.assert(
    fc.property(
      limits,
      fc.array(family, { minLength: 1, maxLength: 2 }).map((families) => families.flat()),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 3 }), fc.nat(7), fc.boolean()), {
        minLength: 4,
        maxLength: 16,
      }),
      (lim, heads, order) => {
        const parser = new HeadParser(lim);
        const expected = heads.map((bytes) => referenceParseHead(bytes, lim));
        for (const [pick, times, offset, fresh] of order) {
          const i = pick % heads.length;
          const bytes = heads[i]!;
          for (let t = 0; t < times; t++) {
            const into = fresh ? new Uint8Array(bytes.length + 8) : scratch;
            feedAndCompare(parser, bytes, [bytes.length], () => expected[i]!, into, offset);
          }
        }
      },
    ),
    { numRuns: 400 },
  );
});

Deno.test("HeadParser.feed() replays a remembered head only for its exact bytes: every one-byte change, on and off a word boundary", () => {
  fc.assert(
    fc.property(headText.map(bytes), fc.nat(3), (base, offset) => {
      const lim = DEFAULT_HEAD_LIMITS;
      const into = new Uint8Array(base.length + 8);
      const whole = referenceParseHead(base, lim);
      for (let at = 0; at < base.length; at++) {
        // The head twice (now remembered), then it with one byte changed. A
        // parser each time: after a miss, a parser remembers fewer heads.
        const parser = new HeadParser(lim);
        for (let t = 0; t < 2; t++) {
          feedAndCompare(parser, base, [base.length], () => whole, into, offset);
        }
        const variant = base.slice();
        variant[at] = base[at] === 0x61 ? 0x62 : 0x61;
        const expected = referenceParseHead(variant, lim);
        feedAndCompare(parser, variant, [variant.length], () => expected, into, offset);
      }
    }),
    { numRuns: 40 },
  );
});

Deno.test("HeadParser.feed() gives the reference's result after every feed, split at every point and byte by byte", () => {
  fc.assert(
    fc.property(limits, input, fc.integer({ min: 0, max: 3 }), (lim, bytes, offset) => {
      const n = bytes.length;
      const expected = Array.from(
        { length: n + 1 },
        (_, end) => referenceParseHead(bytes.subarray(0, end), lim),
      );
      const at = (end: number) => expected[end]!;
      const parser = new HeadParser(lim);
      const into = new Uint8Array(n + 8);
      // Whole, twice: the head is then remembered, and a split whose first
      // piece holds it all is answered by the replay.
      for (let t = 0; t < 3; t++) feedAndCompare(parser, bytes, [n], at, into, offset);
      for (let k = 0; k <= n; k++) feedAndCompare(parser, bytes, [k, n], at, into, offset);
      const oneByOne = Array.from({ length: n }, (_, i) => i + 1);
      feedAndCompare(parser, bytes, oneByOne, at, into, offset);
    }),
    { numRuns: 150 },
  );
});

Deno.test("the reference agrees with every fixture's expected head or code", () => {
  for (const f of VALID_HEADS) {
    const r = referenceParseHead(bytes(f.head + f.rest), f.limits);
    assert.equal(r.kind, "head", f.name);
    if (r.kind === "head") {
      assert.equal(r.consumed, f.head.length, f.name);
      assert.deepEqual(r.headers, f.headers, f.name);
      assert.deepEqual([r.method, r.target, r.version, r.path, r.rawPath, r.query], [
        f.method,
        f.target,
        f.version,
        f.path,
        f.rawPath,
        f.query,
      ], f.name);
    }
  }
  for (const f of INVALID_HEADS) {
    const r = referenceParseHead(bytes(f.raw), f.limits ?? DEFAULT_HEAD_LIMITS);
    assert.deepEqual(r, { kind: "error", code: f.code }, f.name);
  }
});
