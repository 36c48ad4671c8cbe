/**
 * The serializer against its plain reference (tests/reference/serialize.ts):
 * random responses, valid and not, serialised in runs so that every trick
 * of src/protocol/serializer.ts is taken (byte pieces, the joined prefix of
 * a repeated head, the same-response replay of `BodyMemo`, the field-line
 * cache, large bodies kept apart) must give the reference's bytes exactly,
 * or the reference's TypeError.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import type { RawResponse } from "../../src/protocol/message.ts";
import {
  type BodyFraming,
  encodeHead,
  encodeResponse,
  SEPARATE_BODY_BYTES,
  type SerializeOptions,
  serializeResponse,
} from "../../src/protocol/serializer.ts";
import {
  referenceEncodeHead,
  referenceEncodeResponse,
  referenceSerialize,
} from "../reference/serialize.ts";

const DATES = ["Thu, 01 Jan 1970 00:00:00 GMT", "Thu, 01 Jan 1970 00:00:01 GMT"];

/** A call's result, or the message of the TypeError it threw (anything else fails the test). */
type Outcome<T> = { readonly value: T } | { readonly error: string };

function outcome<T>(call: () => T): Outcome<T> {
  try {
    return { value: call() };
  } catch (error) {
    if (error instanceof TypeError) return { error: error.message };
    throw error;
  }
}

/** The bytes as latin1 text, so a failing comparison shows where the two differ. */
function text(bytes: Uint8Array | null): string | null {
  if (bytes === null) return null;
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]!);
  return out;
}

// ---------------------------------------------------------------------------
// Random responses
// ---------------------------------------------------------------------------

const TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const VISIBLE = Array.from({ length: 0x5e }, (_, i) => String.fromCharCode(0x21 + i));

const fieldName = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      "Content-Type",
      "content-type", // names differ in case: each its own cached line
      "X-A",
      "x-a",
      "Set-Cookie",
      "Cache-Control",
      "content-length",
      "Content-Length",
      "Transfer-Encoding",
      "CONNECTION",
      "Connection",
      "connection",
      "Date",
      "date",
      "Server",
      "SERVER",
      "server",
      "Aa", // "Aa" and "BB" hash alike
      "BB",
    ),
  },
  {
    weight: 3,
    arbitrary: fc.string({ unit: fc.constantFrom(...TCHARS), minLength: 1, maxLength: 10 }),
  },
  { weight: 1, arbitrary: fc.constantFrom("", "Bad Name", "X\r\nY", "caf\xe9", "a:b", "\u0100") },
  { weight: 1, arbitrary: fc.constant(42 as unknown as string) },
);

const valueChar = fc.oneof(
  { weight: 24, arbitrary: fc.constantFrom(...VISIBLE, " ", "\t") },
  { weight: 3, arbitrary: fc.constantFrom("\x80", "\x9f", "\xe9", "\xff") },
  { weight: 1, arbitrary: fc.constantFrom("\r", "\n", "\x00", "\x7f", "\x1f", "\u0100", "\ud800") },
);

const fieldValue = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.constantFrom(
      "close",
      "keep-alive",
      "Close, Upgrade",
      "upgrade ,CLOSE ",
      "closed",
      "text/plain",
      "",
      " padded\t",
      "caf\xe9",
      "5",
      "chunked",
    ),
  },
  { weight: 4, arbitrary: fc.string({ unit: valueChar, maxLength: 24 }) },
  // Just below, at and above the longest value the field-line cache keeps.
  { weight: 1, arbitrary: fc.constantFrom(255, 256, 257).map((n) => "v".repeat(n)) },
  { weight: 1, arbitrary: fc.constant(7 as unknown as string) },
);

type Pairs = Array<[string, string]>;
const pairs: fc.Arbitrary<Pairs> = fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 6 });

/** A header list as the response will carry it: none, pairs (repeats kept) or a record. */
type HeaderSpec = { kind: "none" } | { kind: "pairs" | "record"; pairs: Pairs };
const headerSpec: fc.Arbitrary<HeaderSpec> = fc.oneof(
  fc.constant({ kind: "none" as const }),
  pairs.map((p) => ({ kind: "pairs" as const, pairs: p })),
  pairs.map((p) => ({ kind: "record" as const, pairs: p })),
);

/** Bytes of a repeatable pattern: large bodies without making fast-check draw each byte. */
function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (seed + i * 31) & 0xff;
  return out;
}

