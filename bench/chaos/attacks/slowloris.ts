/**
 * 3. Slowloris: connections that send a request head a byte a second and
 * never finish it, reconnecting when the server drops them, while a prober
 * asks `GET /api/hello`.
 *
 * @module
 */

import { Client, Ended } from "../../../tests/chaos/fixtures/client.ts";
import { Prober } from "../../../tests/chaos/fixtures/probe.ts";
import { tally } from "../../../tests/chaos/fixtures/tally.ts";
import { trickle } from "../../../tests/chaos/fixtures/trickle.ts";
import { type Attack, fixed, sleep, tallyText } from "../attack.ts";
import { PROBE_COLUMNS, probeCells, probeData } from "./probes.ts";

/** A slot reconnects at most this often, so a server that drops at once is not hammered. */
const RECONNECT_MS = 1000;

export const slowlorisAttack: Attack = {
  name: "slowloris",
  title: "Slowloris",
  need: { routes: ["hello"] },
  describe: (s) =>
    `${s.slowloris} connections each send \`GET /api/hello HTTP/1.1\`, a Host line and ` +
    `\`X-Slow: \`, then one more header byte every ${s.trickleIntervalMs / 1000} s, never ` +
    `ending the head, for ${s.slowlorisMs / 1000} s; a connection the server drops is ` +
    `replaced (at most one a second per slot). Meanwhile a prober sends \`GET /api/hello\` on ` +
    `a fresh connection ${s.helloProbeIntervalMs} ms after the previous answer (failed: no ` +
    `200 within 5 s). "dropped": connections the server ended, with the answer it sent ` +
    `first; "held": connections still open at the end; "median held s": how long a dropped ` +
    `connection lasted.`,
  columns: () => ["connections", "dropped", "held to the end", "median held s", ...PROBE_COLUMNS],
  async run(peer, ctx) {
    const s = ctx.scale;
    await using server = await ctx.start(peer, this.need);
    const port = server.port;
    const head = `GET ${server.path("hello")} HTTP/1.1\r\nHost: chaos\r\nX-Slow: `;
    const deadline = performance.now() + s.slowlorisMs;
    const outcomes: string[] = [];
    const droppedAfterMs: number[] = [];
    let connectFailures = 0;
    const slot = async () => {
      while (performance.now() < deadline) {
        const started = performance.now();
        let client: Client;
        try {
          client = await Client.connect(port, 5000);
        } catch {
          connectFailures++;
          await sleep(RECONNECT_MS - (performance.now() - started));
          continue;
        }
        try {
          await client.write(head);
          const drip = trickle(client, s.trickleIntervalMs, Number.MAX_SAFE_INTEGER);
          let outcome: string;
          try {
            const reply = await client.response(Math.max(1, deadline - performance.now()));
            outcome = `answered ${reply.status}`;
          } catch (error) {
            if (!(error instanceof Ended)) throw error;
            outcome = error.how === "timeout" ? "held" : `closed unanswered (${error.how})`;
          }
          await drip.stop();
          outcomes.push(outcome);
          if (outcome !== "held") droppedAfterMs.push(performance.now() - started);
        } catch (error) {
          outcomes.push(`error: ${error}`);
        } finally {
          client.close();
        }
        await sleep(RECONNECT_MS - (performance.now() - started));
      }
    };
    const prober = new Prober(port, s.helloProbeIntervalMs, server.path("hello"));
    await Promise.all(Array.from({ length: s.slowloris }, slot));
    const probes = await prober.stop();
    const held = outcomes.filter((o) => o === "held").length;
    const dropped = tally(outcomes.filter((o) => o !== "held"));
    const sorted = droppedAfterMs.sort((a, b) => a - b);
    const median = sorted.length > 0 ? sorted[sorted.length >> 1]! / 1000 : NaN;
    return [{
      setup: server.launch.setup,
      cells: [
        String(outcomes.length + connectFailures),
        tallyText(dropped),
        String(held),
        fixed(median, 1),
        ...probeCells(probes),
      ],
      data: {
        connections: outcomes.length,
        connectFailures,
        dropped,
        held,
        medianHeldSeconds: median,
        probes: probeData(probes),
      },
    }];
  },
};
