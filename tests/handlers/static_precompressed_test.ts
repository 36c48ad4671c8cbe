/** Precompressed .br / .gz siblings chosen by Accept-Encoding (src/handlers/static.ts). */

import assert from "node:assert/strict";
import { join } from "node:path";
import { serveFile } from "../../src/handlers/static.ts";
import { bodyText, makeRequest, responseHeader } from "../fixtures/request.ts";

const JS = "export const answer = 42;\n".repeat(50);

/** A root with app.js, app.js.br and app.js.gz (marked bodies, to tell which was sent). */
async function withSiblings(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "rawhttp_static_precompressed_" });
  try {
    await Deno.writeTextFile(join(root, "app.js"), JS);
    await Deno.writeTextFile(join(root, "app.js.br"), "BR BYTES");
    await Deno.writeTextFile(join(root, "app.js.gz"), "GZ BYTES");
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

const get = (headers: Array<[string, string]>) => makeRequest("GET", "/app.js", { headers });

Deno.test("a client taking br gets app.js.br with Content-Encoding, the file's type and Vary", async () => {
  await withSiblings(async (root) => {
    const res = await serveFile(root, "app.js", get([["Accept-Encoding", "gzip, deflate, br"]]));
    assert.equal(res.status, 200);
    assert.equal(bodyText(res), "BR BYTES");
    assert.equal(responseHeader(res, "content-encoding"), "br");
    assert.equal(responseHeader(res, "content-type"), "text/javascript; charset=utf-8");
    assert.equal(responseHeader(res, "vary"), "Accept-Encoding");
    assert.match(responseHeader(res, "etag") ?? "", /-br"$/);
  });
});

Deno.test("a client taking gzip only gets app.js.gz; one taking neither gets app.js, with Vary", async () => {
  await withSiblings(async (root) => {
    const gz = await serveFile(root, "app.js", get([["Accept-Encoding", "gzip"]]));
    assert.equal(bodyText(gz), "GZ BYTES");
    assert.equal(responseHeader(gz, "content-encoding"), "gzip");
    for (
      const headers of [[], [["Accept-Encoding", "identity"]]] as Array<Array<[string, string]>>
    ) {
      const plain = await serveFile(root, "app.js", get(headers));
      assert.equal(bodyText(plain), JS);
      assert.equal(responseHeader(plain, "content-encoding"), undefined);
      assert.equal(responseHeader(plain, "vary"), "Accept-Encoding");
    }
  });
});

Deno.test("each representation has its own ETag: a 304 only for the one the client holds", async () => {
  await withSiblings(async (root) => {
    const br = await serveFile(root, "app.js", get([["Accept-Encoding", "br"]]));
    const plain = await serveFile(root, "app.js", get([]));
    assert.notEqual(responseHeader(br, "etag"), responseHeader(plain, "etag"));
    const again = await serveFile(
      root,
      "app.js",
      get([["Accept-Encoding", "br"], ["If-None-Match", responseHeader(br, "etag")!]]),
    );
    assert.equal(again.status, 304);
    assert.equal(responseHeader(again, "vary"), "Accept-Encoding");
    const other = await serveFile(
      root,
      "app.js",
      get([["If-None-Match", responseHeader(br, "etag")!]]),
    );
    assert.equal(other.status, 200);
  });
});

Deno.test("a Range applies to the sibling sent, consistently: bytes of app.js.br", async () => {
  await withSiblings(async (root) => {
    const res = await serveFile(
      root,
      "app.js",
      get([["Accept-Encoding", "br"], ["Range", "bytes=0-1"]]),
    );
    assert.equal(res.status, 206);
    assert.equal(bodyText(res), "BR");
    assert.equal(responseHeader(res, "content-range"), "bytes 0-1/8");
    assert.equal(responseHeader(res, "content-encoding"), "br");
  });
});

Deno.test("a sibling older than its file, or precompressed: false, is not used", async () => {
  await withSiblings(async (root) => {
    await Deno.utime(join(root, "app.js.br"), 1_000_000, 1_000_000);
    const res = await serveFile(root, "app.js", get([["Accept-Encoding", "br, gzip"]]));
    assert.equal(bodyText(res), "GZ BYTES");
    const off = await serveFile(root, "app.js", get([["Accept-Encoding", "br, gzip"]]), {
      precompressed: false,
    });
    assert.equal(bodyText(off), JS);
    assert.equal(responseHeader(off, "vary"), undefined);
  });
});

Deno.test("a sibling that is a symlink out of the root is not used", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "rawhttp_static_precompressed_out_" });
  try {
    const root = join(tmp, "root");
    await Deno.mkdir(root);
    await Deno.writeTextFile(join(tmp, "secret.gz"), "SECRET");
    await Deno.writeTextFile(join(root, "app.js"), JS);
    await Deno.symlink(join(tmp, "secret.gz"), join(root, "app.js.gz"));
    const res = await serveFile(root, "app.js", get([["Accept-Encoding", "gzip"]]));
    assert.equal(bodyText(res), JS);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
