/**
 * Micro-benchmarks of the request-head parser (`deno task bench:micro`).
 *
 * A browser-like GET head with 14 header fields and a small API POST head,
 * fed in one piece (`parseHead`) and in three pieces (`HeadParser.feed` with
 * a growing end, as the connection feeds it when TCP splits a head).
 * Then each trick of the optimisation register against its plain path
 * (the `baseline` of its group): the whole parser against the reference
 * parser (tests/reference/parse_head.ts), the interner against decoding
 * every run, the field-line cache against parsing every line, the replay
 * against parsing the head again, and the word compare against comparing
 * byte by byte.
 *
 * @module
 */

import { latin1 } from "../src/protocol/chars.ts";
import { DEFAULT_HEAD_LIMITS, HeadParser, parseHead } from "../src/protocol/head_parser.ts";
import { parseFieldLine } from "../src/protocol/_field_lines.ts";
import { hashStep, Interner, LineCache, LOWER } from "../src/protocol/interner.ts";
import { referenceParseHead } from "../tests/reference/parse_head.ts";

const encoder = new TextEncoder();

/** What Chrome sends for a page navigation, give or take the cookie. */
const BROWSER_GET = encoder.encode(
  "GET /articles/2026/http-parsing?utm_source=feed&page=2 HTTP/1.1\r\n" +
    "Host: www.example.com\r\n" +
    "Connection: keep-alive\r\n" +
    "Cache-Control: max-age=0\r\n" +
    "Upgrade-Insecure-Requests: 1\r\n" +
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) " +
    "Chrome/131.0.0.0 Safari/537.36\r\n" +
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp," +
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7\r\n" +
    "Sec-Fetch-Site: same-origin\r\n" +
    "Sec-Fetch-Mode: navigate\r\n" +
    "Sec-Fetch-User: ?1\r\n" +
    "Sec-Fetch-Dest: document\r\n" +
    "Referer: https://www.example.com/articles/\r\n" +
    "Accept-Encoding: gzip, deflate, br, zstd\r\n" +
    "Accept-Language: en-GB,en-US;q=0.9,en;q=0.8,de;q=0.7\r\n" +
    "Cookie: session=3f9a1c0e7b2d4a6f8e1c3b5d7f9a0c2e; theme=dark; _ga=GA1.2.1234567890.1700000000\r\n" +
    "\r\n",
);

/** A small JSON API POST from a script. */
const SMALL_POST = encoder.encode(
  "POST /api/echo HTTP/1.1\r\n" +
    "Host: api.example.com\r\n" +
    "User-Agent: curl/8.5.0\r\n" +
    "Accept: */*\r\n" +
    "Content-Type: application/json\r\n" +
    "Content-Length: 27\r\n" +
    "\r\n",
);

/** Cut points that split a head into three pieces of about a third each. */
function thirds(bytes: Uint8Array): [number, number, number] {
  const third = Math.floor(bytes.length / 3);
  return [third, 2 * third, bytes.length];
}

function parseInThree(bytes: Uint8Array, cuts: readonly number[]) {
  const parser = new HeadParser(DEFAULT_HEAD_LIMITS);
  if (parser.feed(bytes, 0, cuts[0]!).kind !== "incomplete") throw new Error("first third");
  if (parser.feed(bytes, 0, cuts[1]!).kind !== "incomplete") throw new Error("second third");
  return parser.feed(bytes, 0, cuts[2]!);
}

// Each input must parse, or the numbers would time an early refusal.
for (const bytes of [BROWSER_GET, SMALL_POST]) {
  if (parseHead(bytes).kind !== "head") throw new Error("bench input does not parse");
  if (parseInThree(bytes, thirds(bytes)).kind !== "head") throw new Error("split input fails");
}

const GET_CUTS = thirds(BROWSER_GET);
const POST_CUTS = thirds(SMALL_POST);

Deno.bench({
  name: `browser GET head (${BROWSER_GET.length} B, 14 fields), one piece`,
  group: "browser GET",
  baseline: true,
  fn() {
    parseHead(BROWSER_GET);
  },
});

Deno.bench({
  name: "browser GET head, three pieces",
  group: "browser GET",
  fn() {
    parseInThree(BROWSER_GET, GET_CUTS);
  },
});

Deno.bench({
  name: "browser GET head, one piece, then read Host, Cookie and Accept",
  group: "browser GET",
  fn() {
    const r = parseHead(BROWSER_GET);
    if (r.kind !== "head") throw new Error("no head");
    r.head.headers.get("host");
    r.head.headers.get("cookie");
    r.head.headers.get("accept");
  },
});

Deno.bench({
  name: `small POST head (${SMALL_POST.length} B, 5 fields), one piece`,
  group: "small POST",
  baseline: true,
  fn() {
    parseHead(SMALL_POST);
  },
});

Deno.bench({
  name: "small POST head, three pieces",
  group: "small POST",
  fn() {
    parseInThree(SMALL_POST, POST_CUTS);
  },
});

/**
 * The browser GET with two lines that differ in every request (a request id
 * and a referer), as a tracing proxy would send: the line cache's misses.
 */
const DISTINCT_GETS = Array.from({ length: 4096 }, (_, i) => {
  const text = new TextDecoder().decode(BROWSER_GET);
  return encoder.encode(
    text.replace(
      "Referer: https://www.example.com/articles/\r\n",
      `Referer: https://www.example.com/articles/${i}\r\nX-Request-Id: ${crypto.randomUUID()}\r\n`,
    ),
  );
});
let nextGet = 0;

Deno.bench({
  name: "browser GET head, one piece, two of its lines new each time",
  group: "browser GET",
  fn() {
    parseHead(DISTINCT_GETS[nextGet++ & 4095]!);
  },
});

