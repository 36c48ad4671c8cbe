/**
 * Floods: more connections than MAX_CONNECTIONS, more requests than the
 * pool's queue, a long pipeline, clients that send and vanish, and uploads
 * refused before they are read. Every refusal must reach its client whole.
 */

import assert from "node:assert/strict";
import {
  assertAllProbesAnswered,
  assertNoAcceptErrors,
  assertRecovered,
} from "./fixtures/aftermath.ts";
import { Client, Ended, get, type Reply } from "./fixtures/client.ts";
import { baselineRss, probeHealth, Prober, probeUntilOk } from "./fixtures/probe.ts";
import { Program } from "./fixtures/program.ts";
import { tally } from "./fixtures/tally.ts";
import { resets } from "./fixtures/resets.ts";
import { BIG_FILE_PATH, tempWww } from "./fixtures/www.ts";

/** A reply as "STATUS", or what happened instead. */
async function outcome(client: Client, timeoutMs = 10_000): Promise<[string, Reply | null]> {
  try {
    const reply = await client.response(timeoutMs);
    return [String(reply.status), reply];
  } catch (error) {
    return [error instanceof Ended ? `no answer: ${error.how}` : String(error), null];
  }
}

Deno.test("main.ts over --max-connections 50 answers each of 30 more clients a whole 503, though their request came first, and serves the 50", async () => {
  await using program = await Program.main(["--max-connections", "50"]);
  const port = program.port;
  const held = await Promise.all(Array.from({ length: 50 }, () => Client.connect(port)));
  const over: Client[] = [];
  try {
    const first = await Promise.all(held.map(async (c) => {
      await c.write(get("/api/hello"));
      return (await outcome(c))[0];
    }));
    assert.deepEqual(tally(first), { "200": 50 }, "the first 50, kept alive");
    // Each has sent its request before the server looks at it: the process is
    // paused while they connect and send (see whilePaused), so the server
    // finds unread input on every socket it refuses.
    await program.whilePaused(async () => {
      over.push(...await Promise.all(Array.from({ length: 30 }, () => Client.connect(port))));
      await Promise.all(over.map((c) => c.write(get("/api/hello"))));
    });
    const refused = await Promise.all(over.map(async (c) => {
      const [status, reply] = await outcome(c);
      if (reply === null) return status;
      const whole = reply.body.length === Number(reply.headers.get("content-length"));
      const { how } = await c.ending(5000);
      return `${status} retry-after=${reply.headers.get("retry-after")} whole=${whole} then ${how}`;
    }));
    // A clean close after the 503, not a reset: a reset may destroy the
    // answer before the client reads it (it does on some systems, and
    // wherever the client is still sending).
    assert.deepEqual(
      tally(refused),
      { "503 retry-after=1 whole=true then eof": 30 },
      "the 30 over the cap",
    );
    const again = await Promise.all(held.map(async (c) => {
      await c.write(get("/api/hello"));
      return (await outcome(c))[0];
    }));
    assert.deepEqual(tally(again), { "200": 50 }, "the 50 held connections, served again");
  } finally {
    for (const c of [...held, ...over]) c.close();
  }
  // The server sees the 80 closes in its own time: until then it may still refuse.
  const probe = await probeUntilOk(port);
  assert.ok(probe.ok, `/health after the flood: ${probe.error}`);
});

Deno.test("serve() with 2 workers and a queue of 4 answers 20 concurrent slow requests: 6 with 200, 14 with 503 and Retry-After", async () => {
  await using program = await Program.serveApp(["--num-workers", "2", "--max-queue", "4"]);
  const port = program.port;
  const clients = await Promise.all(Array.from({ length: 20 }, () => Client.connect(port)));
  try {
    const outcomes = await Promise.all(clients.map(async (c, i) => {
      await c.write(get(`/slow?ms=1500&id=${i}`));
      const [status, reply] = await outcome(c, 15_000);
      if (reply === null || reply.status !== 503) return status;
      return `503 retry-after=${reply.headers.get("retry-after") !== undefined}`;
    }));
    assert.deepEqual(tally(outcomes), { "200": 6, "503 retry-after=true": 14 });
  } finally {
    for (const c of clients) c.close();
  }
  const probe = await probeHealth(port);
  assert.ok(probe.ok, `/health after the flood: ${probe.error}`);
});

