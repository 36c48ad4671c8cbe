/**
 * Clients that are slow on purpose: heads and bodies sent a byte at a time,
 * uploads that trickle through serve()'s pool, readers that stop reading a
 * large response, and clients that half-close. Each is cut off by its
 * timeout or served, and the others are served meanwhile.
 */

import assert from "node:assert/strict";
import {
  assertAllProbesAnswered,
  assertNoAcceptErrors,
  assertRecovered,
} from "./fixtures/aftermath.ts";
import { Client, Ended, get } from "./fixtures/client.ts";
import { baselineRss, metricsUntil, mib, PeakRss, probeHealth, Prober } from "./fixtures/probe.ts";
import { Program } from "./fixtures/program.ts";
import { tally } from "./fixtures/tally.ts";
import { trickle } from "./fixtures/trickle.ts";
import { BIG_FILE_BYTES, BIG_FILE_PATH, tempWww } from "./fixtures/www.ts";

/** What one slow client saw: the status it was answered, and how its connection ended. */
async function answerThenEnd(client: Client, timeoutMs: number): Promise<string> {
  try {
    const reply = await client.response(timeoutMs);
    const { how } = await client.ending(timeoutMs);
    return `${reply.status} then ${how}`;
  } catch (error) {
    return error instanceof Ended ? `no answer: ${error.how}` : String(error);
  }
}

Deno.test("main.ts answers 408 and closes 50 slowloris heads sent a byte every 200 ms past --client-timeout 1s, serving others meanwhile", async () => {
  await using program = await Program.main(["--client-timeout", "1s"]);
  const baseline = await baselineRss(program, ["/health", "/api/hello"]);
  const from = program.lines.length;
  const prober = new Prober(program.port);
  const clients = await Promise.all(
    Array.from({ length: 50 }, () => Client.connect(program.port)),
  );
  try {
    const outcomes = await Promise.all(clients.map(async (client) => {
      await client.write("GET /api/hello HTTP/1.1\r\nHost: chaos\r\nX-Slow: ");
      const slow = trickle(client, 200, 100); // 20 s of head at most: never complete
      const outcome = await answerThenEnd(client, 10_000);
      await slow.stop();
      return outcome.replace(/ then (eof|reset)$/, " then closed");
    }));
    const probes = await prober.stop();
    assertAllProbesAnswered(probes);
    assert.deepEqual(tally(outcomes), { "408 then closed": 50 });
  } finally {
    for (const c of clients) c.close();
  }
  assertNoAcceptErrors(program, from);
  await assertRecovered(program, baseline, ["/health", "/api/hello"]);
});

Deno.test("main.ts answers 408 and closes 20 uploads that trickle a byte every 200 ms past --body-timeout 2s, serving others meanwhile", async () => {
  await using program = await Program.main(["--body-timeout", "2s"]);
  const baseline = await baselineRss(program, ["/health", "/api/hello"]);
  const prober = new Prober(program.port);
  const clients = await Promise.all(
    Array.from({ length: 20 }, () => Client.connect(program.port)),
  );
  try {
    const outcomes = await Promise.all(clients.map(async (client) => {
      await client.write(
        "POST /api/echo HTTP/1.1\r\nHost: chaos\r\nContent-Length: 100000\r\n\r\n",
      );
      const slow = trickle(client, 200, 100);
      const outcome = await answerThenEnd(client, 10_000);
      await slow.stop();
      return outcome.replace(/ then (eof|reset)$/, " then closed");
    }));
    const probes = await prober.stop();
    assertAllProbesAnswered(probes);
    assert.deepEqual(tally(outcomes), { "408 then closed": 20 });
  } finally {
    for (const c of clients) c.close();
  }
  await assertRecovered(program, baseline, ["/health", "/api/hello"]);
});

