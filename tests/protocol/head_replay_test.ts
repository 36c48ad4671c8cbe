/**
 * Tests for the replay of a repeated request head (src/protocol/head_replay.ts),
 * driven as the head parser drives it: match() first, else a parse and remember().
 */

import assert from "node:assert/strict";
import { HeadReplay, MAX_REMEMBERED_HEAD_BYTES } from "../../src/protocol/head_replay.ts";
import { parseHead } from "../../src/protocol/head_parser.ts";
import type { HeadResult } from "../../src/protocol/request_head.ts";
import { bytes } from "../fixtures/requests.ts";

type HeadFound = Extract<HeadResult, { kind: "head" }>;

/** One request's head from `buf` at `start`, as the parser finds it: replayed, else parsed. */
function feed(replay: HeadReplay, buf: Uint8Array, start = 0): HeadResult {
  const again = replay.match(buf, start, buf.length);
  if (again !== null) return again;
  const result = parseHead(buf.subarray(start));
  if (result.kind === "head") replay.remember(result.head, buf, start, result.consumed);
  return result;
}

/** Feeds `text` alone and says whether the replay keeps it after. */
function feedText(replay: HeadReplay, text: string): boolean {
  assert.equal(feed(replay, bytes(text)).kind, "head", text);
  return replay.remembered > 0;
}

/** A head of exactly `length` bytes, blank line included. */
function headOfLength(length: number): string {
  const fixed = "GET / HTTP/1.1\r\nHost: a\r\nX: \r\n\r\n".length;
  return `GET / HTTP/1.1\r\nHost: a\r\nX: ${"v".repeat(length - fixed)}\r\n\r\n`;
}

Deno.test("HeadReplay.match() answers null until a head of one length came twice", () => {
  const replay = new HeadReplay();
  const head = bytes("GET /r HTTP/1.1\r\nHost: a\r\n\r\n");
  assert.equal(replay.match(head, 0, head.length), null);
  feed(replay, head);
  assert.equal(replay.remembered, 0, "a connection's first head is never kept");
  assert.equal(replay.match(head, 0, head.length), null);
  feed(replay, head);
  assert.equal(replay.remembered, head.length);
  const hit = replay.match(head, 0, head.length);
  assert.ok(hit !== null);
  assert.equal(hit.consumed, head.length);
  assert.equal(hit.head.path, "/r");
});

Deno.test("HeadReplay.match() answers null while the buffer holds only part of the head", () => {
  const replay = new HeadReplay();
  const head = bytes("GET /r HTTP/1.1\r\nHost: a\r\n\r\n");
  feed(replay, head);
  feed(replay, head);
  assert.equal(replay.match(head, 0, head.length - 1), null);
  assert.equal(replay.remembered, head.length, "a short buffer is not a miss");
  assert.notEqual(replay.match(head, 0, head.length), null);
});

Deno.test("HeadReplay.match() hands out a fresh copy of the headers each time", () => {
  const replay = new HeadReplay();
  const head = bytes("GET / HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n");
  feed(replay, head);
  feed(replay, head);
  for (let i = 0; i < 3; i++) {
    const hit = replay.match(head, 0, head.length) as HeadFound | null;
    assert.ok(hit !== null);
    assert.deepEqual(hit.head.headers.pairs(), [["host", "a"], ["accept", "*/*"]], `hit ${i}`);
    hit.head.headers.add("x-added-by-handler", String(i));
  }
});

Deno.test("HeadReplay misses a head that differs in any one byte, wherever the head starts in its buffer", () => {
  // 75 bytes: whole 32-bit words and a tail, compared word by word where the
  // head starts on a word boundary and byte by byte elsewhere.
  const head =
    "GET /replay HTTP/1.1\r\nHost: a.example\r\nAccept: */*\r\nX-Tail: abcdefghijk\r\n\r\n";
  assert.equal(head.length % 4, 3);
  for (let offset = 0; offset < 5; offset++) {
    for (const buffer of ["fresh", "subarray", "reused"] as const) {
      // "reused": one buffer rewritten for every request, as a connection's read buffer is.
      const reused = new Uint8Array(256);
      const feedAt = (replay: HeadReplay, text: string) => {
        const input = bytes("#".repeat(offset) + text + "GET / HTTP/1.1\r\n");
        let whole = input;
        if (buffer === "reused") {
          reused.fill(0);
          reused.set(input);
          whole = reused.subarray(0, input.length);
        }
        const [buf, start] = buffer === "subarray" ? [whole.subarray(offset), 0] : [whole, offset];
        feed(replay, buf, start);
      };
      for (let at = 0; at < head.length; at++) {
        const replay = new HeadReplay();
        feedAt(replay, head);
        feedAt(replay, head); // kept from the second time
        feedAt(replay, head); // a hit keeps it
        const where = `offset ${offset} (${buffer} buffer), byte ${at}`;
        assert.equal(replay.remembered, head.length, where);
        const changed = head.slice(0, at) + (head[at] === "Z" ? "Y" : "Z") + head.slice(at + 1);
        feedAt(replay, changed); // a miss forgets the head; a false hit would keep it
        assert.equal(replay.remembered, 0, where);
      }
    }
  }
});

Deno.test("HeadReplay keeps a repeated head of MAX_REMEMBERED_HEAD_BYTES - 1 and MAX_REMEMBERED_HEAD_BYTES, not one byte more", () => {
  assert.equal(MAX_REMEMBERED_HEAD_BYTES, 1024);
  for (
    const [length, kept] of [
      [MAX_REMEMBERED_HEAD_BYTES - 1, true],
      [MAX_REMEMBERED_HEAD_BYTES, true],
      [MAX_REMEMBERED_HEAD_BYTES + 1, false],
    ] as const
  ) {
    const head = bytes(headOfLength(length));
    assert.equal(head.length, length);
    const replay = new HeadReplay();
    for (let i = 0; i < 3; i++) {
      const r = feed(replay, head) as HeadFound;
      assert.equal(r.consumed, length);
      // The first head is never kept: most connections send one only.
      assert.equal(replay.remembered, i > 0 && kept ? length : 0, `${length} bytes, request ${i}`);
    }
  }
});

Deno.test("HeadReplay remembers fewer heads after misses in a row, and all again after a repeat", () => {
  const replay = new HeadReplay();
  // Heads of one length that differ late, as with a request id: each is kept
  // and misses, so ever fewer are kept (1, then 1 in 2, 1 in 3, 1 in 5, ...).
  const ids = Array.from(
    { length: 40 },
    (_, i) => `GET / HTTP/1.1\r\nHost: a\r\nX-Id: ${1000 + i}\r\n\r\n`,
  );
  const kept = ids.map((text) => feedText(replay, text));
  assert.deepEqual(kept.slice(0, 8), [false, true, false, true, false, false, true, false]);
  assert.ok(kept.filter(Boolean).length <= 8, `${kept.filter(Boolean).length} of 40 kept`);
  // A head that repeats is kept again once the skipping ends, and a hit resets it.
  const same = ids[0]!;
  let first = -1;
  for (let i = 0; i < 80 && first === -1; i++) if (feedText(replay, same)) first = i;
  assert.ok(first !== -1, "a repeated head was never kept again");
  feedText(replay, same); // a hit
  assert.equal(feedText(replay, ids[1]!), false); // a miss: the next head is skipped
  assert.equal(feedText(replay, ids[1]!), true);
});
