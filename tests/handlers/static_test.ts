import assert from "node:assert/strict";
import { Output } from "../../src/io/output.ts";
import { writeResponse } from "../../src/server/response_writer.ts";
import { FILE_PIECE_BYTES, SizedBody } from "../../src/io/sized_body.ts";
import { join } from "node:path";
import {
  contentType,
  etagMatches,
  fileRoute,
  serveFile,
  staticFiles,
} from "../../src/handlers/static.ts";
import type { RawResponse } from "../../src/app/response.ts";
import { bodyText, makeRequest, responseHeader } from "../fixtures/request.ts";

const enc = new TextEncoder();

/**
 * A temp folder laid out as:
 *
 * ```
 * <tmp>/secret.txt                 outside the root
 * <tmp>/outside/inner.txt          outside the root
 * <tmp>/root/index.html
 * <tmp>/root/css/site.css
 * <tmp>/root/data.json, logo.PNG, blob.bin
 * <tmp>/root/.env                  hidden
 * <tmp>/root/sub/                  a directory
 * <tmp>/root/escape.txt  -> ../secret.txt    symlink out of the root
 * <tmp>/root/escape-dir  -> ../outside       symlinked directory out of the root
 * <tmp>/root/alias.txt   -> css/site.css     symlink inside the root
 * ```
 */
