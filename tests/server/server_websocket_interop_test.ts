/**
 * ServerWebSocket against real clients over real TCP, through a hand-made
 * upgrade (tests/fixtures/ws_harness.ts): Deno's own WebSocket client and
 * npm's `ws` (Node's most used) exchange text, binary, fragments, pings and
 * closes with it; a bad upgrade is refused with 400 or 426.
 */

import assert from "node:assert/strict";
import NodeWebSocket from "ws";
import { startHarness } from "../fixtures/ws_harness.ts";
import type { ServerWebSocket } from "../../src/server/server_websocket.ts";

/** Echoes every message back. */
const echo = (ws: ServerWebSocket) => ws.onmessage = (e) => ws.send(e.data);

/** Resolves with the next event of `type` on a browser-style socket. */
function next<K extends keyof WebSocketEventMap>(
  ws: WebSocket,
  type: K,
): Promise<WebSocketEventMap[K]> {
  return new Promise((resolve) => ws.addEventListener(type, resolve, { once: true }));
}

Deno.test("Deno's WebSocket client: echo of text and binary, then a clean close it starts", async () => {
  const harness = startHarness(echo);
  const client = new WebSocket(`ws://127.0.0.1:${harness.port}/chat`);
  client.binaryType = "arraybuffer";
  await next(client, "open");
  client.send("héllo 😀");
  assert.equal((await next(client, "message")).data, "héllo 😀");
  const big = Uint8Array.from({ length: 300_000 }, (_, i) => i % 251);
  client.send(big);
  assert.deepEqual(new Uint8Array((await next(client, "message")).data), big);
  const closing = next(client, "close");
  client.close(4000, "bye");
  const event = await closing;
  assert.deepEqual([event.code, event.reason, event.wasClean], [4000, "", true]);
  assert.deepEqual(await harness.sockets[0]!.closed, { code: 4000, reason: "bye", wasClean: true });
  await harness.close();
});

Deno.test("Deno's WebSocket client sees the server's close code and reason", async () => {
  const harness = startHarness((ws) => ws.onopen = () => ws.close(4321, "server done"));
  const client = new WebSocket(`ws://127.0.0.1:${harness.port}/`);
  const event = await next(client, "close");
  assert.deepEqual([event.code, event.reason, event.wasClean], [4321, "server done", true]);
  assert.equal((await harness.sockets[0]!.closed).wasClean, true);
  await harness.close();
});

Deno.test("npm ws: echo, fragments, ping answered with pong, subprotocol, clean close", async () => {
  const harness = startHarness(echo, {}, ["superchat"]);
  const client = new NodeWebSocket(`ws://127.0.0.1:${harness.port}/`, ["chat", "superchat"]);
  const received: unknown[] = [];
  const waiters: Array<() => void> = [];
  client.on("message", (data: unknown, isBinary: boolean) => {
    received.push(isBinary ? new Uint8Array(data as ArrayBuffer) : String(data));
    waiters.shift()?.();
  });
  const nextMessage = () => new Promise<void>((resolve) => waiters.push(resolve));
  await new Promise((resolve) => client.once("open", resolve));
  assert.equal(client.protocol, "superchat");
  assert.equal(client.extensions, "", "permessage-deflate offered, not accepted");

  let got = nextMessage();
  client.send("plain");
  await got;
  got = nextMessage();
  client.send("frag", { fin: false });
  client.send("mented", { fin: true });
  await got;
  got = nextMessage();
  client.send(Uint8Array.of(1, 2, 3), { binary: true });
  await got;
  assert.deepEqual(received, ["plain", "fragmented", Uint8Array.of(1, 2, 3)]);

  const pong = new Promise((resolve) =>
    client.once("pong", (data: unknown) => resolve(String(data)))
  );
  client.ping("are you there");
  assert.equal(await pong, "are you there");

  const closed = new Promise<[number, string]>((resolve) =>
    client.once("close", (code: number, reason: unknown) => resolve([code, String(reason)]))
  );
  client.close(1000, "done");
  assert.deepEqual(await closed, [1000, ""]);
  assert.deepEqual(await harness.sockets[0]!.closed, {
    code: 1000,
    reason: "done",
    wasClean: true,
  });
  await harness.close();
});

Deno.test("npm ws: a message over maxMessageBytes closes with 1009", async () => {
  const harness = startHarness(echo, { maxMessageBytes: 1000 });
  const client = new NodeWebSocket(`ws://127.0.0.1:${harness.port}/`);
  await new Promise((resolve) => client.once("open", resolve));
  const closed = new Promise<number>((resolve) => client.once("close", resolve));
  client.send("x".repeat(1001));
  assert.equal(await closed, 1009);
  assert.equal((await harness.sockets[0]!.closed).code, 1009);
  await harness.close();
});

Deno.test("the harness refuses a bad upgrade with 400, and a wrong version with 426", async () => {
  const harness = startHarness(echo);
  const url = `http://127.0.0.1:${harness.port}/`;
  const noKey = await fetch(url, {
    headers: { upgrade: "websocket", connection: "upgrade", "sec-websocket-version": "13" },
  });
  assert.equal(noKey.status, 400);
  await noKey.body?.cancel();
  const headers = {
    upgrade: "websocket",
    connection: "upgrade",
    "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    "sec-websocket-version": "8",
  };
  const oldVersion = await fetch(url, { headers });
  assert.equal(oldVersion.status, 426);
  assert.equal(oldVersion.headers.get("sec-websocket-version"), "13");
  await oldVersion.body?.cancel();
  await harness.close();
});