/** A body as the response will carry it (byte bodies are copied per run: a run may change them). */
type BodySpec = undefined | string | Uint8Array;
const LARGE = SEPARATE_BODY_BYTES;
const bodySpec: fc.Arbitrary<BodySpec> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "",
      "Hello, world!\n",
      "caf\u00e9",
      "\u{1F600}",
      "lone \ud800 surrogate",
      "x".repeat(64),
      "x".repeat(65),
      "y".repeat(1024),
      "y".repeat(1025),
      "\u00e9".repeat(512),
    ),
  },
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "z".repeat(LARGE - 1),
      "z".repeat(LARGE),
      "z".repeat(LARGE + 1),
      "\u00e9".repeat(LARGE / 2), // LARGE bytes in UTF-8
      "\u00e9".repeat(LARGE / 2 - 1) + "a", // one byte short
    ),
  },
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.constantFrom(1, 64, 1024, 1025, LARGE - 1, LARGE, LARGE + 1, 70_000),
      fc.nat(255),
    ).map(([n, seed]) => pattern(n, seed)),
  },
);

const statusCode = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(200, 201, 204, 304, 404, 418, 299, 500, 599) },
  { weight: 1, arbitrary: fc.constantFrom(100, 199, 600, 200.5, NaN, -1) },
);

interface ResponseSpec {
  readonly status: number;
  readonly headers: HeaderSpec;
  readonly body: BodySpec;
}
const responseSpec: fc.Arbitrary<ResponseSpec> = fc.record({
  status: statusCode,
  headers: headerSpec,
  body: bodySpec,
});

const options: fc.Arbitrary<SerializeOptions> = fc.record({
  keepAlive: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false)),
  omitBody: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, fc.constant(true)),
  date: fc.constantFrom(...DATES),
});

/** A fresh response from its spec: its own header objects, its own copy of a byte body. */
function build(spec: ResponseSpec, body: BodySpec = spec.body): RawResponse {
  const res: Record<string, unknown> = { status: spec.status };
  const h = spec.headers;
  if (h.kind === "pairs") res.headers = h.pairs.map(([n, v]) => [n, v]);
  if (h.kind === "record") res.headers = Object.fromEntries(h.pairs);
  if (body !== undefined) res.body = body instanceof Uint8Array ? body.slice() : body;
  return res as unknown as RawResponse;
}

/** One step of a run: each serialises the current response once. */
type Step =
  | { readonly kind: "new"; readonly response: ResponseSpec; readonly options: SerializeOptions }
  /** The very same response object again (the memo's and the joined prefix's case). */
  | { readonly kind: "again"; readonly whole: boolean }
  /** The same head objects with another body. */
  | { readonly kind: "body"; readonly body: BodySpec }
  /** The byte body changed in place: the same array, other bytes. */
  | { readonly kind: "change"; readonly at: number; readonly byte: number }
  /** Other options (keep-alive, HEAD, the next second's date). */
  | { readonly kind: "options"; readonly options: SerializeOptions }
  /** The head alone, for a stream body's framing. */
  | { readonly kind: "head"; readonly framing: BodyFraming; readonly extra: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("new" as const), response: responseSpec, options }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("again" as const), whole: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("body" as const), body: bodySpec }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("change" as const), at: fc.nat(), byte: fc.nat(255) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("options" as const), options }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("head" as const),
      framing: fc.oneof(fc.nat(100_000), fc.constantFrom("chunked" as const, "close" as const)),
      extra: fc.constantFrom(0, 3),
    }),
  },
);

const run = fc.tuple(responseSpec, options, fc.array(step, { maxLength: 12 }));

// ---------------------------------------------------------------------------
// Comparisons
// ---------------------------------------------------------------------------

