/**
 * Static files served by a server in its own process, tried as an operator
 * would: curl with ranges, conditionals and compression asked for, and four
 * parallel downloads of a large sparse file whose memory cost is measured
 * from /proc/<pid>/status (the server's VmRSS, not a timing).
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { runCommand } from "../fixtures/run_command.ts";
import { firstLine } from "../fixtures/output_lines.ts";

const MOD = new URL("../../mod.ts", import.meta.url).href;
const MIB = 1024 * 1024;

/**
 * A server process serving `root` at /static/* with `options` (StaticOptions
 * as JSON); prints its port, then its pid's RSS is read.
 */
async function startStatic(root: string, options: Record<string, unknown> = {}) {
  const script = join(root, "..", "server.ts");
  await Deno.writeTextFile(
    script,
    `import { Router, Server, staticFiles } from ${JSON.stringify(MOD)};\n` +
      `const server = Server.listen({ hostname: "127.0.0.1", port: 0 },\n` +
      `  new Router().get("/static/*", staticFiles(Deno.args[0]!, ${
        JSON.stringify(options)
      })));\n` +
      `console.log(server.addr.port);\n`,
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", "--allow-env", script, root],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const { line: out, reader } = await firstLine(child.stdout);
  const port = Number(out.trim());
  assert.ok(port > 0, `the server did not start: ${out}`);
  return {
    url: `http://127.0.0.1:${port}/static`,
    pid: child.pid,
    async [Symbol.asyncDispose]() {
      child.kill();
      await reader.cancel();
      await child.status;
    },
  };
}

/**
 * The process's resident set in bytes: VmRSS of /proc/<pid>/status, read by
 * `cat` (reading /proc from Deno needs --allow-all, which `deno task test`
 * does not give).
 */
async function rss(pid: number): Promise<number> {
  const { stdout } = await runCommand("cat", [`/proc/${pid}/status`]);
  const kb = /VmRSS:\s+(\d+) kB/.exec(stdout);
  assert.ok(kb !== null, "no VmRSS");
  return Number(kb[1]) * 1024;
}

async function withSite(fn: (root: string) => Promise<void>): Promise<void> {
  const tmp = await Deno.makeTempDir({ prefix: "rawhttp_static_e2e_" });
  try {
    const root = join(tmp, "www");
    await Deno.mkdir(root);
    await fn(root);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

Deno.test("curl -r 0-99 gets 206 and 100 bytes; -r past the end gets 416", async () => {
  await withSite(async (root) => {
    const data = new Uint8Array(1000).map((_, i) => i % 251);
    await Deno.writeFile(join(root, "f.bin"), data);
    await using s = await startStatic(root);
    const out = join(root, "..", "part.bin");
    const r = await runCommand("curl", [
      "-sS",
      "-D",
      "-",
      "-o",
      out,
      "-r",
      "0-99",
      `${s.url}/f.bin`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^HTTP\/1\.1 206 /);
    assert.match(r.stdout, /content-range: bytes 0-99\/1000\r\n/i);
    assert.deepEqual(await Deno.readFile(out), data.subarray(0, 100));
    const tail = await runCommand("curl", [
      "-sS",
      "-D",
      "-",
      "-o",
      out,
      "-r",
      "-10",
      `${s.url}/f.bin`,
    ]);
    assert.match(tail.stdout, /content-range: bytes 990-999\/1000\r\n/i);
    assert.deepEqual(await Deno.readFile(out), data.subarray(990));
    const past = await runCommand("curl", [
      "-sS",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      "-r",
      "1000-",
      `${s.url}/f.bin`,
    ]);
    assert.equal(past.stdout, "416");
  });
});

Deno.test("curl -z (If-Modified-Since) gets 304 for a file not changed since, 200 for one older", async () => {
  await withSite(async (root) => {
    await Deno.writeTextFile(join(root, "page.html"), "<p>hi</p>");
    await using s = await startStatic(root);
    const head = await runCommand("curl", ["-sSI", `${s.url}/page.html`]);
    const modified = /last-modified: ([^\r\n]+)/i.exec(head.stdout)?.[1];
    assert.ok(modified !== undefined, head.stdout);
    assert.match(head.stdout, /content-type: text\/html; charset=utf-8\r\n/i);
    assert.match(head.stdout, /accept-ranges: bytes\r\n/i);
    const code = (since: string) =>
      runCommand("curl", [
        "-sS",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "-z",
        since,
        `${s.url}/page.html`,
      ]);
    assert.equal((await code(modified)).stdout, "304");
    assert.equal((await code("Thu, 01 Jan 2009 00:00:00 GMT")).stdout, "200");
  });
});

Deno.test("curl --compressed gets app.mjs.br (or .gz) decoded to the file, and the file without siblings", async () => {
  await withSite(async (root) => {
    const js = "export const x = 1;\n".repeat(100);
    await Deno.writeTextFile(join(root, "app.mjs"), js);
    await Deno.writeTextFile(join(root, "plain.mjs"), js);
    await Deno.writeFile(join(root, "app.mjs.br"), brotliCompressSync(js));
    await Deno.writeFile(join(root, "app.mjs.gz"), gzipSync(js));
    await using s = await startStatic(root);
    const curl = (file: string, ...extra: string[]) =>
      runCommand("curl", ["-sS", ...extra, "-D", "/dev/stderr", `${s.url}/${file}`]);
    for (
      const [extra, coding] of [[[], "br"], [["-H", "Accept-Encoding: gzip"], "gzip"]] as const
    ) {
      const r = await curl("app.mjs", "--compressed", ...extra);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, js, coding);
      assert.match(r.stderr, new RegExp(`content-encoding: ${coding}\r\n`, "i"));
      assert.match(r.stderr, /content-type: text\/javascript; charset=utf-8\r\n/i);
      assert.match(r.stderr, /vary: Accept-Encoding\r\n/i);
    }
    const plain = await curl("plain.mjs", "--compressed");
    assert.equal(plain.stdout, js);
    assert.doesNotMatch(plain.stderr, /content-encoding/i);
    const none = await curl("app.mjs");
    assert.equal(none.stdout, js);
    assert.doesNotMatch(none.stderr, /content-encoding/i);
  });
});

Deno.test("compress: curl --compressed decodes br (gzip when asked) to the file; threshold, ranges, types and refusals get identity", async () => {
  await withSite(async (root) => {
    const json = '{"n": 1}\n'.repeat(1000);
    await Deno.writeTextFile(join(root, "big.json"), json);
    for (const size of [1023, 1024, 1025]) {
      await Deno.writeTextFile(join(root, `f${size}.txt`), "x".repeat(size));
    }
    await Deno.writeFile(join(root, "img.png"), new Uint8Array(4096));
    await using s = await startStatic(root, { compress: true });
    const curl = (file: string, ...extra: string[]) =>
      runCommand("curl", ["-sS", ...extra, "-D", "/dev/stderr", `${s.url}/${file}`]);
    for (
      const [extra, coding] of [[[], "br"], [["-H", "Accept-Encoding: gzip"], "gzip"]] as const
    ) {
      const r = await curl("big.json", "--compressed", ...extra);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, json, coding);
      assert.match(r.stderr, new RegExp(`content-encoding: ${coding}\r\n`, "i"));
      assert.match(r.stderr, /vary: Accept-Encoding\r\n/i);
      assert.match(r.stderr, new RegExp(`etag: "[0-9a-z]+-[0-9a-z]+-${coding}-dyn"\r\n`, "i"));
      assert.match(r.stderr, /transfer-encoding: chunked\r\n|content-length: \d+\r\n/i);
    }
    for (const [size, coded] of [[1023, false], [1024, true], [1025, true]] as const) {
      const r = await curl(`f${size}.txt`, "--compressed");
      assert.equal(r.stdout, "x".repeat(size));
      assert.equal(/content-encoding: br/i.test(r.stderr), coded, `${size}`);
    }
    const range = await curl("big.json", "--compressed", "-r", "0-9");
    assert.match(range.stderr, /^HTTP\/1\.1 206/);
    assert.equal(range.stdout, json.slice(0, 10));
    assert.doesNotMatch(range.stderr, /content-encoding/i);
    const png = await curl("img.png", "--compressed");
    assert.doesNotMatch(png.stderr, /content-encoding/i);
    for (const ae of ["identity", "gzip;q=0", "br;q=0, gzip;q=0"]) {
      const r = await curl("big.json", "-H", `Accept-Encoding: ${ae}`);
      assert.equal(r.stdout, json, ae);
      assert.doesNotMatch(r.stderr, /content-encoding/i, ae);
    }
  });
});

Deno.test("four parallel downloads of a 64 MiB sparse file keep the server's RSS far below the file", async () => {
  await withSite(async (root) => {
    const size = 64 * MIB;
    const file = await Deno.open(join(root, "big.bin"), { create: true, write: true });
    await file.truncate(size); // sparse: costs no disk
    file.close();
    await using s = await startStatic(root);
    // Warm up (JIT, first buffers) before the baseline.
    await (await fetch(`${s.url}/big.bin`, { headers: { Range: "bytes=0-1000" } })).arrayBuffer();
    const before = await rss(s.pid);
    let peak = before;
    let running = true;
    const sampler = (async () => {
      while (running) {
        peak = Math.max(peak, await rss(s.pid));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const downloads = await Promise.all([0, 1, 2, 3].map(async () => {
      const r = await runCommand("curl", [
        "-sS",
        "-o",
        "/dev/null",
        "-w",
        "%{size_download}",
        `${s.url}/big.bin`,
      ]);
      return Number(r.stdout);
    }));
    running = false;
    await sampler;
    assert.deepEqual(downloads, [size, size, size, size]);
    const growth = peak - before;
    console.log(
      `RSS before ${(before / MIB).toFixed(1)} MiB, peak ${(peak / MIB).toFixed(1)} MiB, ` +
        `growth ${(growth / MIB).toFixed(1)} MiB for 4 × ${size / MIB} MiB`,
    );
    // Reading whole files would grow it by 4 × 64 MiB; streaming costs a few pieces.
    assert.ok(growth < size / 2, `RSS grew ${growth} bytes`);
  });
});