Deno.test("serve() answers GET /fast and /health while 140 uploads trickle a byte every 500 ms (default pool: 10 workers, queue 128)", async () => {
  await using program = await Program.serveApp();
  const port = program.port;
  const baseline = await baselineRss(program, ["/health", "/fast"]);
  const uploads = await Promise.all(Array.from({ length: 140 }, () => Client.connect(port)));
  const trickles = await Promise.all(uploads.map(async (client) => {
    await client.write("POST /upload HTTP/1.1\r\nHost: chaos\r\nContent-Length: 100000\r\n\r\nx");
    return trickle(client, 500, 100);
  }));
  try {
    // All 140 accepted (and the one asking): their heads came in the same write.
    await metricsUntil(port, (m) => m.connections.accepted >= 141);
    const prober = new Prober(port);
    // 20 requests over ~2 s, four of the uploads' byte intervals.
    const fast: string[] = [];
    for (let i = 0; i < 20; i++) {
      using client = await Client.connect(port);
      await client.write(get("/fast", true));
      try {
        const reply = await client.response(5000);
        fast.push(`${reply.status} ${reply.text}`);
      } catch (error) {
        fast.push(error instanceof Ended ? `no answer: ${error.how}` : String(error));
      }
      await new Promise((resolve) => setTimeout(resolve, 100)); // pacing, not a wait
    }
    const probes = await prober.stop();
    assertAllProbesAnswered(probes);
    assert.deepEqual(tally(fast), { "200 ok": 20 }, "GET /fast while uploads trickle");
  } finally {
    await Promise.all(trickles.map((t) => t.stop()));
    for (const c of uploads) c.close();
  }
  await assertRecovered(program, baseline, ["/health", "/fast"]);
});

Deno.test("main.ts drops 200 readers that stop reading a 16 MiB file once --write-timeout 2s passes, and its memory comes back", async () => {
  // Larger than the kernel's buffers can take for a client that reads nothing (4 MiB of send
  // buffer at most, and the receive window it opened): 4 MiB could fit, and then no write stalls.
  await using www = await tempWww(16 * 1024 * 1024);
  await using program = await Program.main(["--write-timeout", "2s", "--www-dir", www.dir]);
  const port = program.port;
  const baseline = await baselineRss(program, ["/health", "/api/hello"], [BIG_FILE_PATH]);
  const prober = new Prober(port);
  const readers = await Promise.all(Array.from({ length: 200 }, () => Client.connect(port)));
  const peak = new PeakRss(program);
  try {
    await Promise.all(readers.map((r) => r.write(get(BIG_FILE_PATH))));
    // Each connection is open until its write times out; then only the asker's.
    const started = performance.now();
    const settled = await metricsUntil(port, (m) => m.connections.open <= 1, 15_000);
    const took = Math.round(performance.now() - started);
    const probes = await prober.stop();
    console.log(`  open connections down to ${settled.connections.open} after ${took} ms`);
    assertAllProbesAnswered(probes);
    assert.equal(settled.connections.open, 1, "connections still open (stalled readers + 1)");
  } finally {
    for (const r of readers) r.close();
    console.log(`  peak RSS while the readers stalled: ${mib(await peak.stop())}`);
  }
  await assertRecovered(program, baseline, ["/health", "/api/hello"]);
});

Deno.test("main.ts sends the whole response to a client that half-closes after a whole request", async () => {
  await using www = await tempWww();
  await using program = await Program.main(["--www-dir", www.dir]);
  for (const request of [get(BIG_FILE_PATH), get("/api/hello")]) {
    using client = await Client.connect(program.port);
    await client.write(request);
    await client.closeWrite();
    const reply = await client.response(10_000);
    assert.equal(reply.status, 200);
    if (request.includes(BIG_FILE_PATH)) assert.equal(reply.body.length, BIG_FILE_BYTES);
    assert.equal((await client.ending(5000)).how, "eof");
  }
  const posted = "p".repeat(50_000);
  using client = await Client.connect(program.port);
  await client.write(
    `POST /api/echo HTTP/1.1\r\nHost: chaos\r\nContent-Length: ${posted.length}\r\n\r\n${posted}`,
  );
  await client.closeWrite();
  const echoed = await client.response(10_000);
  assert.equal(echoed.status, 200);
  assert.equal(echoed.text, posted);
  assert.equal((await client.ending(5000)).how, "eof");
});

Deno.test("main.ts closes a client that half-closes mid-head, and carries on", async () => {
  await using program = await Program.main();
  for (
    const partial of ["GET /api/hel", "GET /api/hello HTTP/1.1\r\nHost: cha", "POST /api/echo"]
  ) {
    using client = await Client.connect(program.port);
    await client.write(partial);
    await client.closeWrite();
    const { how } = await client.ending(5000);
    assert.equal(how, "eof", `after ${JSON.stringify(partial)}`);
  }
  const probe = await probeHealth(program.port);
  assert.ok(probe.ok, `/health: ${probe.error}`);
  assert.equal(program.exitCode, null);
});