/** One connection's parser, fed the same head again and again (as a kept-alive client sends it). */
function replayer(bytes: Uint8Array): () => void {
  const parser = new HeadParser(DEFAULT_HEAD_LIMITS);
  return () => {
    parser.reset();
    if (parser.feed(bytes, 0, bytes.length).kind !== "head") throw new Error("replay failed");
  };
}
const replayGet = replayer(BROWSER_GET);
const replayPost = replayer(SMALL_POST);

Deno.bench({
  name: "browser GET head, the same again on one connection (replayed)",
  group: "browser GET",
  fn: replayGet,
});

Deno.bench({
  name: "small POST head, the same again on one connection (replayed)",
  group: "small POST",
  fn: replayPost,
});

// ---------------------------------------------------------------------------
// The register's tricks, each against its plain path
// ---------------------------------------------------------------------------

/** Keeps results reachable, so no call can be optimised away. */
let sink: unknown = null;

/** Benches a reference path (the group's baseline) and its optimised path, each `[how, fn]`. */
function pairOf(group: string, ...cases: Array<[string, () => void]>): void {
  for (const [i, [how, fn]] of cases.entries()) {
    Deno.bench({ name: `${group}: ${how}`, group, baseline: i === 0, fn });
  }
}

/** One connection's parser replaying `bytes` from `offset` in its buffer. */
function replayerAt(bytes: Uint8Array, offset: number): () => void {
  const buf = new Uint8Array(bytes.length + 8);
  buf.set(bytes, offset);
  const parser = new HeadParser(DEFAULT_HEAD_LIMITS);
  return () => {
    parser.reset();
    const r = parser.feed(buf, offset, offset + bytes.length);
    if (r.kind !== "head") throw new Error("replay failed");
    sink = r;
  };
}

// The whole parser against the reference parser; the replay's word compare
// (a head on a word boundary, four bytes at a time) against the same head
// one byte off it (byte by byte).
for (const [what, bytes] of [["browser GET", BROWSER_GET], ["small POST", SMALL_POST]] as const) {
  const cases: Array<[string, string, () => void]> = [
    ["whole parser", "reference (tests/reference/parse_head.ts)", () => {
      sink = referenceParseHead(bytes, DEFAULT_HEAD_LIMITS);
    }],
    ["whole parser", "optimised, a new parser (no replay)", () => {
      sink = parseHead(bytes);
    }],
    [
      "whole parser",
      "optimised, the same head again on one connection (replayed)",
      replayer(bytes),
    ],
    ["replay compare", "reference, byte by byte (head off a word boundary)", replayerAt(bytes, 1)],
    [
      "replay compare",
      "optimised, four bytes at a time (head on a word boundary)",
      replayerAt(bytes, 0),
    ],
  ];
  for (const [i, [trick, how, fn]] of cases.entries()) {
    const group = `${trick}, ${what}`;
    Deno.bench({ name: `${group}: ${how}`, group, baseline: i === 0 || i === 3, fn });
  }
}

/** The browser GET's field lines, their names and their values, as byte ranges with their hashes. */
interface Run {
  readonly start: number;
  readonly end: number;
  readonly hash: number;
}
const LINES: Run[] = [];
const NAMES: Run[] = [];
const VALUES: Run[] = [];
{
  const text = latin1(BROWSER_GET, 0, BROWSER_GET.length);
  const hash = (s: number, e: number, lower: boolean) => {
    let h = 0;
    for (let i = s; i < e; i++) h = hashStep(h, lower ? LOWER[BROWSER_GET[i]!]! : BROWSER_GET[i]!);
    return h;
  };
  let at = text.indexOf("\r\n") + 2; // after the request line
  for (let end = text.indexOf("\r\n", at); end > at; at = end + 2, end = text.indexOf("\r\n", at)) {
    const colon = text.indexOf(":", at);
    const vs = colon + 2;
    LINES.push({ start: at, end, hash: hash(at, end, false) });
    NAMES.push({ start: at, end: colon, hash: hash(at, colon, true) });
    VALUES.push({ start: vs, end, hash: hash(vs, end, false) });
  }
}

// The interner: the 14 names and values of a browser head, found by their
// hash and compared, against decoding each (what a miss does).
const names = new Interner(256, true);
const values = new Interner(1024, false);
pairOf(
  "interner",
  ["reference, 14 names and values decoded each time", () => {
    for (const r of NAMES) sink = latin1(BROWSER_GET, r.start, r.end).toLowerCase();
    for (const r of VALUES) sink = latin1(BROWSER_GET, r.start, r.end);
  }],
  ["optimised, 14 names and values interned (hits)", () => {
    for (const r of NAMES) sink = names.get(BROWSER_GET, r.start, r.end, r.hash);
    for (const r of VALUES) sink = values.get(BROWSER_GET, r.start, r.end, r.hash);
  }],
);

// The field-line cache: 14 lines found whole, against parsing each
// (parseFieldLine, with its interned names and values).
const lineCache = new LineCache<unknown>(1024);
for (let twice = 0; twice < 2; twice++) {
  for (const r of LINES) {
    lineCache.set(BROWSER_GET, r.start, r.end, r.hash, parseFieldLine(BROWSER_GET, r.start, r.end));
  }
}
pairOf(
  "field-line cache",
  ["reference, 14 lines parsed each time (parseFieldLine)", () => {
    for (const r of LINES) sink = parseFieldLine(BROWSER_GET, r.start, r.end);
  }],
  ["optimised, 14 lines found in the LineCache (hits)", () => {
    for (const r of LINES) sink = lineCache.get(BROWSER_GET, r.start, r.end, r.hash);
  }],
);

globalThis.addEventListener("unload", () => {
  if (sink === undefined) console.log(""); // keeps `sink` read
});
