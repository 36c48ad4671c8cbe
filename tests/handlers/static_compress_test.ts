/** Optional gzip of compressible files as they are sent (src/handlers/static.ts, `compress`). */

import assert from "node:assert/strict";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { COMPRESS_MIN_BYTES, serveFile, type StaticOptions } from "../../src/handlers/static.ts";
import { isCompressible } from "../../src/handlers/_mime_db.ts";
import { acceptsCoding } from "../../src/handlers/encodings.ts";
import type { RawResponse } from "../../src/app/response.ts";
import { isStreamBody } from "../../src/protocol/message.ts";
import { bodyText, makeRequest, responseHeader } from "../fixtures/request.ts";

const JSON_TEXT = '{"answer": 42}\n'.repeat(200); // 3000 bytes

async function withRoot(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "rawhttp_static_compress_" });
  try {
    await Deno.writeTextFile(join(root, "data.json"), JSON_TEXT);
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

const get = (path: string, headers: Array<[string, string]> = []) =>
  makeRequest("GET", `/${path}`, { headers });
const GZIP: Array<[string, string]> = [["Accept-Encoding", "gzip, deflate"]];
const BR: Array<[string, string]> = [["Accept-Encoding", "gzip, deflate, br"]];
const ON: StaticOptions = { compress: true };

/** The whole body of a response, its stream read to the end. */
async function bodyBytes(res: RawResponse): Promise<Uint8Array> {
  const body = res.body;
  if (body === undefined) return new Uint8Array();
  if (!isStreamBody(body)) return typeof body === "string" ? new TextEncoder().encode(body) : body;
  const parts: Uint8Array[] = [];
  for await (const part of body) parts.push(part.slice());
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}

Deno.test("compress: a JSON file taking gzip is gzipped as sent, no length, Vary, a -gzip-dyn ETag", async () => {
  await withRoot(async (root) => {
    const res = await serveFile(root, "data.json", get("data.json", GZIP), ON);
    assert.equal(res.status, 200);
    assert.equal(responseHeader(res, "content-encoding"), "gzip");
    assert.equal(responseHeader(res, "content-type"), "application/json");
    assert.equal(responseHeader(res, "vary"), "Accept-Encoding");
    assert.equal(responseHeader(res, "content-length"), undefined);
    assert.match(responseHeader(res, "etag") ?? "", /^"[0-9a-z]+-[0-9a-z]+-gzip-dyn"$/);
    const gz = await bodyBytes(res);
    assert.ok(gz.length < JSON_TEXT.length / 5, `${gz.length}`);
    assert.equal(new TextDecoder().decode(gunzipSync(gz)), JSON_TEXT);
  });
});

Deno.test("compress: a client taking br gets br (Deno's brotli), with a -br-dyn ETag; one taking *, br too", async () => {
  await withRoot(async (root) => {
    const res = await serveFile(root, "data.json", get("data.json", BR), ON);
    assert.equal(responseHeader(res, "content-encoding"), "br");
    assert.equal(responseHeader(res, "vary"), "Accept-Encoding");
    assert.match(responseHeader(res, "etag") ?? "", /-br-dyn"$/);
    const br = await bodyBytes(res);
    assert.equal(new TextDecoder().decode(brotliDecompressSync(br)), JSON_TEXT);
    const any = await serveFile(
      root,
      "data.json",
      get("data.json", [["Accept-Encoding", "*"]]),
      ON,
    );
    assert.equal(responseHeader(any, "content-encoding"), "br");
    await bodyBytes(any);
    const notBr = [["Accept-Encoding", "br;q=0, gzip"]] as Array<[string, string]>;
    const gz = await serveFile(root, "data.json", get("data.json", notBr), ON);
    assert.equal(responseHeader(gz, "content-encoding"), "gzip");
    await bodyBytes(gz);
  });
});

Deno.test("compress is off by default: identity, with the identity ETag", async () => {
  await withRoot(async (root) => {
    const res = await serveFile(root, "data.json", get("data.json", GZIP));
    assert.equal(responseHeader(res, "content-encoding"), undefined);
    assert.equal(bodyText(res), JSON_TEXT);
    assert.doesNotMatch(responseHeader(res, "etag") ?? "", /gzip/);
  });
});

Deno.test("compress: the threshold (below: identity; at and above: gzip), default 1024 and minBytes", async () => {
  await withRoot(async (root) => {
    for (const [size, coded] of [[1023, false], [1024, true], [1025, true]] as const) {
      await Deno.writeTextFile(join(root, `f${size}.txt`), "a".repeat(size));
      const res = await serveFile(root, `f${size}.txt`, get(`f${size}.txt`, GZIP), ON);
      assert.equal(responseHeader(res, "content-encoding"), coded ? "gzip" : undefined, `${size}`);
      await bodyBytes(res);
      assert.equal(responseHeader(res, "vary"), "Accept-Encoding", `${size}`);
    }
    assert.equal(COMPRESS_MIN_BYTES, 1024);
    const opts: StaticOptions = { compress: { minBytes: 5000 } };
    const res = await serveFile(root, "data.json", get("data.json", GZIP), opts);
    assert.equal(responseHeader(res, "content-encoding"), undefined);
  });
});

Deno.test("compress: a Range request gets the identity bytes (206), never a range of gzip", async () => {
  await withRoot(async (root) => {
    const res = await serveFile(
      root,
      "data.json",
      get("data.json", [...GZIP, ["Range", "bytes=0-9"]]),
      ON,
    );
    assert.equal(res.status, 206);
    assert.equal(responseHeader(res, "content-encoding"), undefined);
    assert.equal(bodyText(res), JSON_TEXT.slice(0, 10));
  });
});

Deno.test("compress: identity, gzip;q=0, no header and an incompressible type get identity", async () => {
  await withRoot(async (root) => {
    for (const ae of ["identity", "gzip;q=0, br;q=0", "*;q=0", "deflate"]) {
      const res = await serveFile(
        root,
        "data.json",
        get("data.json", [["Accept-Encoding", ae]]),
        ON,
      );
      assert.equal(responseHeader(res, "content-encoding"), undefined, ae);
      assert.equal(bodyText(res), JSON_TEXT, ae);
    }
    const none = await serveFile(root, "data.json", get("data.json"), ON);
    assert.equal(responseHeader(none, "content-encoding"), undefined);
    await Deno.writeFile(join(root, "p.png"), new Uint8Array(4096));
    const png = await serveFile(root, "p.png", get("p.png", GZIP), ON);
    assert.equal(responseHeader(png, "content-encoding"), undefined);
    assert.equal(responseHeader(png, "content-type"), "image/png");
  });
});

Deno.test("compress: a precompressed sibling wins, and a .gz asked for is sent as is", async () => {
  await withRoot(async (root) => {
    await Deno.writeTextFile(join(root, "data.json.gz"), "GZ BYTES");
    const res = await serveFile(root, "data.json", get("data.json", GZIP), ON);
    assert.equal(bodyText(res), "GZ BYTES");
    assert.match(responseHeader(res, "etag") ?? "", /-gzip"$/);
    await Deno.writeFile(join(root, "x.gz"), new Uint8Array(4096));
    const gz = await serveFile(root, "x.gz", get("x.gz", GZIP), ON);
    assert.equal(responseHeader(gz, "content-encoding"), undefined);
  });
});

Deno.test("compress: If-None-Match with the gzip ETag is 304 with Vary; the identity ETag does not match it", async () => {
  await withRoot(async (root) => {
    const first = await serveFile(root, "data.json", get("data.json", GZIP), ON);
    await bodyBytes(first);
    const etag = responseHeader(first, "etag")!;
    const again = await serveFile(
      root,
      "data.json",
      get("data.json", [...GZIP, ["If-None-Match", etag]]),
      ON,
    );
    assert.equal(again.status, 304);
    assert.equal(responseHeader(again, "vary"), "Accept-Encoding");
    const plain = await serveFile(
      root,
      "data.json",
      get("data.json", [["If-None-Match", etag]]),
      ON,
    );
    assert.equal(plain.status, 200);
    assert.equal(bodyText(plain), JSON_TEXT);
  });
});

Deno.test("isCompressible follows mime-db's flag, else text/* and +json/+xml", () => {
  for (
    const t of [
      "text/html",
      "application/json",
      "text/javascript",
      "image/svg+xml",
      "text/x-unknown",
      "application/x-foo+json",
    ]
  ) {
    assert.ok(isCompressible(t), t);
  }
  for (
    const t of [
      "image/png",
      "video/mp4",
      "application/gzip",
      "application/zip",
      "font/woff2",
      "application/octet-stream",
    ]
  ) {
    assert.ok(!isCompressible(t), t);
  }
});

Deno.test("acceptsCoding: q-values, *, x-gzip, and an absent header", () => {
  assert.ok(acceptsCoding("gzip", "gzip"));
  assert.ok(acceptsCoding("x-gzip", "gzip"));
  assert.ok(acceptsCoding("*", "gzip"));
  assert.ok(acceptsCoding("br, *;q=0.1", "gzip"));
  assert.ok(!acceptsCoding("gzip;q=0", "gzip"));
  assert.ok(!acceptsCoding("gzip;q=0, *", "gzip"));
  assert.ok(!acceptsCoding("identity", "gzip"));
  assert.ok(!acceptsCoding(null, "gzip"));
});