/** Asserts `encodeResponse()` (or `serializeResponse()`) gives what the reference gives. */
function compareResponse(
  res: RawResponse,
  opts: SerializeOptions,
  whole: boolean,
): Uint8Array | null {
  if (whole) {
    const got = outcome(() => serializeResponse(res, opts));
    const want = outcome(() => referenceSerialize(res, opts));
    if ("error" in want) assert.deepEqual(got, want);
    else {
      assert.ok("value" in got, `threw ${JSON.stringify(got)}`);
      assert.equal(text(got.value), text(want.value));
    }
    return null;
  }
  const got = outcome(() => encodeResponse(res, opts));
  const want = outcome(() => referenceEncodeResponse(res, opts));
  if ("error" in want) {
    assert.deepEqual(got, want);
    return null;
  }
  assert.ok("value" in got, `threw ${JSON.stringify(got)}`);
  assert.equal(text(got.value.bytes), text(want.value.bytes));
  assert.equal(got.value.close, want.value.close, "close");
  assert.equal(got.value.bodyBytes, want.value.bodyBytes, "the body's byte count");
  assert.equal(text(got.value.body), text(want.value.body), "the body kept apart");
  if (got.value.body !== null && res.body instanceof Uint8Array) {
    assert.equal(got.value.body, res.body, "a large byte body is written as it is, not copied");
  }
  // Bytes the serializer made must never change afterwards: kept to check at the run's end.
  return got.value.body === null ? got.value.bytes : null;
}

/** Asserts `encodeHead()` gives the reference's head, with `extra` bytes to spare. */
function compareHead(
  res: RawResponse,
  opts: SerializeOptions,
  framing: BodyFraming,
  extra: number,
) {
  const got = outcome(() => encodeHead(res, opts, framing, extra));
  const want = outcome(() => referenceEncodeHead(res, opts, framing, extra));
  if ("error" in want) return assert.deepEqual(got, want);
  assert.ok("value" in got, `threw ${JSON.stringify(got)}`);
  const { bytes, length, close } = got.value;
  assert.equal(
    text(bytes.subarray(0, length)),
    text(want.value.bytes.subarray(0, want.value.length)),
  );
  assert.equal(bytes.length, length + extra);
  assert.equal(close, want.value.close);
}

/** Plays one run: a response, then steps on it; every output checked, and checked again at the end. */
function play([first, firstOptions, steps]: [ResponseSpec, SerializeOptions, Step[]]): void {
  let spec = first;
  let res = build(spec);
  let opts = firstOptions;
  const made: Array<{ bytes: Uint8Array; expected: string }> = [];
  const keep = (bytes: Uint8Array | null) => {
    if (bytes !== null) made.push({ bytes, expected: text(bytes)! });
  };
  keep(compareResponse(res, opts, false));
  for (const s of steps) {
    switch (s.kind) {
      case "new":
        spec = s.response;
        res = build(spec);
        opts = s.options;
        break;
      case "again":
        keep(compareResponse(res, opts, s.whole));
        break;
      case "body":
        res = build(spec, s.body);
        break;
      case "change": {
        const body = res.body;
        if (body instanceof Uint8Array && body.length > 0) body[s.at % body.length] = s.byte;
        break;
      }
      case "options":
        opts = s.options;
        break;
      case "head":
        compareHead(res, opts, s.framing, s.extra);
        continue;
    }
    keep(compareResponse(res, opts, false));
  }
  for (const { bytes, expected } of made) {
    assert.equal(text(bytes), expected, "bytes handed out earlier changed later");
  }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

Deno.test("encodeResponse(), serializeResponse() and encodeHead() give the reference's bytes or TypeError over random runs of responses", () => {
  fc.assert(fc.property(run, play), { numRuns: 400 });
});

Deno.test("runs of one response again and again, its byte body changed in place between, give the reference's bytes (BodyMemo, joined prefix)", () => {
  const repeats = fc.array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constant({ kind: "again" as const, whole: false }) },
      fc.record({ kind: fc.constant("change" as const), at: fc.nat(), byte: fc.nat(255) }),
    ),
    { minLength: 2, maxLength: 10 },
  );
  const shortBody = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 64 }),
    fc.constantFrom("hello", "Hello, world!\n", "\u00e9t\u00e9"),
  );
  fc.assert(
    fc.property(
      fc.record({ status: fc.constantFrom(200, 404), headers: headerSpec, body: shortBody }),
      options.map((o) => ({ ...o, omitBody: false })),
      repeats,
      (spec, opts, steps) => play([spec, opts, steps]),
    ),
    { numRuns: 200 },
  );
});

Deno.test("field lines past the field-line cache's bound (1,024 lines) give the reference's bytes", () => {
  const opts: SerializeOptions = { keepAlive: true, omitBody: false, date: DATES[0]! };
  for (let i = 0; i < 1500; i++) {
    const res: RawResponse = {
      status: 200,
      headers: [["X-Id", `id-${i}`], ["Content-Type", "text/plain"], [`X-${i % 7}`, "a"]],
      body: "ok",
    };
    compareResponse(res, opts, false);
    compareResponse(res, opts, false);
  }
});
