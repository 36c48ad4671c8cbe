/**
 * Static files in headless Chromium: a page seeks in a large file the way a
 * media player does (Range requests from the middle and the end, each
 * checked byte for byte against the file's pattern, byte i = i % 251), loads
 * it whole, and loads a text file the server compresses (br) as it sends it. The page
 * posts what it found to /result. Ignored (never passed) when chromium is
 * not installed.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { Router } from "../../src/app/router.ts";
import { staticFiles } from "../../src/handlers/static.ts";
import { Server } from "../../src/server/server.ts";
import { HAS_CHROMIUM, openPage, pageRoutes } from "../fixtures/chromium.ts";

const SIZE = 3 * 1024 * 1024 + 17;
const LINES = 5000;

/** The page: seeks, a whole load, a text compressed as sent; then posts its findings. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>seek</title><script>
const SIZE = ${SIZE};
const pattern = (bytes, from) => bytes.every((v, k) => v === (from + k) % 251);
async function ranged(range, from) {
  const r = await fetch("/static/big.bin", { headers: { Range: range }, cache: "no-store" });
  const bytes = new Uint8Array(await r.arrayBuffer());
  return { status: r.status, contentRange: r.headers.get("content-range"),
    length: bytes.length, pattern: pattern(bytes, from) };
}
async function run() {
  const out = {};
  out.middle = await ranged("bytes=1000000-1000099", 1000000);
  out.end = await ranged("bytes=-100", SIZE - 100);
  out.back = await ranged("bytes=0-65535", 0);
  const whole = await fetch("/static/big.bin", { cache: "no-store" });
  const bytes = new Uint8Array(await whole.arrayBuffer());
  out.whole = { status: whole.status, length: bytes.length, pattern: pattern(bytes, 0) };
  const t = await fetch("/static/lines.txt", { cache: "no-store" });
  const body = await t.text();
  let expected = "";
  for (let i = 0; i < ${LINES}; i++) expected += "line " + i + "\\n";
  out.text = { status: t.status, encoding: t.headers.get("content-encoding"), same: body === expected };
  return out;
}
run().catch((e) => ({ error: String(e) })).then((out) =>
  fetch("/result", { method: "POST", body: JSON.stringify(out) }));
</script>`;

Deno.test({
  name:
    "headless Chromium: a page seeks in a 3 MiB file with Range (206, exact bytes), loads it whole, and gets a text compressed as sent (br)",
  ignore: !HAS_CHROMIUM,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "rawhttp_static_browser_" });
    const data = new Uint8Array(SIZE);
    for (let i = 0; i < SIZE; i++) data[i] = i % 251;
    await Deno.writeFile(join(root, "big.bin"), data);
    let lines = "";
    for (let i = 0; i < LINES; i++) lines += `line ${i}\n`;
    await Deno.writeTextFile(join(root, "lines.txt"), lines);
    const router = new Router().get("/static/*", staticFiles(root, { compress: true }));
    const result = pageRoutes(router, PAGE);
    const server = Server.listen({ hostname: "127.0.0.1", port: 0 }, router);
    try {
      await using _page = await openPage(`http://127.0.0.1:${server.addr.port}/page`);
      assert.deepEqual(await result, {
        middle: {
          status: 206,
          contentRange: `bytes 1000000-1000099/${SIZE}`,
          length: 100,
          pattern: true,
        },
        end: {
          status: 206,
          contentRange: `bytes ${SIZE - 100}-${SIZE - 1}/${SIZE}`,
          length: 100,
          pattern: true,
        },
        back: { status: 206, contentRange: `bytes 0-65535/${SIZE}`, length: 65536, pattern: true },
        whole: { status: 200, length: SIZE, pattern: true },
        text: { status: 200, encoding: "br", same: true },
      });
    } finally {
      await server.shutdown();
      await Deno.remove(root, { recursive: true });
    }
  },
});
