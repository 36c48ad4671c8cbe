/**
 * 4. Readers that stop reading: thousands of connections each ask for
 * `GET /big` (1 MiB) and never read; the server's memory while they hold on,
 * once it drops them (rawhttp: --write-timeout 5s) or they close, and later.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { Child } from "../../lib/children.ts";
import { normalLoad } from "../../../tests/chaos/fixtures/probe.ts";
import { type Attack, count, fixed, mib, sleep } from "../attack.ts";
import { waitProbing } from "./probes.ts";
import { RssSampler } from "../rss_sampler.ts";
import type { ServerProcess } from "../server_process.ts";
import { socketBuffersKiB } from "../socket_buffers.ts";

const CLIENT = fileURLToPath(new URL("../clients/stalled_readers.ts", import.meta.url));
/** The server's own sockets may move by this much without a reader behind them. */
const SLACK = 10;
const POLL_MS = 250;

/** Polls until the server holds no more than `baseSockets` (+ slack) sockets or `ms` pass. */
async function socketsBackWithin(server: ServerProcess, baseSockets: number, ms: number) {
  const deadline = performance.now() + ms;
  for (;;) {
    const open = server.tree.sockets();
    if (open <= baseSockets + SLACK) return true;
    if (performance.now() > deadline) return false;
    await sleep(POLL_MS);
  }
}

export const stalledReadersAttack: Attack = {
  name: "stalled-readers",
  title: "Readers that stop reading",
  need: { routes: ["health", "big"], rawhttpFlags: ["--write-timeout", "5s"] },
  describe: (s) =>
    `${count(s.readers)} connections (200 at a time) each send \`GET /big\` (1 MiB) and never ` +
    `read a byte (bench/chaos/clients/stalled_readers.ts). "conns held": the server's open ` +
    `sockets over its baseline at their peak, and ${s.readersHoldMs / 1000} s after the ` +
    `last request went out. The readers hold on until the server has dropped every one of ` +
    `them or ${s.readersHoldMs / 1000} s have passed, then close. RSS (VmRSS; nginx: master + ` +
    `worker) at baseline (after a few normal requests), its peak while held, "after": once ` +
    `the server dropped them all ("dropped" says after how long) or, if it did not, once the ` +
    `readers closed and the server let go of them, and ${s.laterMs / 1000} s after that ` +
    `(with a \`GET /health\` a second meanwhile, as a liveness check would send). ` +
    `"socket buffers": the most the kernel held at once in the buffers of this port's ` +
    `connections (ss -tm: queued to send plus received unread, both ends): what the server ` +
    `wrote and the readers did not read sits there, not in the server. On loopback one ` +
    `socket takes up to ~4 MiB, so a 1 MiB answer often leaves the server whole and its ` +
    `write never stalls, until the kernel's TCP memory runs short (net.ipv4.tcp_mem). ` +
    `rawhttp: its program with --write-timeout 5s, /big a static file.`,
  columns: (s) => [
    "readers open / failed",
    "conns held peak / at end",
    "dropped",
    "RSS base MiB",
    "peak MiB",
    "after MiB",
    `+${s.laterMs / 1000} s MiB`,
    "socket buffers MiB",
  ],
  async run(peer, ctx) {
    const s = ctx.scale;
    await using server = await ctx.start(peer, this.need);
    const port = server.port;
    const big = server.path("big");
    await normalLoad(port, [big], 3);
    await normalLoad(port, [server.path("health")], 100);
    await sleep(1000);
    const baseSockets = server.tree.sockets();
    const baseKiB = server.tree.rssKiB();
    const sampler = new RssSampler(server.tree);
    let peakSockets = 0;
    let peakBuffersKiB = 0;
    let reading = false;
    const peaks = setInterval(() => {
      peakSockets = Math.max(peakSockets, server.tree.sockets());
      if (reading) return; // ss takes a while with thousands of sockets
      reading = true;
      socketBuffersKiB(port).then((kib) => peakBuffersKiB = Math.max(peakBuffersKiB, kib))
        .finally(() => reading = false);
    }, POLL_MS);
    const readers = Child.spawn(
      [Deno.execPath(), "run", "--allow-net", CLIENT, String(port), String(s.readers), big],
      { stdin: true, openFiles: s.readers + 1000 },
    );
    try {
      const open = await readers.waitForLine(/^OPEN (\d+) (\d+) ?(.*)$/, 180_000);
      const sentAt = performance.now();
      let droppedAfterMs = NaN;
      while (performance.now() - sentAt < s.readersHoldMs) {
        if (server.tree.sockets() <= baseSockets + SLACK) {
          droppedAfterMs = performance.now() - sentAt;
          break;
        }
        await sleep(POLL_MS);
      }
      const heldAtEnd = Math.max(0, server.tree.sockets() - baseSockets);
      clearInterval(peaks);
      const series = sampler.stop();
      const dropped = Number.isFinite(droppedAfterMs);
      await readers.send("close");
      await readers.waitForLine(/^CLOSED$/, 30_000);
      const letGo = dropped || await socketsBackWithin(server, baseSockets, 15_000);
      const afterKiB = server.tree.rssKiB();
      const laterProbes = await waitProbing(port, s.laterMs);
      const laterKiB = server.tree.rssKiB();
      const opened = Number(open[1]);
      const failed = Number(open[2]);
      const held = `${count(Math.max(0, peakSockets - baseSockets))} / ${count(heldAtEnd)}`;
      return [{
        setup: server.launch.setup,
        cells: [
          `${count(opened)} / ${count(failed)}`,
          held,
          dropped ? `all, after ${fixed(droppedAfterMs / 1000, 1)} s` : "not all",
          mib(baseKiB),
          mib(series.peakKiB),
          mib(afterKiB) + (letGo ? "" : " (still holding)"),
          mib(laterKiB),
          mib(peakBuffersKiB),
        ],
        data: {
          opened,
          failed,
          firstError: open[3] ?? "",
          baseSockets,
          peakConnectionsHeld: peakSockets - baseSockets,
          connectionsHeldAtEnd: heldAtEnd,
          droppedByServerAfterMs: dropped ? droppedAfterMs : null,
          releasedAfterClose: letGo,
          rssBaseKiB: baseKiB,
          rssPeakKiB: series.peakKiB,
          rssAfterKiB: afterKiB,
          rssLaterKiB: laterKiB,
          laterProbes,
          socketBuffersPeakKiB: peakBuffersKiB,
          rssTimeline: series.timeline,
        },
      }];
    } finally {
      clearInterval(peaks);
      sampler.stop();
      await readers.stop();
    }
  },
};
