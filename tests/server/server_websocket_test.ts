/**
 * Tests for the server-side WebSocket (src/server/server_websocket.ts) over an
 * in-memory transport: open, echo, fragments, ping/pong, the closing handshake
 * from either side, every protocol violation with its close code, the message
 * limit, send order with Blobs, bufferedAmount and its cap, the idle ping,
 * shutdown, a lost connection, and the WebSocket interface's rules.
 */

import assert from "node:assert/strict";
import { ServerWebSocket, type WsSessionOptions } from "../../src/server/server_websocket.ts";
import { closePayload, concat, frame, INVALID_STREAMS, OP } from "../fixtures/ws_frames.ts";
import { MemoryTransport } from "../fixtures/ws_transport.ts";
import { WS_VIOLATIONS } from "../../src/protocol/ws_violations.ts";

const encoder = new TextEncoder();

/** A started socket over a memory transport, recording the events it fires. */
function socket(options: WsSessionOptions = {}, leftover: Uint8Array = new Uint8Array(0)) {
  const t = new MemoryTransport();
  const ws = new ServerWebSocket(t, leftover, {
    idleTimeoutMs: 0,
    closeTimeoutMs: 2000,
    ...options,
  });
  const log: string[] = [];
  const messages: unknown[] = [];
  ws.addEventListener("open", () => log.push("open"));
  ws.addEventListener("message", (e) => messages.push(e.data));
  ws.addEventListener("error", () => log.push("error"));
  ws.addEventListener("close", (e) => log.push(`close ${e.code} ${e.wasClean}`));
  ws.start();
  return { t, ws, log, messages };
}

/** Resolves with the next event of `type` on `ws`. */
function once<K extends keyof WebSocketEventMap>(
  ws: ServerWebSocket,
  type: K,
): Promise<WebSocketEventMap[K]> {
  return new Promise((resolve) => ws.addEventListener(type, resolve, { once: true }));
}

Deno.test("ServerWebSocket fires open on start() and is OPEN, with the interface's constants", async () => {
  const t = new MemoryTransport();
  const ws = new ServerWebSocket(t, new Uint8Array(0), { idleTimeoutMs: 0, protocol: "chat" });
  assert.equal(ws.readyState, WebSocket.CONNECTING);
  let opened = 0;
  ws.onopen = () => opened++;
  ws.start();
  assert.equal(opened, 1);
  assert.equal(ws.readyState, ServerWebSocket.OPEN);
  assert.deepEqual([ws.CONNECTING, ws.OPEN, ws.CLOSING, ws.CLOSED], [0, 1, 2, 3]);
  assert.deepEqual([ServerWebSocket.CLOSING, ServerWebSocket.CLOSED], [2, 3]);
  assert.equal(ws.protocol, "chat");
  assert.equal(ws.extensions, "");
  assert.equal(ws.url, "");
  assert.equal(ws.binaryType, "arraybuffer", "as Deno's server sockets");
  assert.throws(() => ws.start(), /twice/);
  await ws.shutdown(1001, 1);
});

Deno.test("ServerWebSocket echoes text and binary, and reads frames already read with the head", async () => {
  const leftover = frame(OP.text, "early");
  const { t, ws, messages } = socket({}, leftover);
  ws.onmessage = (e) => ws.send(e.data);
  assert.deepEqual(await t.next(), { kind: "text", data: "early" });
  t.send(frame(OP.binary, Uint8Array.of(1, 2, 3)));
  assert.deepEqual(await t.next(), { kind: "binary", data: Uint8Array.of(1, 2, 3) });
  assert.ok(messages[1] instanceof ArrayBuffer);
  assert.equal((messages[1] as ArrayBuffer).byteLength, 3);
  ws.binaryType = "blob";
  t.send(frame(OP.binary, Uint8Array.of(4)));
  assert.deepEqual(await t.next(), { kind: "binary", data: Uint8Array.of(4) }, "a Blob sent back");
  assert.ok(messages[2] instanceof Blob);
  ws.binaryType = "nonsense" as BinaryType;
  assert.equal(ws.binaryType, "blob", "an unknown binaryType is ignored");
  await ws.shutdown(1001, 1);
});

Deno.test("ServerWebSocket assembles fragments, answers pings between them and ignores pongs", async () => {
  const { t, ws, messages } = socket();
  t.send(
    frame(OP.text, "frag", { fin: false }),
    frame(OP.ping, "p1"),
    frame(OP.pong, "x"),
    frame(OP.cont, "ment"),
  );
  assert.deepEqual(await t.next(), { kind: "pong", data: encoder.encode("p1") });
  t.send(frame(OP.text, "done"));
  while (messages.length < 2) await once(ws, "message");
  assert.deepEqual(messages, ["fragment", "done"]);
  await ws.shutdown(1001, 1);
});

