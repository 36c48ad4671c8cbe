/**
 * `serve()`'s defaults never break an app that works on `Deno.serve`: many
 * slow handlers at once, a large streamed upload, a long-lived event stream;
 * and it says where it listens, as `Deno.serve` does.
 */

import assert from "node:assert/strict";
import { serve, SERVE_DEFAULTS } from "../../src/fetch/serve.ts";
import { LIMITS } from "../../src/protocol/limits.ts";
import { Latch } from "../fixtures/harness.ts";
import { Router } from "../../src/app/router.ts";
import { text } from "../../src/app/response.ts";

const LOCAL = { hostname: "127.0.0.1", port: 0, onListen() {} } as const;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function readAll(conn: Deno.Conn): Promise<string> {
  const buf = new Uint8Array(4096);
  let out = "";
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) return out;
    out += decoder.decode(buf.subarray(0, n));
  }
}

Deno.test("serve()'s defaults: no pool to queue behind; no body size limit or deadline for the fetch handler", () => {
  assert.deepEqual(SERVE_DEFAULTS, {
    numWorkers: LIMITS.maxConnections.default,
    maxBodyBytes: Number.MAX_SAFE_INTEGER,
    bodyTimeoutMs: 0,
  });
});

Deno.test("200 requests whose handlers all wait at once are all answered 200, none 503", async () => {
  const N = 200;
  const latch = new Latch();
  await using server = serve(LOCAL, async () => {
    await latch.wait();
    return new Response("done");
  });
  const conns = await Promise.all(
    Array.from(
      { length: N },
      () => Deno.connect({ hostname: "127.0.0.1", port: server.addr.port }),
    ),
  );
  const request = encoder.encode("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  await Promise.all(conns.map((c) => c.write(request)));
  await latch.arrived(N); // every handler is waiting at the same time
  latch.open();
  const answers = await Promise.all(conns.map(readAll));
  for (const answer of answers) assert.match(answer, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\ndone$/);
});

Deno.test("a 200 MiB streamed upload reaches the handler whole (Server.listen's default limit is 1 MiB)", async () => {
  const TOTAL = 200 * 1024 * 1024;
  const CHUNK = new Uint8Array(1024 * 1024).fill(0x61);
  await using server = serve(LOCAL, async (req) => {
    let n = 0;
    for await (const chunk of req.body!) n += chunk.length;
    return new Response(String(n));
  });
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === TOTAL) return controller.close();
      sent += CHUNK.length;
      controller.enqueue(CHUNK);
    },
  });
  const res = await fetch(`http://127.0.0.1:${server.addr.port}/upload`, { method: "POST", body });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), String(TOTAL));
});

Deno.test("an event stream outlives every timeout meant for something else (head, idle, write, body)", async () => {
  const EVENTS = 4;
  await using server = serve(
    { ...LOCAL, clientTimeoutMs: 20, idleTimeoutMs: 20, writeTimeoutMs: 20, bodyTimeoutMs: 20 },
    () => {
      let sent = 0;
      return new Response(
        new ReadableStream<Uint8Array>({
          async pull(controller) {
            // Each event comes later than every timeout above.
            await new Promise((resolve) => setTimeout(resolve, 60));
            controller.enqueue(encoder.encode(`data: ${sent++}\n\n`));
            if (sent === EVENTS) controller.close();
          },
        }),
        { headers: { "content-type": "text/event-stream" } },
      );
    },
  );
  const res = await fetch(`http://127.0.0.1:${server.addr.port}/events`);
  assert.equal(
    await res.text(),
    Array.from({ length: EVENTS }, (_, i) => `data: ${i}\n\n`).join(""),
  );
});

/** Runs `script` (a module using serve()) in a child and returns its first line on `from`. */
async function firstLine(script: string, from: "stdout" | "stderr" = "stderr"): Promise<string> {
  const file = await Deno.makeTempFile({ dir: Deno.cwd(), suffix: "_listen_tmp.ts" });
  await Deno.writeTextFile(file, script);
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", file],
      stdout: from === "stdout" ? "piped" : "null",
      stderr: from === "stderr" ? "piped" : "inherit",
    }).spawn();
    const reader = child[from].pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    child.kill();
    await reader.cancel();
    await child.status;
    return text.split("\n")[0]!;
  } finally {
    await Deno.remove(file);
  }
}

const MOD = new URL("../../mod.ts", import.meta.url).href;

Deno.test("without onListen, serve() prints where it listens on stderr, as Deno.serve does", async () => {
  const tcp = await firstLine(
    `import { serve } from "${MOD}"; serve({ port: 0 }, () => new Response(""));`,
  );
  assert.match(tcp, /^Listening on http:\/\/0\.0\.0\.0:\d+\/ \(http:\/\/localhost:\d+\/\)$/);
  const local = await firstLine(
    `import { serve } from "${MOD}"; serve({ port: 0, hostname: "127.0.0.1" }, () => new Response(""));`,
  );
  assert.match(local, /^Listening on http:\/\/127\.0\.0\.1:\d+\/$/);
  const path = `${await Deno.makeTempDir()}/s.sock`;
  const unix = await firstLine(
    `import { serve } from "${MOD}"; serve({ path: ${
      JSON.stringify(path)
    } }, () => new Response(""));`,
  );
  assert.equal(unix, `Listening on ${path}`);
});

Deno.test("with rawhttp's logging set up, the listening line goes through the log (JSON stays JSON)", async () => {
  const line = await firstLine(
    `import { serve, setupLogging } from "${MOD}"; await setupLogging("info", "json");` +
      ` serve({ port: 0, hostname: "127.0.0.1" }, () => new Response(""));`,
    "stdout",
  );
  const record = JSON.parse(line);
  assert.match(record.message, /^Listening on http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.equal(record.logger, "rawhttp.server");
});

Deno.test("routes given beside the fetch handler keep the server's body limit: 413 for a buffered route over 1 MiB", async () => {
  const routes = new Router().post("/buffered", (req) => text(String(req.body.length)));
  await using server = serve({ ...LOCAL, routes }, async (req) => {
    return new Response(String((await req.arrayBuffer()).byteLength));
  });
  const url = `http://127.0.0.1:${server.addr.port}`;
  const over = new Uint8Array(1024 * 1024 + 1);
  const buffered = await fetch(`${url}/buffered`, { method: "POST", body: over });
  assert.equal(buffered.status, 413);
  await buffered.body?.cancel();
  const atLimit = await fetch(`${url}/buffered`, { method: "POST", body: over.subarray(1) });
  assert.equal(await atLimit.text(), String(1024 * 1024));
  const streamed = await fetch(`${url}/fetch`, { method: "POST", body: over });
  assert.equal(await streamed.text(), String(over.length), "the fetch handler's body has no limit");
});
