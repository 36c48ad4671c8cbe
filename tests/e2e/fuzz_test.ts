/**
 * Property-based tests for the head parser, body framing and the chunked
 * decoder: random and mutated bytes never make them throw, a request built
 * from random parts reads back exactly, and where the input is cut never
 * changes the outcome.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { ChunkedDecoder, type ChunkedLimits } from "../../src/protocol/chunked.ts";
import { REJECTIONS } from "../../src/protocol/rejections.ts";
import { bodyFraming } from "../../src/protocol/framing.ts";
import {
  DEFAULT_HEAD_LIMITS,
  type HeadLimits,
  HeadParser,
} from "../../src/protocol/head_parser.ts";
import {
  bytes,
  CHUNKED_LIMITS,
  INVALID_CHUNKED,
  INVALID_HEADS,
  SMALL_LIMITS,
  VALID_CHUNKED,
  VALID_HEADS,
} from "../fixtures/requests.ts";
import { byteByByte, decodeChunked, feedHead, snapshot } from "../fixtures/split.ts";

const RUNS = { numRuns: 500 };

const HEAD_LIMITS: readonly HeadLimits[] = [DEFAULT_HEAD_LIMITS, SMALL_LIMITS];
const CHUNK_CODES: ReadonlySet<string> = new Set(["invalid_chunk", "body_too_large"]);

/** Feeds `input` whole and byte by byte; asserts no throw and a well-formed result. */
function checkHead(input: Uint8Array, limits: HeadLimits): void {
  for (const ends of [[input.length], byteByByte(input.length)]) {
    const r = feedHead(input, limits, ends);
    switch (r.kind) {
      case "incomplete":
        break;
      case "error":
        assert.ok(r.code in REJECTIONS, r.code);
        break;
      case "head":
        assert.ok(r.consumed > 0 && r.consumed <= input.length, `consumed ${r.consumed}`);
        assert.ok(r.consumed <= limits.maxHeadBytes);
        break;
      default:
        assert.fail(`unknown kind ${JSON.stringify(r)}`);
    }
  }
}

/** Decodes `input` whole; asserts no throw and a count or a chunk refusal. */
function checkChunked(input: Uint8Array, limits: ChunkedLimits = CHUNKED_LIMITS): void {
  const decoder = new ChunkedDecoder(limits);
  let delivered = 0;
  const r = decoder.decode(input, 0, input.length, (p) => delivered += p.length);
  if (typeof r === "number") {
    assert.ok(Number.isInteger(r) && r >= 0 && r <= input.length, `consumed ${r}`);
    assert.equal(decoder.total >= delivered, true);
    if (!decoder.done) assert.equal(r, input.length, "an unfinished body consumes all it gets");
  } else {
    assert.ok(CHUNK_CODES.has(r), r);
  }
  assert.ok(delivered <= limits.maxBodyBytes);
}

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

/** Pieces of request heads, so random inputs reach past the request line. */
const HEAD_PIECES = [
  "GET",
  "POST",
  "OPTIONS",
  "get",
  " ",
  "/",
  "/a%20b",
  "%zz",
  "?q=1",
  "*",
  "#",
  "http://h",
  "HTTP/1.1",
  "HTTP/1.0",
  "HTTP/2.0",
  "\r\n",
  "\r",
  "\n",
  "Host",
  "Content-Length",
  "Transfer-Encoding",
  ":",
  " a",
  "\t",
  "chunked",
  "5",
  "\x00",
  "\x7f",
  "\x80\xff",
];

/** Pieces of chunked bodies. */
const CHUNK_PIECES = [
  "0",
  "5",
  "a",
  "F",
  "00",
  "\r\n",
  "\r",
  "\n",
  ";",
  "a=b",
  '"q"',
  "hello",
  " ",
  "\t",
  "X",
  ": y",
  "\x00",
  "\x80",
];

function fromPieces(pieces: readonly string[]): fc.Arbitrary<Uint8Array> {
  return fc.array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...pieces).map(bytes) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 4 }) },
    ),
    { maxLength: 40 },
  ).map((parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  });
}

type Mutation =
  | { op: "flip"; at: number; bit: number }
  | { op: "insert" | "set"; at: number; byte: number }
  | { op: "delete" | "truncate"; at: number };

const INTERESTING_BYTES = [0x0d, 0x0a, 0x20, 0x09, 0x3a, 0x3b, 0x00, 0x7f, 0x80, 0xff, 0x30];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    op: fc.constant("flip" as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({
    op: fc.constantFrom("insert" as const, "set" as const),
    at: fc.nat(),
    byte: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...INTERESTING_BYTES)),
  }),
  fc.record({ op: fc.constantFrom("delete" as const, "truncate" as const), at: fc.nat() }),
);

