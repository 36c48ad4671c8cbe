/**
 * One server for the WebSocket and TLS benchmark (run.ts): rawhttp's
 * `serve()` or `Deno.serve`, answering `GET /` with 14 bytes and upgrading
 * `/ws` to an echo socket; over TLS when a certificate and key are given.
 * Prints its port, exits when stdin closes.
 *
 * deno run -A bench/ws_tls/server.ts rawhttp|deno [cert.pem key.pem]
 *
 * @module
 */

import { serve, upgradeWebSocket } from "../../mod.ts";

const [kind, certFile, keyFile] = Deno.args;
const tls = certFile !== undefined && keyFile !== undefined
  ? { cert: Deno.readTextFileSync(certFile), key: Deno.readTextFileSync(keyFile) }
  : {};
const hello = new TextEncoder().encode("Hello, world!\n");

function handler(req: Request): Response {
  if (new URL(req.url).pathname !== "/ws") return new Response(hello);
  const { socket, response } = kind === "deno" ? Deno.upgradeWebSocket(req) : upgradeWebSocket(req);
  socket.onmessage = (e) => socket.send(e.data);
  return response;
}

const options = { hostname: "127.0.0.1", port: 0, ...tls };
const onListen = (addr: Deno.NetAddr) => console.log(addr.port);
const server = kind === "deno"
  ? Deno.serve({ ...options, onListen }, handler)
  : serve({ ...options, onListen, maxConnections: 20_000 }, handler);
for await (const _ of Deno.stdin.readable) { /* until stdin closes */ }
await server.shutdown();
