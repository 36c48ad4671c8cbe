/**
 * 2. Slow uploads: connections that announce a body to `POST /upload` and
 * send it a byte a second, while a prober asks `GET /api/hello`.
 *
 * @module
 */

import { Client, Ended } from "../../../tests/chaos/fixtures/client.ts";
import { Prober } from "../../../tests/chaos/fixtures/probe.ts";
import { tally } from "../../../tests/chaos/fixtures/tally.ts";
import { trickle, type Trickled } from "../../../tests/chaos/fixtures/trickle.ts";
import { type Attack, sleep, tallyText } from "../attack.ts";
import { PROBE_COLUMNS, probeCells, probeData } from "./probes.ts";

/** How one upload stood at the end: answered, closed by the server, or still open. */
async function standing(client: Client, sent: Trickled): Promise<string> {
  try {
    const reply = await client.response(300);
    return `answered ${reply.status}`;
  } catch (error) {
    if (!(error instanceof Ended)) return String(error);
    if (error.how !== "timeout") return `closed (${error.how})`;
    return sent.error === null ? "open" : "closed (write failed)";
  }
}

export const slowUploadsAttack: Attack = {
  name: "slow-uploads",
  title: "Slow uploads",
  need: { routes: ["hello", "upload"] },
  describe: (s) =>
    `${s.uploads} connections each send \`POST /upload\` announcing ${s.uploadBytes} bytes, ` +
    `then one byte every ${s.trickleIntervalMs / 1000} s, for ${s.uploadMs / 1000} s; ` +
    `meanwhile a prober sends \`GET /api/hello\` on a fresh connection ` +
    `${s.helloProbeIntervalMs} ms after the previous answer (failed: no 200 within 5 s). ` +
    `"uploads at the end": still open and unanswered, answered early (nginx answers ` +
    `\`/upload\` without reading the body), or closed by the server. rawhttp runs as ` +
    `serve() here (its program has no /upload), with its default pool: 10 permits, a queue ` +
    `of 128.`,
  columns: () => ["uploads at the end", ...PROBE_COLUMNS],
  async run(peer, ctx) {
    const s = ctx.scale;
    await using server = await ctx.start(peer, this.need);
    const port = server.port;
    const head = `POST ${server.path("upload")} HTTP/1.1\r\nHost: chaos\r\n` +
      `Content-Type: application/octet-stream\r\nContent-Length: ${s.uploadBytes}\r\n\r\nx`;
    const connected = await Promise.allSettled(
      Array.from({ length: s.uploads }, () => Client.connect(port, 10_000)),
    );
    const clients = connected.flatMap((c) => c.status === "fulfilled" ? [c.value] : []);
    try {
      const trickles = await Promise.all(clients.map(async (client) => {
        await client.write(head).catch(() => {}); // a refusal shows in its standing
        return trickle(client, s.trickleIntervalMs, s.uploadBytes - 1);
      }));
      const prober = new Prober(port, s.helloProbeIntervalMs, server.path("hello"));
      await sleep(s.uploadMs);
      const probes = await prober.stop();
      const sent = await Promise.all(trickles.map((t) => t.stop()));
      const ends = await Promise.all(clients.map((c, i) => standing(c, sent[i]!)));
      const failedToConnect = connected.length - clients.length;
      const outcomes = tally([...ends, ...Array(failedToConnect).fill("connect failed")]);
      return [{
        setup: server.launch.setup,
        cells: [tallyText(outcomes), ...probeCells(probes)],
        data: {
          uploads: outcomes,
          bytesSent: sent.reduce((n, t) => n + t.sent, 0),
          probes: probeData(probes),
        },
      }];
    } finally {
      for (const c of clients) c.close();
    }
  },
};