/** Applies byte flips, insertions, overwrites, deletions and truncations in order. */
function mutate(input: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = [...input];
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % (out.length + (m.op === "insert" ? 1 : 0));
    switch (m.op) {
      case "flip":
        if (out.length > 0) out[at] = out[at]! ^ (1 << m.bit);
        break;
      case "set":
        if (out.length > 0) out[at] = m.byte;
        break;
      case "insert":
        out.splice(at, 0, m.byte);
        break;
      case "delete":
        out.splice(at, 1);
        break;
      case "truncate":
        out = out.slice(0, at);
        break;
    }
  }
  return Uint8Array.from(out);
}

const HEAD_FIXTURES = [
  ...VALID_HEADS.map((f) => bytes(f.head + f.rest)),
  ...INVALID_HEADS.map((f) => bytes(f.raw)),
];
const CHUNKED_FIXTURES = [
  ...VALID_CHUNKED.map((f) => bytes(f.body + f.rest)),
  ...INVALID_CHUNKED.map((f) => bytes(f.body)),
];

const mutatedHead = fc.tuple(
  fc.constantFrom(...HEAD_FIXTURES),
  fc.array(mutation, { minLength: 1, maxLength: 4 }),
).map(([input, ms]) => mutate(input, ms));

const mutatedChunked = fc.tuple(
  fc.constantFrom(...CHUNKED_FIXTURES),
  fc.array(mutation, { minLength: 1, maxLength: 4 }),
).map(([input, ms]) => mutate(input, ms));

// ---------------------------------------------------------------------------
// (a) and (b): never throw
// ---------------------------------------------------------------------------

Deno.test("HeadParser.feed() never throws on random bytes", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...HEAD_LIMITS), checkHead),
    RUNS,
  );
});

Deno.test("HeadParser.feed() never throws on random pieces of heads", () => {
  fc.assert(fc.property(fromPieces(HEAD_PIECES), fc.constantFrom(...HEAD_LIMITS), checkHead), RUNS);
});

Deno.test("HeadParser.feed() never throws on mutated fixtures", () => {
  fc.assert(fc.property(mutatedHead, fc.constantFrom(...HEAD_LIMITS), checkHead), RUNS);
});

Deno.test("ChunkedDecoder.decode() never throws on random bytes", () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (input) => checkChunked(input)), RUNS);
});

Deno.test("ChunkedDecoder.decode() never throws on random pieces of chunked bodies", () => {
  fc.assert(fc.property(fromPieces(CHUNK_PIECES), (input) => checkChunked(input)), RUNS);
});

Deno.test("ChunkedDecoder.decode() never throws on mutated fixtures", () => {
  fc.assert(fc.property(mutatedChunked, (input) => checkChunked(input)), RUNS);
});

// ---------------------------------------------------------------------------
// (c): a request built from parts reads back exactly
// ---------------------------------------------------------------------------

const TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const RESERVED = new Set(["host", "content-length", "transfer-encoding"]);

const fieldName = fc.string({ unit: fc.constantFrom(...TCHARS), minLength: 1, maxLength: 12 })
  .filter((n) => !RESERVED.has(n.toLowerCase()));

/** field-vchar, SP and HTAB: a value without leading or trailing whitespace. */
const fieldValue = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 0x21, max: 0xff }).filter((b) => b !== 0x7f).map((b) =>
      String.fromCharCode(b)
    ),
    fc.constantFrom(" ", "\t"),
  ),
  maxLength: 20,
}).map((v) => v.replace(/^[ \t]+|[ \t]+$/g, ""));

const ows = fc.constantFrom("", " ", "\t", " \t ");

const field = fc.record({ name: fieldName, value: fieldValue, before: ows, after: ows });

/** A path of percent-encoded segments, and what it decodes to. */
const path = fc.array(fc.string({ unit: "grapheme", maxLength: 6 }), { maxLength: 4 })
  .filter((segments) => segments.every((s) => !s.includes("\0")))
  .map((segments) => ({
    raw: "/" + segments.map(encodeURIComponent).join("/"),
    decoded: "/" + segments.join("/"),
  }));

const QUERY_CHARS = [...Array(0x7e - 0x21 + 1).keys()]
  .map((i) => String.fromCharCode(0x21 + i))
  .filter((c) => c !== "#");

