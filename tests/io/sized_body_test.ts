/** Tests for bodies of known length read in pieces (src/io/sized_body.ts). */

import assert from "node:assert/strict";
import {
  FILE_PIECE_BYTES,
  fileBody,
  SizedBody,
  STREAMED_FILE_BYTES,
} from "../../src/io/sized_body.ts";

/** A temporary file holding `size` bytes (byte i is i % 251), removed by `using`. */
async function tempFile(size: number) {
  const path = await Deno.makeTempFile({ prefix: "sized_body_test" });
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = i % 251;
  await Deno.writeFile(path, data);
  return { path, data, [Symbol.dispose]: () => Deno.removeSync(path) };
}

Deno.test("SizedBody keeps its length and iterates what open() gives, afresh each time", async () => {
  let opened = 0;
  const body = new SizedBody(3, async function* () {
    opened++;
    yield new Uint8Array([1, 2]);
    yield new Uint8Array([3]);
  });
  assert.equal(body.length, 3);
  assert.equal(opened, 0, "nothing opened before iteration");
  for (let round = 1; round <= 2; round++) {
    const seen: number[] = [];
    for await (const piece of body) seen.push(...piece);
    assert.deepEqual(seen, [1, 2, 3]);
    assert.equal(opened, round);
  }
});

Deno.test("FILE_PIECE_BYTES and STREAMED_FILE_BYTES are 64 KiB", () => {
  assert.equal(FILE_PIECE_BYTES, 65536);
  assert.equal(STREAMED_FILE_BYTES, 65536);
});

Deno.test("fileBody() reads the whole file in pieces of at most FILE_PIECE_BYTES", async () => {
  using file = await tempFile(2 * FILE_PIECE_BYTES + 100);
  const body = fileBody(file.path, file.data.length);
  assert.equal(body.length, file.data.length);
  const got = new Uint8Array(file.data.length);
  let at = 0;
  const sizes: number[] = [];
  for await (const piece of body) {
    assert.ok(piece.length <= FILE_PIECE_BYTES);
    sizes.push(piece.length);
    got.set(piece, at); // a piece is valid only until the next is asked for: copy now
    at += piece.length;
  }
  assert.equal(at, file.data.length);
  assert.deepEqual(got, file.data);
  assert.ok(sizes.length >= 3, `${sizes}`);
});

Deno.test("fileBody() of a small file reads it in one piece no larger than the file", async () => {
  using file = await tempFile(10);
  const it = fileBody(file.path, 10)[Symbol.asyncIterator]();
  const first = await it.next();
  assert.equal(first.done, false);
  assert.deepEqual(first.value, file.data);
  assert.equal(
    (first.value as Uint8Array).buffer.byteLength,
    10,
    "a buffer of the file's size, not 64 KiB",
  );
  assert.equal((await it.next()).done, true);
  assert.equal((await it.next()).done, true, "stays done");
});

Deno.test("fileBody() opens nothing until the first read, so a missing file fails only then", async () => {
  const body = fileBody("/nonexistent/sized_body_test", 5);
  assert.equal(body.length, 5);
  const it = body[Symbol.asyncIterator]();
  await assert.rejects(it.next(), Deno.errors.NotFound);
  assert.equal((await it.next()).done, true, "done after the failure");
});

Deno.test("fileBody()'s return() closes the file at once and ends the pieces", async () => {
  using file = await tempFile(3 * FILE_PIECE_BYTES);
  const it = fileBody(file.path, file.data.length)[Symbol.asyncIterator]();
  assert.equal((await it.next()).done, false);
  assert.deepEqual(await it.return!(), { done: true, value: undefined });
  assert.equal((await it.next()).done, true);
  // Returned before it ever read: nothing is opened after.
  const unread = fileBody(file.path, file.data.length)[Symbol.asyncIterator]();
  await unread.return!();
  assert.equal((await unread.next()).done, true);
});

Deno.test("fileBody()'s return() while the file is opening ends the pieces without a read", async () => {
  using file = await tempFile(100);
  const it = fileBody(file.path, 100)[Symbol.asyncIterator]();
  const pending = it.next();
  await it.return!();
  assert.equal((await pending).done, true);
});

Deno.test("fileBody() from a start byte reads from there (a range), the iterator reading to the file's end", async () => {
  using file = await tempFile(2 * FILE_PIECE_BYTES + 100);
  const start = FILE_PIECE_BYTES + 3;
  const body = fileBody(file.path, 10, start);
  assert.equal(body.length, 10);
  const it = body[Symbol.asyncIterator]();
  const first = await it.next();
  assert.equal(first.done, false);
  // The first piece starts at `start`; the writer cuts it to the body's length.
  assert.deepEqual(first.value!.subarray(0, 10), file.data.subarray(start, start + 10));
  await it.return!();
});