Deno.test("ServerWebSocket reads a message larger than its read buffer, in small pieces", async () => {
  const { t, ws, messages } = socket();
  const data = Uint8Array.from({ length: 200_000 }, (_, i) => i & 0xff);
  const bytes = frame(OP.binary, data);
  for (let i = 0; i < bytes.length; i += 1000) t.send(bytes.subarray(i, i + 1000));
  await once(ws, "message");
  assert.deepEqual(new Uint8Array(messages[0] as ArrayBuffer), data);
  await ws.shutdown(1001, 1);
});

Deno.test("ServerWebSocket echoes the peer's close code, closes the transport, and reports a clean close", async () => {
  let closedInfo: unknown = null;
  const { t, ws, log } = socket({ onClosed: (c) => closedInfo = c });
  t.send(frame(OP.close, closePayload(4001, "bye")));
  assert.deepEqual(await t.next(), { kind: "close", code: 4001, reason: "" });
  const event = await once(ws, "close");
  assert.deepEqual([event.code, event.reason, event.wasClean], [4001, "bye", true]);
  assert.equal(t.closed, true, "the server closes the TCP connection first");
  assert.equal(ws.readyState, WebSocket.CLOSED);
  assert.deepEqual(closedInfo, { code: 4001, reason: "bye", wasClean: true });
  assert.deepEqual(log, ["open", "close 4001 true"]);
  assert.deepEqual(await ws.closed, { code: 4001, reason: "bye", wasClean: true });
});

Deno.test("ServerWebSocket answers an empty close with an empty close, and reports 1005", async () => {
  const { t, ws } = socket();
  t.send(frame(OP.close));
  assert.deepEqual(await t.next(), { kind: "close", code: null, reason: "" });
  const event = await once(ws, "close");
  assert.deepEqual([event.code, event.wasClean], [1005, true]);
});

Deno.test("ServerWebSocket's close() sends its close, drops later messages, and ends at the peer's answer", async () => {
  const { t, ws, messages, log } = socket();
  ws.close(4000, "done");
  assert.equal(ws.readyState, WebSocket.CLOSING);
  assert.deepEqual(await t.next(), { kind: "close", code: 4000, reason: "done" });
  ws.send("ignored once closing");
  ws.close(1000); // a second close does nothing
  t.send(frame(OP.text, "late"), frame(OP.ping), frame(OP.close, closePayload(4000)));
  const event = await once(ws, "close");
  assert.deepEqual([event.code, event.wasClean], [4000, true]);
  assert.deepEqual(messages, [], "a message after our close is not dispatched");
  assert.deepEqual(t.pending, [], "no pong and nothing else after our close frame");
  assert.deepEqual(log, ["open", "close 4000 true"]);
});

Deno.test("ServerWebSocket's close() gives up on a silent peer after closeTimeoutMs (1006, unclean)", async () => {
  const { t, ws } = socket({ closeTimeoutMs: 20 });
  ws.close();
  assert.deepEqual(await t.next(), { kind: "close", code: null, reason: "" });
  const event = await once(ws, "close");
  assert.deepEqual([event.code, event.wasClean], [1006, false]);
  assert.equal(t.closed, true);
});

for (const f of INVALID_STREAMS) {
  Deno.test(`ServerWebSocket answers ${f.name} with close ${f.code}, then error and close`, async () => {
    const { t, ws, log } = socket({ maxMessageBytes: 1000 });
    t.send(f.bytes);
    let sent = await t.next();
    while (sent.kind !== "close") sent = await t.next(); // a pong for a fixture's ping
    const reason = WS_VIOLATIONS[f.violation].reason;
    assert.deepEqual(sent, { kind: "close", code: f.code, reason });
    assert.deepEqual(await ws.closed, { code: f.code, reason, wasClean: false });
    assert.deepEqual(log.slice(-2), ["error", `close ${f.code} false`]);
    assert.equal(t.closed, true);
  });
}

Deno.test("ServerWebSocket closes with 1009 a message over maxMessageBytes", async () => {
  const { t, ws } = socket({ maxMessageBytes: 10 });
  t.send(frame(OP.text, "0123456789"));
  await once(ws, "message");
  t.send(frame(OP.text, "0123456789x"));
  assert.deepEqual(await t.next(), { kind: "close", code: 1009, reason: "message too big" });
  assert.equal((await ws.closed).code, 1009);
});

Deno.test("ServerWebSocket keeps send order across a Blob, whose bytes come later", async () => {
  const { t, ws } = socket();
  ws.send("a");
  ws.send(new Blob(["b"]));
  ws.send("c");
  ws.send(Uint8Array.of(100));
  ws.send(new Uint16Array([0x6565]).buffer);
  ws.send(new DataView(new Uint8Array([1, 2, 3, 4]).buffer, 1, 2));
  const got = [];
  for (let i = 0; i < 6; i++) got.push(await t.next());
  assert.deepEqual(got, [
    { kind: "text", data: "a" },
    { kind: "binary", data: encoder.encode("b") },
    { kind: "text", data: "c" },
    { kind: "binary", data: Uint8Array.of(100) },
    { kind: "binary", data: Uint8Array.of(0x65, 0x65) },
    { kind: "binary", data: Uint8Array.of(2, 3) },
  ]);
  await ws.shutdown(1001, 1);
});