Deno.test("main.ts answers a pipeline of 1,000 requests on one connection with 1,000 responses, in order", async () => {
  await using program = await Program.main();
  using client = await Client.connect(program.port);
  const requests = Array.from({ length: 1000 }, (_, i) => {
    const body = `request ${i}`;
    return `POST /api/echo HTTP/1.1\r\nHost: chaos\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  }).join("");
  const writing = client.write(requests); // read while writing: the answers flow back at once
  const answered: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const [status, reply] = await outcome(client);
    if (reply === null) {
      answered.push(`#${i}: ${status}`);
      break;
    }
    answered.push(reply.text);
  }
  await writing;
  assert.deepEqual(answered, Array.from({ length: 1000 }, (_, i) => `request ${i}`));
  // MAX_REQUESTS_PER_CONNECTION (1000) is reached: the server closes cleanly.
  assert.equal((await client.ending(5000)).how, "eof");
});

Deno.test("main.ts carries on after 400 clients send a request and vanish, by closing at once or by a reset", async () => {
  await using www = await tempWww();
  await using program = await Program.main(["--www-dir", www.dir]);
  const port = program.port;
  const paths = ["/health", "/api/hello"];
  const baseline = await baselineRss(program, paths, [BIG_FILE_PATH]);
  const from = program.lines.length;
  const prober = new Prober(port);
  const closers = (async () => {
    for (let i = 0; i < 200; i++) {
      const client = await Client.connect(port);
      await client.write(get(i % 2 === 0 ? BIG_FILE_PATH : "/api/hello"));
      client.close(); // FIN, and a reset if the answer comes after
    }
  })();
  const reports = await Promise.all([
    resets({ port, stage: "request", path: "/api/hello", count: 100, intervalMs: 5 }),
    resets({ port, stage: "request", path: BIG_FILE_PATH, count: 100, intervalMs: 5 }),
  ]);
  await closers;
  const probes = await prober.stop();
  assertAllProbesAnswered(probes);
  assertNoAcceptErrors(program, from);
  for (const r of reports) assert.equal(r.failed, 0, `${r.stage}: ${r.errors.join("; ")}`);
  await assertRecovered(program, baseline, paths);
});

const UPLOAD_BYTES = 32 * 1024 * 1024;

/**
 * Sends a whole upload of `size` bytes, as a client that writes its request
 * before reading does (Python's http.client, curl without Expect), then
 * reads the answer: "STATUS" when it is read whole, else what happened.
 */
async function uploadThenRead(port: number, head: string, size: number): Promise<string> {
  using client = await Client.connect(port);
  const chunk = new Uint8Array(64 * 1024).fill(0x75);
  let sent = 0;
  try {
    await client.write(head);
    while (sent < size) {
      const n = Math.min(chunk.length, size - sent);
      await client.write(chunk.subarray(0, n));
      sent += n;
    }
  } catch (error) {
    return `upload failed after ${sent} bytes: ${error}`;
  }
  const [status, reply] = await outcome(client);
  if (reply === null) return status;
  return `${status}${reply.headers.get("connection") === "close" ? " close" : ""}`;
}

function uploadHead(method: string, path: string, size: number): string {
  return `${method} ${path} HTTP/1.1\r\nHost: chaos\r\nConnection: close\r\n` +
    `Content-Type: application/octet-stream\r\nContent-Length: ${size}\r\n\r\n`;
}

Deno.test("main.ts lets a client that sends 32 MiB with Connection: close to an unknown path read the whole 404", async () => {
  await using program = await Program.main(["--max-body-bytes", "64MiB"]);
  const head = uploadHead("POST", "/nope", UPLOAD_BYTES);
  assert.equal(await uploadThenRead(program.port, head, UPLOAD_BYTES), "404 close");
  assert.ok((await probeHealth(program.port)).ok);
});

Deno.test("main.ts lets a client that sends 32 MiB over --max-body-bytes read the whole 413", async () => {
  await using program = await Program.main();
  const head = uploadHead("POST", "/api/echo", UPLOAD_BYTES);
  assert.equal(await uploadThenRead(program.port, head, UPLOAD_BYTES), "413 close");
  assert.ok((await probeHealth(program.port)).ok);
});

Deno.test("serve() lets a client whose 32 MiB upload a handler refuses with 401 unread read the whole 401", async () => {
  await using program = await Program.serveApp(["--max-body-bytes", "64MiB"]);
  const head = uploadHead("POST", "/auth", UPLOAD_BYTES);
  assert.equal(await uploadThenRead(program.port, head, UPLOAD_BYTES), "401 close");
  assert.ok((await probeHealth(program.port)).ok);
});