const query = fc.option(fc.string({ unit: fc.constantFrom(...QUERY_CHARS), maxLength: 16 }), {
  nil: null,
});

const chunking = fc.record({
  cuts: fc.array(fc.nat(), { maxLength: 5 }),
  upper: fc.boolean(),
  zeros: fc.nat({ max: 3 }),
  extension: fc.constantFrom("", ";a=b", ';x="q y"', " ;k", "\t;k=v;w"),
  trailers: fc.array(field, { maxLength: 2 }),
});

const request = fc.record({
  method: fc.constantFrom("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH"),
  path,
  query,
  version: fc.constantFrom("HTTP/1.1" as const, "HTTP/1.0" as const),
  fields: fc.array(field, { maxLength: 6 }),
  framing: fc.constantFrom("length" as const, "chunked" as const, "none" as const),
  body: fc.uint8Array({ maxLength: 200 }),
  chunking,
});

type RequestParts = typeof request extends fc.Arbitrary<infer T> ? T : never;

function latin1String(data: Uint8Array): string {
  let s = "";
  for (const b of data) s += String.fromCharCode(b);
  return s;
}

/** Encodes `body` as chunks cut at `cuts`, with the given spelling of sizes. */
function encodeChunked(body: Uint8Array, c: RequestParts["chunking"]): string {
  const points = [...new Set(c.cuts.map((n) => n % (body.length + 1)))]
    .concat([0, body.length])
    .sort((a, b) => a - b);
  const size = (n: number) => {
    const hex = "0".repeat(c.zeros) + n.toString(16);
    return c.upper ? hex.toUpperCase() : hex;
  };
  let out = "";
  for (let i = 1; i < points.length; i++) {
    const chunk = body.subarray(points[i - 1]!, points[i]!);
    if (chunk.length === 0) continue; // a zero-size chunk would end the body
    out += `${size(chunk.length)}${c.extension}\r\n${latin1String(chunk)}\r\n`;
  }
  out += `${size(0)}${c.extension}\r\n`;
  for (const t of c.trailers) out += `${t.name}:${t.before}${t.value}${t.after}\r\n`;
  return out + "\r\n";
}

/** Builds the request; returns its head, its body as sent, and the framing used. */
function build(parts: RequestParts) {
  // HTTP/1.0 has no chunked coding, and a "none" request has no body.
  const framing = parts.version === "HTTP/1.0" && parts.framing === "chunked"
    ? "length"
    : parts.framing;
  const body = framing === "none" ? new Uint8Array() : parts.body;
  const target = parts.path.raw + (parts.query === null ? "" : "?" + parts.query);
  let head = `${parts.method} ${target} ${parts.version}\r\n`;
  if (parts.version === "HTTP/1.1") head += "Host: example.com\r\n";
  for (const f of parts.fields) head += `${f.name}:${f.before}${f.value}${f.after}\r\n`;
  if (framing === "length") head += `Content-Length: ${body.length}\r\n`;
  if (framing === "chunked") head += "Transfer-Encoding: chunked\r\n";
  head += "\r\n";
  const sent = framing === "chunked" ? encodeChunked(body, parts.chunking) : latin1String(body);
  return { head, sent, body, framing, target };
}

const NEXT = "GET /next HTTP/1.1\r\nHost: a\r\n\r\n";
const BODY_LIMITS: ChunkedLimits = {
  maxBodyBytes: 1024,
  maxMetadataBytes: 16384,
  maxTrailerCount: 100,
};