Deno.test("ServerWebSocket counts bufferedAmount in payload bytes until the socket takes them", async () => {
  const { t, ws } = socket();
  t.stallWrites = true;
  ws.send("abc");
  ws.send("é");
  ws.send(new Blob(["12345"]));
  assert.equal(ws.bufferedAmount, 3 + 2 + 5);
  t.send(frame(OP.ping)); // a pong counts nothing
  t.release();
  for (let i = 0; i < 4; i++) await t.next();
  assert.equal(ws.bufferedAmount, 0);
  await ws.shutdown(1001, 1);
});

Deno.test("ServerWebSocket drops a peer that stops reading once more than maxBufferedBytes are queued", async () => {
  const { t, ws, log } = socket({ maxBufferedBytes: 10 });
  t.stallWrites = true;
  ws.send("12345678");
  ws.send("12345678"); // 8 queued: not over the cap yet
  assert.equal(ws.bufferedAmount, 16);
  ws.send("x"); // 16 queued: over it
  assert.equal(ws.readyState, WebSocket.CLOSED);
  assert.equal(t.closed, true);
  ws.send("ignored");
  const closed = await ws.closed;
  assert.deepEqual([closed.code, closed.wasClean], [1006, false]);
  assert.deepEqual(log, ["open", "error", "close 1006 false"]);
});

Deno.test("ServerWebSocket drops a peer that floods pings and never reads: queued pongs count against the cap", async () => {
  const { t, ws, log } = socket({ maxBufferedBytes: 100 });
  t.stallWrites = true;
  for (let i = 0; i < 50; i++) t.send(frame(OP.ping, new Uint8Array(10)));
  const closed = await ws.closed;
  assert.deepEqual([closed.code, closed.wasClean], [1006, false]);
  assert.equal(t.closed, true);
  assert.deepEqual(log, ["open", "error", "close 1006 false"]);
});

Deno.test("ServerWebSocket writes whole frames through a transport that takes 3 bytes a write", async () => {
  const { t, ws } = socket();
  t.maxWrite = 3;
  ws.send("x".repeat(300));
  ws.send(Uint8Array.of(1, 2));
  assert.deepEqual(await t.next(), { kind: "text", data: "x".repeat(300) });
  assert.deepEqual(await t.next(), { kind: "binary", data: Uint8Array.of(1, 2) });
  await ws.shutdown(1001, 1);
});

Deno.test("ServerWebSocket joins queued frames into one write", async () => {
  const { t, ws } = socket();
  t.stallWrites = true;
  ws.send("first"); // its write starts and stalls
  for (let i = 0; i < 50; i++) ws.send(`m${i}`);
  t.release();
  for (let i = 0; i < 51; i++) await t.next();
  assert.equal(t.writes, 2);
  await ws.shutdown(1001, 1);
});

Deno.test("ServerWebSocket pings a quiet peer after half idleTimeoutMs, and stays open when it answers", async () => {
  const { t, ws } = socket({ idleTimeoutMs: 200 }); // wide enough that a loaded machine answers in time
  assert.deepEqual(await t.next(), { kind: "ping", data: new Uint8Array(0) });
  t.send(frame(OP.pong));
  assert.deepEqual(await t.next(), { kind: "ping", data: new Uint8Array(0) }, "pinged again later");
  assert.equal(ws.readyState, WebSocket.OPEN, "an answered ping keeps it open");
  await ws.shutdown(1001, 1);
});

Deno.test("ServerWebSocket closes a peer silent for idleTimeoutMs with 1001", async () => {
  const { t, ws, log } = socket({ idleTimeoutMs: 20 });
  assert.equal((await t.next()).kind, "ping");
  assert.deepEqual(await t.next(), {
    kind: "close",
    code: 1001,
    reason: "No response from ping frame.",
  });
  const closed = await ws.closed;
  assert.deepEqual([closed.code, closed.wasClean], [1001, false]);
  assert.deepEqual(log, ["open", "error", "close 1001 false"]);
});

Deno.test("ServerWebSocket's shutdown() sends 1001 and resolves at the peer's answer", async () => {
  const { t, ws } = socket();
  const done = ws.shutdown();
  assert.deepEqual(await t.next(), { kind: "close", code: 1001, reason: "" });
  t.send(frame(OP.close, closePayload(1001)));
  await done;
  assert.deepEqual(await ws.closed, { code: 1001, reason: "", wasClean: true });
});

