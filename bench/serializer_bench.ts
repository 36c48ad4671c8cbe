/**
 * Micro-benchmarks of the response serialiser (`deno task bench:micro`):
 * the benchmark's small text response and a small JSON response, then each
 * trick of the optimisation register against the plain reference path
 * (tests/reference/serialize.ts, the `baseline` of its group) on a workload
 * the trick is for, and where a workload can defeat the trick, the
 * optimised path with it defeated (what the trick alone buys).
 *
 * @module
 */

import { json, type RawResponse, text } from "../src/app/response.ts";
import {
  encodeResponse,
  type SerializeOptions,
  serializeResponse,
} from "../src/protocol/serializer.ts";
import { referenceEncodeResponse, referenceSerialize } from "../tests/reference/serialize.ts";

const OPTIONS: SerializeOptions = {
  keepAlive: true,
  omitBody: false,
  date: "Sat, 21 Nov 2026 00:00:00 GMT",
};

const HELLO: RawResponse = text("Hello, world!\n");
const USER = { id: 42, name: "Ada Lovelace", email: "ada@example.com", roles: ["admin", "dev"] };
const JSON_RESPONSE: RawResponse = json(USER);

Deno.bench({
  name: "small text response (prebuilt)",
  group: "text",
  baseline: true,
  fn() {
    serializeResponse(HELLO, OPTIONS);
  },
});

Deno.bench({
  name: "small text response, text() + serialise",
  group: "text",
  fn() {
    serializeResponse(text("Hello, world!\n"), OPTIONS);
  },
});

Deno.bench({
  name: "JSON response (prebuilt)",
  group: "json",
  baseline: true,
  fn() {
    serializeResponse(JSON_RESPONSE, OPTIONS);
  },
});

Deno.bench({
  name: "JSON response, json() + serialise",
  group: "json",
  fn() {
    serializeResponse(json(USER), OPTIONS);
  },
});

// ---------------------------------------------------------------------------
// The register's tricks, each against the reference path
// ---------------------------------------------------------------------------

/** Responses taken in turn, one per call: a workload as a function. */
function inTurn(responses: readonly RawResponse[]): () => RawResponse {
  let i = 0;
  return () => responses[i++ % responses.length]!;
}

/** Keeps results reachable, so no call can be optimised away. */
let sink: unknown = null;

/**
 * The reference and the optimised path on one workload, in one group (the
 * reference the baseline), and the optimised path on a second workload
 * that defeats the trick, when there is one.
 */
function pair(
  group: string,
  what: string,
  next: () => RawResponse,
  defeated?: { readonly what: string; readonly next: () => RawResponse },
): void {
  const cases = [
    { name: `reference, ${what}`, serialize: referenceSerialize, next },
    { name: `optimised, ${what}`, serialize: serializeResponse, next },
    ...(defeated === undefined ? [] : [{
      name: `optimised, ${defeated.what}`,
      serialize: serializeResponse,
      next: defeated.next,
    }]),
  ];
  for (const [i, c] of cases.entries()) {
    Deno.bench({
      name: `${group}: ${c.name}`,
      group,
      baseline: i === 0,
      fn() {
        sink = c.serialize(c.next(), OPTIONS);
      },
    });
  }
}

const HEADERS = { "Content-Type": "text/plain; charset=utf-8" };

// Byte pieces: two different responses in turn, so neither the joined
// prefix nor the memo ever hits; what is left is the pieces made once
// (status line, cached field lines, the Date line) copied into one array.
pair("byte pieces", "two responses in turn", inTurn([HELLO, JSON_RESPONSE]));

// The joined prefix: one head, bodies of four lengths (the memo misses, the
// prefix hits); defeated by two heads of the same shape in turn.
const BODIES = ["a", "bb", "ccc", "dddd"];
const oneHead = inTurn(BODIES.map((body) => ({ status: 200, headers: HEADERS, body })));
const twoHeads = inTurn(
  BODIES.flatMap((body) => [
    { status: 200, headers: { "X-Shard": "a" }, body },
    { status: 200, headers: { "X-Shard": "b" }, body },
  ]),
);
pair("joined prefix", "one head, bodies of 4 lengths", oneHead, {
  what: "two heads in turn (prefix defeated)",
  next: twoHeads,
});

// BodyMemo: the same response again; defeated by two bodies of one length in turn.
const HELLO_AGAIN = inTurn([HELLO]);
const twoBodies = inTurn([HELLO, text("Hello, World!\n")]);
pair("BodyMemo text", "the same response again", HELLO_AGAIN, {
  what: "two bodies in turn (memo defeated)",
  next: twoBodies,
});

// BodyMemo with a byte body (the fetch path's): compared byte by byte.
const BYTES = new TextEncoder().encode("Hello, world!\n");
const OTHER_BYTES = new TextEncoder().encode("Hello, World!\n");
const bytesAgain = inTurn([{ status: 200, headers: HEADERS, body: BYTES }]);
const twoByteBodies = inTurn([
  { status: 200, headers: HEADERS, body: BYTES },
  { status: 200, headers: HEADERS, body: OTHER_BYTES },
]);
pair("BodyMemo bytes", "the same 14-byte body again", bytesAgain, {
  what: "two byte bodies in turn (memo defeated)",
  next: twoByteBodies,
});

// The field-line cache: six fields whose lines are cached (bodies change,
// so the memo misses); defeated by values from a pool larger than the cache.
const SIX = (id: string) => ({
  "Content-Type": "application/json",
  "Cache-Control": "no-store",
  "X-Request-Id": id,
  "X-Frame-Options": "DENY",
  "Vary": "Accept-Encoding",
  "X-Content-Type-Options": "nosniff",
});
const cachedFields = inTurn(BODIES.map((body) => ({ status: 200, headers: SIX("r-0001"), body })));
const POOL = Array.from({ length: 2048 }, (_, i) => SIX(`r-${String(i).padStart(4, "0")}`));
const missedFields = inTurn(
  POOL.map((headers, i) => ({ status: 200, headers, body: BODIES[i % 4]! })),
);
pair("field-line cache", "six cached fields", cachedFields, {
  what: "one value new each time (a pool of 2,048: misses)",
  next: missedFields,
});

// A large body kept apart: the head alone, the body written as it is. The
// plain path copies it behind the head (one array, one write).
const LARGE: RawResponse = {
  status: 200,
  headers: { "Content-Type": "application/octet-stream" },
  body: new Uint8Array(64 * 1024).fill(0x61),
};
const LARGE_CASES: Array<[string, (res: RawResponse, options: SerializeOptions) => unknown]> = [
  ["reference, 64 KiB copied behind the head", referenceSerialize],
  ["optimised, 64 KiB kept apart (encodeResponse)", encodeResponse],
  ["reference rule, kept apart (referenceEncodeResponse)", referenceEncodeResponse],
  ["optimised, then copied behind the head (serializeResponse: trick defeated)", serializeResponse],
];
for (const [i, [what, encode]] of LARGE_CASES.entries()) {
  Deno.bench({
    name: `large body: ${what}`,
    group: "large body",
    baseline: i === 0,
    fn() {
      sink = encode(LARGE, OPTIONS);
    },
  });
}

globalThis.addEventListener("unload", () => {
  if (sink === undefined) console.log(""); // keeps `sink` read
});