async function withSite(fn: (dir: { tmp: string; root: string }) => Promise<void>): Promise<void> {
  const tmp = await Deno.makeTempDir({ prefix: "rawhttp_static_test_" });
  try {
    const root = join(tmp, "root");
    await Deno.mkdir(join(root, "css"), { recursive: true });
    await Deno.mkdir(join(root, "sub"));
    await Deno.mkdir(join(tmp, "outside"));
    await Deno.writeTextFile(join(tmp, "secret.txt"), "top secret");
    await Deno.writeTextFile(join(tmp, "outside", "inner.txt"), "also secret");
    await Deno.writeTextFile(join(root, "index.html"), "<h1>héllo</h1>");
    await Deno.writeTextFile(join(root, "css", "site.css"), "body{}");
    await Deno.writeTextFile(join(root, "data.json"), '{"a":1}');
    await Deno.writeFile(join(root, "logo.PNG"), new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
    await Deno.writeFile(join(root, "blob.bin"), new Uint8Array([0, 255, 13, 10]));
    await Deno.writeTextFile(join(root, ".env"), "PASSWORD=x");
    await Deno.symlink(join("..", "secret.txt"), join(root, "escape.txt"));
    await Deno.symlink(join("..", "outside"), join(root, "escape-dir"));
    await Deno.symlink(join("css", "site.css"), join(root, "alias.txt"));
    await fn({ tmp, root });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

function get(path: string, headers: Array<[string, string]> = []) {
  return makeRequest("GET", path, { headers });
}

function assertNotFound(res: RawResponse, what: string): void {
  assert.equal(res.status, 404, what);
  assert.equal(bodyText(res), "Not Found\n", what);
  assert.equal(responseHeader(res, "etag"), undefined, what);
}

Deno.test("serveFile() serves a file with its content type, ETag and Last-Modified", async () => {
  await withSite(async ({ root }) => {
    const res = await serveFile(root, "index.html", get("/index.html"));
    assert.equal(res.status, 200);
    assert.equal(responseHeader(res, "content-type"), "text/html; charset=utf-8");
    assert.equal(bodyText(res), "<h1>héllo</h1>");
    assert.match(responseHeader(res, "etag") ?? "", /^"[0-9a-z]+-[0-9a-z]+"$/);
    assert.equal(responseHeader(res, "cache-control"), "no-cache");
    const lastModified = responseHeader(res, "last-modified");
    assert.ok(lastModified !== undefined && !Number.isNaN(Date.parse(lastModified)));
  });
});

Deno.test("serveFile() picks the content type by extension, case-insensitively", async () => {
  await withSite(async ({ root }) => {
    const cases: Array<[string, string]> = [
      ["css/site.css", "text/css; charset=utf-8"],
      ["data.json", "application/json"],
      ["logo.PNG", "image/png"],
      ["blob.bin", "application/octet-stream"],
      ["app.mjs", "text/javascript; charset=utf-8"],
      ["mod.WASM", "application/wasm"],
      ["film.mp4", "video/mp4"],
      ["no-extension", "application/octet-stream"],
    ];
    for (const file of ["app.mjs", "mod.WASM", "film.mp4", "no-extension"]) {
      await Deno.writeTextFile(join(root, file), "x");
    }
    for (const [file, type] of cases) {
      const res = await serveFile(root, file, get("/" + file));
      assert.equal(res.status, 200, file);
      assert.equal(responseHeader(res, "content-type"), type, file);
    }
    assert.equal(contentType("a.html"), "text/html; charset=utf-8");
    assert.equal(contentType("a.js"), "text/javascript; charset=utf-8");
    assert.equal(contentType("a.svg"), "image/svg+xml");
    assert.equal(contentType("a.woff2"), "font/woff2");
  });
});

Deno.test("serveFile() returns the file's bytes unchanged", async () => {
  await withSite(async ({ root }) => {
    const res = await serveFile(root, "blob.bin", get("/blob.bin"));
    assert.deepEqual(res.body, new Uint8Array([0, 255, 13, 10]));
  });
});

Deno.test("serveFile() ignores empty segments and a leading slash", async () => {
  await withSite(async ({ root }) => {
    const res = await serveFile(root, "/css//site.css", get("/x"));
    assert.equal(res.status, 200);
    assert.equal(bodyText(res), "body{}");
  });
});

Deno.test("serveFile() answers 404 for a missing file", async () => {
  await withSite(async ({ root }) => {
    assertNotFound(await serveFile(root, "nope.html", get("/nope.html")), "missing");
    assertNotFound(await serveFile(root, "css/nope.css", get("/x")), "missing in subdir");
    assertNotFound(await serveFile(root, "index.html/x", get("/x")), "file as a folder");
  });
});

Deno.test("serveFile() answers 404 for ../ traversal, even to a file that exists", async () => {
  await withSite(async ({ root }) => {
    for (const rel of ["../secret.txt", "css/../../secret.txt", "..", "sub/../index.html"]) {
      assertNotFound(await serveFile(root, rel, get("/x")), rel);
    }
  });
});

Deno.test("serveFile() answers 404 for a backslash in a segment", async () => {
  await withSite(async ({ root }) => {
    assertNotFound(await serveFile(root, "..\\secret.txt", get("/x")), "backslash");
    assertNotFound(await serveFile(root, "css\\site.css", get("/x")), "backslash inside");
    if (Deno.build.os !== "windows") {
      // On POSIX a backslash is an ordinary name character: the file exists, and
      // only the segment check refuses it (a Windows host would read it as a separator).
      await Deno.writeTextFile(join(root, "back\\slash.txt"), "x");
      assertNotFound(await serveFile(root, "back\\slash.txt", get("/x")), "existing file");
    }
  });
});

Deno.test("serveFile() answers 404 for hidden files such as .env", async () => {
  await withSite(async ({ root }) => {
    assertNotFound(await serveFile(root, ".env", get("/.env")), ".env");
    assertNotFound(await serveFile(root, "sub/.env", get("/x")), "nested hidden");
    assertNotFound(await serveFile(root, ".", get("/x")), "dot");
  });
});

Deno.test("serveFile() answers 404 for a symlink that points outside the root", async () => {
  await withSite(async ({ tmp, root }) => {
    // The target exists and is readable: only the root check stops it.
    assert.equal(await Deno.readTextFile(join(root, "escape.txt")), "top secret");
    assertNotFound(await serveFile(root, "escape.txt", get("/x")), "file symlink");
    assertNotFound(await serveFile(root, "escape-dir/inner.txt", get("/x")), "dir symlink");
    assert.equal(await Deno.readTextFile(join(tmp, "secret.txt")), "top secret");
  });
});

Deno.test("serveFile() serves a symlink that stays inside the root", async () => {
  await withSite(async ({ root }) => {
    const res = await serveFile(root, "alias.txt", get("/alias.txt"));
    assert.equal(res.status, 200);
    assert.equal(bodyText(res), "body{}");
    // The type follows the real file, not the link's name.
    assert.equal(responseHeader(res, "content-type"), "text/css; charset=utf-8");
  });
});

Deno.test("serveFile() serves from a root that is itself a symlink", async () => {
  await withSite(async ({ tmp, root }) => {
    const linkedRoot = join(tmp, "linked-root");
    await Deno.symlink(root, linkedRoot);
    const res = await serveFile(linkedRoot, "css/site.css", get("/x"));
    assert.equal(res.status, 200);
    assert.equal(bodyText(res), "body{}");
    assertNotFound(await serveFile(linkedRoot, "escape.txt", get("/x")), "escape via linked root");
  });
});

Deno.test("serveFile() answers 404 for a folder without index.html, or with index: false", async () => {
  await withSite(async ({ root }) => {
    assertNotFound(await serveFile(root, "sub/", get("/sub/")), "sub/");
    assertNotFound(await serveFile(root, "css/", get("/css/")), "css/");
    assertNotFound(await serveFile(root, "", get("/"), { index: false }), "root, no index");
    assertNotFound(await serveFile(root, "sub", get("/sub"), { index: false }), "sub, no index");
  });
});

Deno.test("serveFile() serves a folder's index.html for a path ending in /, the root included", async () => {
  await withSite(async ({ root }) => {
    await Deno.writeTextFile(join(root, "sub", "index.html"), "sub index");
    const res = await serveFile(root, "sub/", get("/sub/"));
    assert.equal(res.status, 200);
    assert.equal(bodyText(res), "sub index");
    assert.equal(responseHeader(res, "content-type"), "text/html; charset=utf-8");
    assert.equal(bodyText(await serveFile(root, "", get("/"))), "<h1>héllo</h1>");
    const other = await serveFile(root, "sub/", get("/sub/"), { index: "other.txt" });
    assertNotFound(other, "a missing index file");
  });
});

Deno.test("serveFile() redirects a folder's path without / to it with 301, relative, query kept", async () => {
  await withSite(async ({ root }) => {
    const res = await serveFile(root, "sub", get("/static/sub"));
    assert.equal(res.status, 301);
    assert.equal(responseHeader(res, "location"), "sub/");
    const q = await serveFile(root, "sub", get("/static/sub?a=1"));
    assert.equal(responseHeader(q, "location"), "sub/?a=1");
    // Never "//host/": a relative reference cannot leave this host.
    const odd = await serveFile(root, "sub", get("//evil.example/sub"));
    assert.equal(responseHeader(odd, "location"), "sub/");
  });
});

Deno.test("serveFile() answers 404 for an index.html that is a symlink out of the root", async () => {
  await withSite(async ({ tmp, root }) => {
    await Deno.symlink(join(tmp, "secret.txt"), join(root, "sub", "index.html"));
    assertNotFound(await serveFile(root, "sub/", get("/sub/")), "index symlink out");
  });
});

Deno.test("serveFile() sends the configured Cache-Control, on 200 and on 304", async () => {
  await withSite(async ({ root }) => {
    const options = { cacheControl: "public, max-age=3600" };
    const res = await serveFile(root, "data.json", get("/data.json"), options);
    assert.equal(responseHeader(res, "cache-control"), "public, max-age=3600");
    const etag = responseHeader(res, "etag")!;
    const again = await serveFile(root, "data.json", get("/x", [["If-None-Match", etag]]), options);
    assert.equal(again.status, 304);
    assert.equal(responseHeader(again, "cache-control"), "public, max-age=3600");
  });
});

Deno.test("serveFile() answers 404, not an exception, for a NUL in the path", async () => {
  await withSite(async ({ root }) => {
    assertNotFound(await serveFile(root, "index.html\u0000.txt", get("/x")), "NUL");
  });
});

Deno.test("serveFile() answers 404 when the root does not exist", async () => {
  await withSite(async ({ tmp }) => {
    assertNotFound(await serveFile(join(tmp, "missing"), "index.html", get("/x")), "no root");
  });
});

Deno.test("serveFile() answers 304 with no body when If-None-Match equals the ETag", async () => {
  await withSite(async ({ root }) => {
    const first = await serveFile(root, "index.html", get("/"));
    const etag = responseHeader(first, "etag");
    assert.ok(etag !== undefined);
    const again = await serveFile(root, "index.html", get("/", [["If-None-Match", etag]]));
    assert.equal(again.status, 304);
    assert.equal(again.body, undefined);
    assert.equal(responseHeader(again, "etag"), etag);
    assert.equal(responseHeader(again, "cache-control"), "no-cache");
  });
});

Deno.test("serveFile() answers 200 when If-None-Match names another ETag", async () => {
  await withSite(async ({ root }) => {
    const res = await serveFile(root, "index.html", get("/", [["If-None-Match", '"other"']]));
    assert.equal(res.status, 200);
    assert.equal(bodyText(res), "<h1>héllo</h1>");
  });
});

Deno.test("serveFile() changes the ETag when the file changes size", async () => {
  await withSite(async ({ root }) => {
    const before = responseHeader(await serveFile(root, "data.json", get("/")), "etag");
    await Deno.writeTextFile(join(root, "data.json"), '{"a":1,"b":2}');
    const res = await serveFile(root, "data.json", get("/", [["If-None-Match", before!]]));
    assert.equal(res.status, 200, "an old ETag must not get a 304");
    assert.notEqual(responseHeader(res, "etag"), before);
    assert.equal(bodyText(res), '{"a":1,"b":2}');
  });
});

Deno.test("staticFiles() serves the file named by params['*']", async () => {
  await withSite(async ({ root }) => {
    const handler = staticFiles(root);
    const req = makeRequest("GET", "/static/css/site.css", { params: { "*": "css/site.css" } });
    const res = await handler(req);
    assert.equal(res.status, 200);
    assert.equal(bodyText(res), "body{}");
    // The request path is not what it reads: only params["*"] is.
    const other = makeRequest("GET", "/static/css/site.css", { params: { "*": "data.json" } });
    assert.equal(bodyText(await handler(other)), '{"a":1}');
    const traversal = makeRequest("GET", "/static/x", { params: { "*": "../secret.txt" } });
    assertNotFound(await handler(traversal), "traversal via params");
    // No * param: the root folder, so its index.html (or 404 without one).
    assert.equal(bodyText(await handler(makeRequest("GET", "/static/"))), "<h1>héllo</h1>");
    const noIndex = staticFiles(root, { index: false });
    assertNotFound(await noIndex(makeRequest("GET", "/static/")), "no * param, no index");
  });
});

Deno.test("fileRoute() always serves its one file", async () => {
  await withSite(async ({ root }) => {
    const res = await fileRoute(root, "index.html")(makeRequest("GET", "/about"));
    assert.equal(res.status, 200);
    assert.equal(bodyText(res), "<h1>héllo</h1>");
  });
});

Deno.test("staticFiles() answers with bytes the serializer can frame (no text decoding)", async () => {
  await withSite(async ({ root }) => {
    const res = await staticFiles(root)(
      makeRequest("GET", "/s", { params: { "*": "index.html" } }),
    );
    assert.ok(res.body instanceof Uint8Array);
    assert.equal(res.body.length, enc.encode("<h1>héllo</h1>").length);
  });
});

Deno.test("etagMatches() compares If-None-Match weakly over a list, and * matches any tag", () => {
  const tag = '"abc-1"';
  assert.ok(etagMatches(tag, tag));
  assert.ok(etagMatches(`"x", ${tag}`, tag));
  assert.ok(etagMatches(`W/${tag}`, tag));
  assert.ok(etagMatches("*", tag));
  assert.ok(!etagMatches('"abc-2"', tag));
  assert.ok(!etagMatches(null, tag));
  assert.ok(!etagMatches("", tag));
});

Deno.test("serveFile() answers 304 without Content-Type for a weak list match (regression: list gave 200)", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${root}/a.txt`, "hello");
    const first = await serveFile(root, "a.txt", makeRequest("GET", "/a.txt"));
    const etag = responseHeader(first, "etag")!;
    const again = await serveFile(
      root,
      "a.txt",
      makeRequest("GET", "/a.txt", { headers: [["If-None-Match", `"other", W/${etag}`]] }),
    );
    assert.equal(again.status, 304);
    assert.equal(again.body, undefined);
    assert.equal(responseHeader(again, "content-type"), undefined);
    assert.equal(responseHeader(again, "etag"), etag);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("serveFile() reads a large file as it is sent: Content-Length, the same bytes, HEAD without a read", async () => {
  await withSite(async ({ root }) => {
    const size = 3 * FILE_PIECE_BYTES + 17;
    const data = new Uint8Array(size).map((_, i) => i % 251);
    await Deno.writeFile(join(root, "big.bin"), data);
    for (const method of ["GET", "HEAD"]) {
      const res = await serveFile(root, "big.bin", makeRequest(method, "/big.bin"));
      assert.equal(res.status, 200);
      assert.ok(res.body instanceof SizedBody);
      const parts: Uint8Array[] = [];
      const output = new Output({
        write(p) {
          parts.push(p.slice());
          return Promise.resolve(p.length);
        },
      }, 60_000);
      const written = await writeResponse(output, res, {
        keepAlive: true,
        omitBody: method === "HEAD",
        date: "Thu, 01 Jan 2026 00:00:00 GMT",
        version: "HTTP/1.1",
        closingSignal: () => new AbortController().signal,
      });
      await output.flush();
      output.dispose();
      assert.equal(written.reusable, true);
      const wire = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((at, p) => (wire.set(p, at), at + p.length), 0);
      const text = new TextDecoder("latin1").decode(wire);
      const headEnd = text.indexOf("\r\n\r\n") + 4;
      assert.match(text.slice(0, headEnd), new RegExp(`content-length: ${size}\r\n`, "i"));
      assert.deepEqual(wire.subarray(headEnd), method === "HEAD" ? new Uint8Array(0) : data);
    }
  });
});

Deno.test("a file asked for with a slash after its name is 404, as nginx answers", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/a.txt`, "a");
  const handler = staticFiles(dir);
  const ok = await handler(makeRequest("GET", "/static/a.txt", { params: { "*": "a.txt" } }));
  assert.equal(ok.status, 200);
  const slashed = await handler(
    makeRequest("GET", "/static/a.txt/", { params: { "*": "a.txt/" } }),
  );
  assert.equal(slashed.status, 404);
  await Deno.remove(dir, { recursive: true });
});