Deno.test("ServerWebSocket's shutdown() closes within its deadline when the peer does not answer", async () => {
  const { t, ws } = socket({ closeTimeoutMs: 60_000 });
  await ws.shutdown(1012, 10, "restarting");
  assert.deepEqual(await t.next(), { kind: "close", code: 1012, reason: "restarting" });
  assert.equal((await ws.closed).code, 1006);
  assert.equal(t.closed, true);
});

Deno.test("ServerWebSocket reports a peer gone without a close frame as error and 1006", async () => {
  const { t, ws, log } = socket();
  t.end();
  const closed = await ws.closed;
  assert.deepEqual([closed.code, closed.wasClean], [1006, false]);
  assert.deepEqual(log, ["open", "error", "close 1006 false"]);
});

Deno.test("ServerWebSocket reports a failed write as error and 1006", async () => {
  const { t, ws, log } = socket();
  t.failWrites = true;
  ws.send("x");
  assert.equal((await ws.closed).code, 1006);
  assert.deepEqual(log, ["open", "error", "close 1006 false"]);
});

Deno.test("ServerWebSocket's send() throws InvalidStateError before open, and needs an argument", async () => {
  const ws = new ServerWebSocket(new MemoryTransport(), new Uint8Array(0), { idleTimeoutMs: 0 });
  assert.throws(
    () => ws.send("x"),
    (e) => e instanceof DOMException && e.name === "InvalidStateError",
  );
  ws.start();
  // deno-lint-ignore no-explicit-any
  assert.throws(() => (ws.send as any)(), TypeError);
  await ws.shutdown(1001, 1);
});

Deno.test("ServerWebSocket's close() checks its code and reason as the standard does", async () => {
  const { t, ws } = socket();
  const invalidAccess = (e: unknown) =>
    e instanceof DOMException && e.name === "InvalidAccessError";
  for (const code of [0, 999, 1004, 1005, 1006, 1015, 2999, 5000, 65535, 70000]) {
    assert.throws(() => ws.close(code), invalidAccess, `${code}`);
  }
  const syntax = (e: unknown) => e instanceof DOMException && e.name === "SyntaxError";
  assert.throws(() => ws.close(1000, "x".repeat(124)), syntax);
  assert.throws(() => ws.close(1000, "é".repeat(62)), syntax, "bytes, not characters");
  assert.equal(ws.readyState, WebSocket.OPEN, "a refused close changes nothing");
  ws.close(1011, "é".repeat(61) + "x"); // 123 bytes; 1011 is allowed on a server socket
  assert.deepEqual(await t.next(), { kind: "close", code: 1011, reason: "é".repeat(61) + "x" });
  t.send(frame(OP.close, closePayload(1011)));
  await ws.closed;
});

Deno.test("ServerWebSocket closed before start() sends its close on start and never fires open", async () => {
  const t = new MemoryTransport();
  const ws = new ServerWebSocket(t, new Uint8Array(0), { idleTimeoutMs: 0 });
  let opened = false;
  ws.onopen = () => opened = true;
  ws.close(3000);
  assert.equal(ws.readyState, WebSocket.CLOSING);
  ws.start();
  assert.deepEqual(await t.next(), { kind: "close", code: 3000, reason: "" });
  t.send(frame(OP.close, closePayload(3000)));
  assert.equal((await ws.closed).code, 3000);
  assert.equal(opened, false);
});

Deno.test("ServerWebSocket's on… attributes add one listener each, replaceable and removable", async () => {
  const { t, ws } = socket();
  const calls: string[] = [];
  ws.onmessage = () => calls.push("first");
  ws.addEventListener("message", () => calls.push("listener"));
  ws.onmessage = function (this: WebSocket) {
    calls.push(this === ws ? "second, this is the socket" : "wrong this");
  };
  t.send(frame(OP.text, "1"));
  await once(ws, "message");
  ws.onmessage = null;
  assert.equal(ws.onmessage, null);
  t.send(frame(OP.text, "2"));
  await once(ws, "message");
  ws.onerror = "not a function" as unknown as null;
  assert.equal(ws.onerror, null);
  assert.deepEqual(calls, ["second, this is the socket", "listener", "listener"]);
  await ws.shutdown(1001, 1);
});

Deno.test("ServerWebSocket is a WebSocket to TypeScript, and its events are the standard ones", async () => {
  const { t, ws } = socket();
  const asWebSocket: WebSocket = ws;
  const message = once(ws, "message");
  t.send(frame(OP.text, "hi"));
  const event = await message;
  assert.ok(event instanceof MessageEvent);
  assert.equal(event.data, "hi");
  const close = once(asWebSocket as ServerWebSocket, "close");
  t.send(concat(frame(OP.close, closePayload(1000))));
  assert.ok((await close) instanceof CloseEvent);
});