Deno.test("a request built from parts reads back exactly, cut at any point into two reads", () => {
  fc.assert(
    fc.property(request, fc.nat(), (parts, cutSeed) => {
      const built = build(parts);
      const input = bytes(built.head + built.sent + NEXT);
      const n = input.length;
      const cut = cutSeed % (n + 1);

      const r = feedHead(input, DEFAULT_HEAD_LIMITS, [cut, n]);
      assert.equal(r.kind, "head", JSON.stringify(snapshot(r)));
      if (r.kind !== "head") return;
      assert.equal(r.consumed, built.head.length);
      assert.equal(r.head.method, parts.method);
      assert.equal(r.head.target, built.target);
      assert.equal(r.head.version, parts.version);
      assert.equal(r.head.path, parts.path.decoded);
      assert.equal(r.head.rawPath, parts.path.raw);
      assert.equal(r.head.query, parts.query ?? "");
      const own = [...r.head.headers.entries()].filter(([name]) => !RESERVED.has(name));
      assert.deepEqual(own, parts.fields.map((f) => [f.name.toLowerCase(), f.value]));

      const framing = bodyFraming(r.head);
      let bodyEnd: number;
      if (built.framing === "chunked") {
        assert.deepEqual(framing, { kind: "chunked" });
        const start = r.consumed;
        const decoded = decodeChunked(
          input,
          BODY_LIMITS,
          [Math.max(cut - start, 0), n - start],
          start,
        );
        assert.equal(decoded.result, "done");
        assert.deepEqual(decoded.data, built.body);
        assert.equal(decoded.consumed, built.sent.length);
        bodyEnd = start + decoded.consumed!;
      } else if (built.body.length === 0) {
        assert.deepEqual(framing, { kind: "none" });
        bodyEnd = r.consumed;
      } else {
        assert.deepEqual(framing, { kind: "length", length: built.body.length });
        bodyEnd = r.consumed + built.body.length;
        assert.deepEqual(input.subarray(r.consumed, bodyEnd), built.body);
      }
      // Head and body account for every byte of the request, and no more.
      assert.equal(bodyEnd, n - NEXT.length);
      const next = new HeadParser(DEFAULT_HEAD_LIMITS).feed(input, bodyEnd, n);
      assert.equal(next.kind === "head" && next.head.path, "/next");
    }),
    RUNS,
  );
});

// ---------------------------------------------------------------------------
// (d): where the input is cut never changes the outcome
// ---------------------------------------------------------------------------

const headInput = fc.oneof(fc.uint8Array({ maxLength: 200 }), fromPieces(HEAD_PIECES), mutatedHead);
const chunkedInput = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fromPieces(CHUNK_PIECES),
  mutatedChunked,
);

Deno.test("HeadParser.feed() gives the same result fed in two parts as fed at once", () => {
  fc.assert(
    fc.property(headInput, fc.nat(), fc.constantFrom(...HEAD_LIMITS), (input, seed, limits) => {
      const cut = seed % (input.length + 1);
      const whole = snapshot(feedHead(input, limits, [input.length]));
      assert.deepEqual(snapshot(feedHead(input, limits, [cut, input.length])), whole);
    }),
    RUNS,
  );
});

Deno.test("HeadParser.feed() gives the same result fed in three parts as fed at once", () => {
  fc.assert(
    fc.property(headInput, fc.nat(), fc.nat(), (input, a, b) => {
      const cuts = [a % (input.length + 1), b % (input.length + 1)].sort((x, y) => x - y);
      const whole = snapshot(feedHead(input, SMALL_LIMITS, [input.length]));
      assert.deepEqual(snapshot(feedHead(input, SMALL_LIMITS, [...cuts, input.length])), whole);
    }),
    RUNS,
  );
});

Deno.test("HeadParser reused for a sequence of heads, with repeats and near repeats, answers each as a fresh parser", () => {
  // A few heads (fixtures and their mutations) repeated in random order: a
  // head is answered from the parser's last one when its bytes repeat.
  const sequence = fc.array(fc.oneof(mutatedHead, fc.constantFrom(...HEAD_FIXTURES)), {
    minLength: 1,
    maxLength: 4,
  }).chain((heads) => fc.array(fc.constantFrom(...heads), { minLength: 2, maxLength: 12 }));
  fc.assert(
    fc.property(sequence, fc.boolean(), (inputs, addFields) => {
      const parser = new HeadParser(DEFAULT_HEAD_LIMITS);
      for (const input of inputs) {
        parser.reset();
        const got = parser.feed(input, 0, input.length);
        const fresh = feedHead(input, DEFAULT_HEAD_LIMITS, [input.length]);
        assert.deepEqual(snapshot(got), snapshot(fresh));
        if (got.kind === "head" && fresh.kind === "head") {
          assert.deepEqual(got.head.contentLength, fresh.head.contentLength);
          assert.deepEqual(got.head.transferEncoding, fresh.head.transferEncoding);
          assert.equal(got.head.connection, fresh.head.connection);
          assert.equal(got.head.expect, fresh.head.expect);
          if (addFields) got.head.headers.add("x-added", "1"); // as a handler may
        }
      }
    }),
    RUNS,
  );
});

Deno.test("ChunkedDecoder.decode() gives the same data and count fed in two parts as at once", () => {
  fc.assert(
    fc.property(chunkedInput, fc.nat(), (input, seed) => {
      const cut = seed % (input.length + 1);
      const whole = decodeChunked(input, CHUNKED_LIMITS, [input.length]);
      assert.deepEqual(decodeChunked(input, CHUNKED_LIMITS, [cut, input.length]), whole);
    }),
    RUNS,
  );
});
