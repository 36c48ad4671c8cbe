/** Tests for what a ServerWebSocket is given (src/server/ws_options.ts). */

import assert from "node:assert/strict";
import type { WsSessionOptions, WsTransport } from "../../src/server/ws_options.ts";
import type { Socket } from "../../src/server/connection_context.ts";

Deno.test("a Deno.Conn and the connection's Socket serve as a WebSocket's transport", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const server = await listener.accept();
  const fromConn: WsTransport = server;
  const socket: Socket = client;
  const fromSocket: WsTransport = socket;
  await fromSocket.write(Uint8Array.of(42));
  const p = new Uint8Array(1);
  assert.equal(await fromConn.read(p), 1);
  assert.equal(p[0], 42);
  fromConn.close();
  fromSocket.close();
  listener.close();
});

Deno.test("every WebSocket option may be left out", () => {
  const none: WsSessionOptions = {};
  assert.deepEqual(Object.keys(none), []);
});
