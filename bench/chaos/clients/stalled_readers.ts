/**
 * The client of the stalled-readers attack: opens N connections, sends
 * `GET PATH` on each and never reads a byte; holds them until the attack
 * says so (the protocol of `bench/lib/held_connections.ts`).
 *
 * Usage: `deno run --allow-net bench/chaos/clients/stalled_readers.ts PORT COUNT PATH`
 * (raise `ulimit -n` above COUNT first).
 *
 * @module
 */

import { holdConnections } from "../../lib/held_connections.ts";

const port = Number(Deno.args[0]);
const count = Number(Deno.args[1] ?? "3000");
const path = Deno.args[2] ?? "/big";
const request = new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nHost: chaos\r\n\r\n`);

await holdConnections(count, async () => {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(request);
    return conn;
  } catch (error) {
    conn.close();
    throw error;
  }
});
