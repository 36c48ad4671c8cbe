/** Ranges and conditionals of served files (src/handlers/static.ts), down to the bytes on the wire. */

import assert from "node:assert/strict";
import { join } from "node:path";
import { Output } from "../../src/io/output.ts";
import { FILE_PIECE_BYTES, SizedBody } from "../../src/io/sized_body.ts";
import { writeResponse } from "../../src/server/response_writer.ts";
import { serveFile } from "../../src/handlers/static.ts";
import type { RawResponse } from "../../src/app/response.ts";
import { makeRequest, responseHeader } from "../fixtures/request.ts";

const SMALL = 1000;
const LARGE = 3 * FILE_PIECE_BYTES + 17;

async function withFiles(
  fn: (root: string, small: Uint8Array, large: Uint8Array) => Promise<void>,
) {
  const root = await Deno.makeTempDir({ prefix: "rawhttp_static_ranges_" });
  try {
    const small = new Uint8Array(SMALL).map((_, i) => i % 251);
    const large = new Uint8Array(LARGE).map((_, i) => (i * 7) % 253);
    await Deno.writeFile(join(root, "small.bin"), small);
    await Deno.writeFile(join(root, "large.bin"), large);
    await fn(root, small, large);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

function get(headers: Array<[string, string]>, method = "GET") {
  return makeRequest(method, "/f", { headers });
}

/** The response as written on the wire: its head (text) and its body bytes. */
async function wire(res: RawResponse, head = false): Promise<{ head: string; body: Uint8Array }> {
  const parts: Uint8Array[] = [];
  const output = new Output({
    write(p) {
      parts.push(p.slice());
      return Promise.resolve(p.length);
    },
  }, 60_000);
  await writeResponse(output, res, {
    keepAlive: true,
    omitBody: head,
    date: "Thu, 01 Jan 2026 00:00:00 GMT",
    version: "HTTP/1.1",
    closingSignal: () => new AbortController().signal,
  });
  await output.flush();
  output.dispose();
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
  const text = new TextDecoder("latin1").decode(all);
  const end = text.indexOf("\r\n\r\n") + 4;
  return { head: text.slice(0, end), body: all.subarray(end) };
}

Deno.test("a Range of a small and of a streamed file is 206 with Content-Range and those bytes", async () => {
  await withFiles(async (root, small, large) => {
    const cases: Array<[string, Uint8Array, string, number, number]> = [
      ["small.bin", small, "bytes=0-99", 0, 99],
      ["small.bin", small, "bytes=999-999", 999, 999], // the last byte
      ["small.bin", small, "bytes=-500", 500, 999],
      ["small.bin", small, "bytes=500-", 500, 999],
      ["small.bin", small, "bytes=990-2000", 990, 999],
      ["large.bin", large, "bytes=0-99", 0, 99],
      ["large.bin", large, `bytes=${FILE_PIECE_BYTES - 5}-`, FILE_PIECE_BYTES - 5, LARGE - 1],
      ["large.bin", large, "bytes=-70000", LARGE - 70000, LARGE - 1],
      ["large.bin", large, `bytes=${LARGE - 1}-`, LARGE - 1, LARGE - 1],
    ];
    for (const [file, data, range, start, end] of cases) {
      const res = await serveFile(root, file, get([["Range", range]]));
      assert.equal(res.status, 206, range);
      const size = data.length;
      assert.equal(responseHeader(res, "content-range"), `bytes ${start}-${end}/${size}`, range);
      assert.equal(responseHeader(res, "accept-ranges"), "bytes");
      const { head, body } = await wire(res);
      assert.match(head, /^HTTP\/1\.1 206 Partial Content\r\n/);
      assert.match(head, new RegExp(`content-length: ${end - start + 1}\r\n`, "i"), range);
      assert.doesNotMatch(head, /transfer-encoding/i);
      assert.deepEqual(body, data.subarray(start, end + 1), `${file} ${range}`);
    }
  });
});

Deno.test("a small range of a large file is read from disk as sent, not read whole", async () => {
  await withFiles(async (root, _small, large) => {
    const res = await serveFile(root, "large.bin", get([["Range", "bytes=70000-70009"]]));
    assert.ok(res.body instanceof SizedBody);
    assert.equal(res.body.length, 10);
    assert.deepEqual((await wire(res)).body, large.subarray(70000, 70010));
  });
});

Deno.test("a large range streams in pieces (a SizedBody), and HEAD sends its head alone", async () => {
  await withFiles(async (root, _small, large) => {
    const res = await serveFile(root, "large.bin", get([["Range", "bytes=100-"]], "HEAD"));
    assert.ok(res.body instanceof SizedBody);
    const { head, body } = await wire(res, true);
    assert.match(head, new RegExp(`content-length: ${LARGE - 100}\r\n`, "i"));
    assert.equal(body.length, 0);
    assert.equal(large.length, LARGE);
  });
});

Deno.test("a Range starting one past the end is 416 with Content-Range: bytes */size", async () => {
  await withFiles(async (root) => {
    for (const range of [`bytes=${SMALL}-`, "bytes=-0", `bytes=${SMALL + 5}-${SMALL + 9}`]) {
      const res = await serveFile(root, "small.bin", get([["Range", range]]));
      assert.equal(res.status, 416, range);
      assert.equal(responseHeader(res, "content-range"), `bytes */${SMALL}`);
    }
  });
});

Deno.test("several ranges, or a range that is not bytes=, get the whole file with 200", async () => {
  await withFiles(async (root, small) => {
    for (const range of ["bytes=0-1,5-6", "bytes=0-499,250-", "items=0-1", "bytes=9-1"]) {
      const res = await serveFile(root, "small.bin", get([["Range", range]]));
      assert.equal(res.status, 200, range);
      assert.equal(responseHeader(res, "content-range"), undefined);
      assert.deepEqual((await wire(res)).body, small);
    }
  });
});

Deno.test("If-Range with the ETag or Last-Modified keeps the range; another validator gets 200", async () => {
  await withFiles(async (root) => {
    const plain = await serveFile(root, "small.bin", get([]));
    const etag = responseHeader(plain, "etag")!;
    const modified = responseHeader(plain, "last-modified")!;
    for (const ifRange of [etag, modified]) {
      const res = await serveFile(
        root,
        "small.bin",
        get([["Range", "bytes=0-9"], ["If-Range", ifRange]]),
      );
      assert.equal(res.status, 206, ifRange);
    }
    for (const ifRange of ['"stale"', `W/${etag}`, "Thu, 01 Jan 1970 00:00:00 GMT"]) {
      const res = await serveFile(
        root,
        "small.bin",
        get([["Range", "bytes=0-9"], ["If-Range", ifRange]]),
      );
      assert.equal(res.status, 200, ifRange);
    }
  });
});

Deno.test("If-Modified-Since: 304 at Last-Modified, 200 before; If-Unmodified-Since before: 412", async () => {
  await withFiles(async (root) => {
    const plain = await serveFile(root, "small.bin", get([]));
    const modified = responseHeader(plain, "last-modified")!;
    const before = new Date(Date.parse(modified) - 1000).toUTCString();
    const at = await serveFile(root, "small.bin", get([["If-Modified-Since", modified]]));
    assert.equal(at.status, 304);
    assert.equal(at.body, undefined);
    assert.equal(responseHeader(at, "last-modified"), modified);
    const old = await serveFile(root, "small.bin", get([["If-Modified-Since", before]]));
    assert.equal(old.status, 200);
    const gone = await serveFile(root, "small.bin", get([["If-Unmodified-Since", before]]));
    assert.equal(gone.status, 412);
    const still = await serveFile(root, "small.bin", get([["If-Unmodified-Since", modified]]));
    assert.equal(still.status, 200);
  });
});

Deno.test("If-Match: the ETag passes (a range applies), another is 412; 412 comes before 304", async () => {
  await withFiles(async (root) => {
    const etag = responseHeader(await serveFile(root, "small.bin", get([])), "etag")!;
    const ok = await serveFile(
      root,
      "small.bin",
      get([["If-Match", etag], ["Range", "bytes=0-0"]]),
    );
    assert.equal(ok.status, 206);
    const bad = await serveFile(root, "small.bin", get([["If-Match", '"x"']]));
    assert.equal(bad.status, 412);
    const both = await serveFile(
      root,
      "small.bin",
      get([["If-Match", '"x"'], ["If-None-Match", etag]]),
    );
    assert.equal(both.status, 412);
  });
});

Deno.test("a 304 to a Range request with a matching If-None-Match has no Content-Range", async () => {
  await withFiles(async (root) => {
    const etag = responseHeader(await serveFile(root, "large.bin", get([])), "etag")!;
    const res = await serveFile(
      root,
      "large.bin",
      get([["If-None-Match", etag], ["Range", "bytes=0-9"]]),
    );
    assert.equal(res.status, 304);
    assert.equal(responseHeader(res, "content-range"), undefined);
  });
});
