/**
 * The client of the idle-connections scenario: opens N keep-alive
 * connections, sends one `GET /` on each and reads its response, then keeps
 * every socket open until run.ts has read the server's RSS (the protocol of
 * `lib/held_connections.ts`).
 *
 * Usage: `deno run --allow-net bench/idle_client.ts <port> <count>`
 * (raise `ulimit -n` above count first).
 *
 * @module
 */

import { holdConnections } from "./lib/held_connections.ts";

const port = Number(Deno.args[0]);
const count = Number(Deno.args[1] ?? "10000");

const REQUEST = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
const HEAD_END = new TextEncoder().encode("\r\n\r\n");

function indexOf(haystack: Uint8Array, needle: Uint8Array, end: number): number {
  outer: for (let i = 0; i + needle.length <= end; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

/** Reads one response with a Content-Length body; throws on anything else. */
async function readResponse(conn: Deno.TcpConn): Promise<void> {
  const buf = new Uint8Array(16 * 1024);
  let filled = 0;
  for (;;) {
    const n = await conn.read(buf.subarray(filled));
    if (n === null) throw new Error("connection closed before the response ended");
    filled += n;
    const headEnd = indexOf(buf, HEAD_END, filled);
    if (headEnd === -1) {
      if (filled === buf.length) throw new Error("response head too large");
      continue;
    }
    const head = new TextDecoder().decode(buf.subarray(0, headEnd));
    if (!head.startsWith("HTTP/1.1 200")) throw new Error(`unexpected status: ${head}`);
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (m === null) throw new Error("response without Content-Length");
    if (filled >= headEnd + 4 + Number(m[1])) return;
  }
}

await holdConnections(count, async () => {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(REQUEST);
    await readResponse(conn);
    return conn;
  } catch (error) {
    conn.close();
    throw error;
  }
});
