/**
 * WebSockets through the real upgrade path: `upgradeWebSocket()` from
 * `serve()` handlers and native routes, with Deno's own `WebSocket` and npm
 * `ws` as clients; handshake refusals; `Deno.upgradeWebSocket` misused; the
 * connection cap, `/metrics` counts and shutdown with open sockets.
 */

import assert from "node:assert/strict";
import NodeWebSocket from "ws";
import { serve } from "../../src/fetch/serve.ts";
import { upgradeWebSocket } from "../../src/fetch/upgrade.ts";
import { Router } from "../../src/app/router.ts";
import { Server } from "../../src/server/server.ts";
import { capturingLogs } from "../fixtures/logs.ts";
import { until } from "../fixtures/harness.ts";

const LOCAL = { hostname: "127.0.0.1", port: 0, onListen() {} } as const;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function next<K extends keyof WebSocketEventMap>(
  ws: WebSocket,
  type: K,
): Promise<WebSocketEventMap[K]> {
  return new Promise((resolve) => ws.addEventListener(type, resolve, { once: true }));
}

/** An echo socket: every message back as it came; the server says hello first. */
function echo(socket: WebSocket): void {
  socket.onopen = () => socket.send("hello");
  socket.onmessage = (e) => socket.send(e.data);
}

/** Sends `request` on a raw socket and reads what comes back until the server closes. */
async function raw(port: number, request: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(encoder.encode(request));
  const buf = new Uint8Array(4096);
  let out = "";
  for (;;) {
    const n = await conn.read(buf).catch(() => null);
    if (n === null) break;
    out += decoder.decode(buf.subarray(0, n));
  }
  conn.close();
  return out;
}

const UPGRADE = "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

Deno.test("serve() + upgradeWebSocket(): Deno's WebSocket echoes text and bytes, greets first, closes cleanly", async () => {
  const closed = Promise.withResolvers<CloseEvent>();
  await using server = serve(LOCAL, (req) => {
    const { socket, response } = upgradeWebSocket(req);
    assert.equal(response.status, 101);
    echo(socket);
    socket.addEventListener("close", (e) => closed.resolve(e));
    return response;
  });
  const client = new WebSocket(`ws://127.0.0.1:${server.addr.port}/ws`);
  client.binaryType = "arraybuffer";
  assert.equal((await next(client, "message")).data, "hello");
  client.send("text ✓");
  assert.equal((await next(client, "message")).data, "text ✓");
  client.send(Uint8Array.of(0, 1, 255));
  assert.deepEqual(new Uint8Array((await next(client, "message")).data), Uint8Array.of(0, 1, 255));
  assert.equal(server.server.metrics.connections().websockets, 1);
  client.close(4000, "bye");
  const event = await closed.promise;
  assert.deepEqual([event.code, event.reason, event.wasClean], [4000, "bye", true]);
  await next(client, "close");
  await until(() => server.server.metrics.connections().open === 0);
  assert.equal(server.server.metrics.connections().websockets, 0);
  assert.equal(server.server.metrics.connections().websockets_total, 1);
});

Deno.test("a native route upgrades too, and npm ws negotiates a subprotocol with it", async () => {
  const router = new Router().get("/ws", (req) => {
    const { socket, response } = upgradeWebSocket(req, { protocol: "chat.v2" });
    echo(socket);
    return response;
  });
  const server = Server.listen({ hostname: "127.0.0.1", port: 0 }, router);
  try {
    const client = new NodeWebSocket(`ws://127.0.0.1:${server.addr.port}/ws`, [
      "chat.v1",
      "chat.v2",
    ]);
    const messages: string[] = [];
    const got = (n: number) => until(() => messages.length >= n);
    client.on("message", (data: unknown) => messages.push(String(data)));
    await new Promise((resolve) => client.once("open", resolve));
    assert.equal(client.protocol, "chat.v2");
    await got(1);
    client.send("from ws");
    await got(2);
    assert.deepEqual(messages, ["hello", "from ws"]);
    client.close(1000);
    await new Promise((resolve) => client.once("close", resolve));
  } finally {
    await server.shutdown();
  }
});

Deno.test("frames sent in the same write as the handshake are the socket's first input", async () => {
  const got = Promise.withResolvers<string>();
  await using server = serve(LOCAL, (req) => {
    const { socket, response } = upgradeWebSocket(req);
    socket.onmessage = (e) => got.resolve(e.data);
    return response;
  });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  // A masked text frame "early" right behind the head.
  const mask = [1, 2, 3, 4];
  const payload = encoder.encode("early").map((b, i) => b ^ mask[i % 4]!);
  const frame = Uint8Array.of(0x81, 0x80 | payload.length, ...mask, ...payload);
  await conn.write(Uint8Array.of(...encoder.encode(UPGRADE + "\r\n"), ...frame));
  assert.equal(await got.promise, "early");
  const head = new Uint8Array(256);
  const n = (await conn.read(head))!;
  assert.match(decoder.decode(head.subarray(0, n)), /^HTTP\/1\.1 101 Switching Protocols\r\n/);
  assert.match(
    decoder.decode(head.subarray(0, n)),
    /sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/,
  );
  conn.close();
});

Deno.test("an invalid upgrade is answered 400, a wrong version 426 with the version spoken; both logged", async () => {
  await capturingLogs("warning", async (records) => {
    await using server = serve(LOCAL, (req) => upgradeWebSocket(req).response);
    const port = server.addr.port;
    const noKey = await raw(
      port,
      UPGRADE.replace(/Sec-WebSocket-Key: .*\r\n/, "") + "Connection: close\r\n\r\n",
    );
    assert.match(
      noKey,
      /^HTTP\/1\.1 400 Bad Request\r\n[^]*\r\n\r\nBad Request: invalid Sec-WebSocket-Key\n$/,
    );
    const v8 = await raw(
      port,
      UPGRADE.replace("Version: 13", "Version: 8") + "Connection: close\r\n\r\n",
    );
    assert.match(v8, /^HTTP\/1\.1 426 Upgrade Required\r\n/);
    assert.match(v8, /\r\nsec-websocket-version: 13\r\n/i);
    const post = await raw(
      port,
      UPGRADE.replace("GET", "POST") + "Content-Length: 0\r\nConnection: close\r\n\r\n",
    );
    assert.match(post, /^HTTP\/1\.1 400 Bad Request\r\n[^]*must be GET\n$/);
    const lines = records.filter((r) => /refused a WebSocket upgrade/.test(r.message.join("")));
    assert.equal(lines.length, 3);
  });
});

Deno.test("Deno.upgradeWebSocket() on rawhttp's request is a 500 whose log says what to import", async () => {
  await capturingLogs("error", async (records) => {
    await using server = serve(LOCAL, (req) => Deno.upgradeWebSocket(req).response);
    const answer = await raw(server.addr.port, UPGRADE + "Connection: close\r\n\r\n");
    assert.match(answer, /^HTTP\/1\.1 500 /);
    const logged = records.map((r) => String(r.properties.error)).join("\n");
    assert.match(logged, /import \{ upgradeWebSocket \} from rawhttp/);
  });
  const seen = Promise.withResolvers<unknown>();
  await using server = serve({
    ...LOCAL,
    onError(error) {
      seen.resolve(error);
      return new Response("custom", { status: 500 });
    },
  }, (req) => Deno.upgradeWebSocket(req).response);
  await raw(server.addr.port, UPGRADE + "Connection: close\r\n\r\n");
  assert.match(
    String(await seen.promise),
    /Deno\.upgradeWebSocket\(\) works only under Deno\.serve/,
  );
});

Deno.test("open WebSockets count against MAX_CONNECTIONS and in /metrics; shutdown closes them with 1001", async () => {
  const server = serve({ ...LOCAL, maxConnections: 2 }, (req) => {
    const { socket, response } = upgradeWebSocket(req);
    echo(socket);
    return response;
  });
  const url = `ws://127.0.0.1:${server.addr.port}/ws`;
  const clients = [new WebSocket(url), new WebSocket(url)];
  await Promise.all(clients.map((c) => next(c, "message")));
  assert.deepEqual(
    [server.server.metrics.connections().open, server.server.metrics.connections().websockets],
    [2, 2],
  );
  const third = await raw(server.addr.port, UPGRADE + "\r\n");
  assert.match(third, /^HTTP\/1\.1 503 /);
  const closes = clients.map((c) => next(c, "close"));
  await server.shutdown();
  for (const event of await Promise.all(closes)) assert.equal(event.code, 1001);
  assert.equal(server.server.metrics.connections().open, 0);
});

Deno.test("the upgrade Response lists the 101's fields, and a field the handler adds goes out with it", async () => {
  await using server = serve(LOCAL, (req) => {
    const { socket, response } = upgradeWebSocket(req);
    assert.equal(response.headers.get("upgrade"), "websocket");
    assert.match(response.headers.get("sec-websocket-accept")!, /=$/);
    response.headers.append("set-cookie", "session=1");
    socket.onopen = () => socket.send("open");
    return response;
  });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  await conn.write(encoder.encode(UPGRADE + "\r\n"));
  let answer = "";
  const buf = new Uint8Array(1024);
  while (!answer.includes("open")) {
    answer += decoder.decode(buf.subarray(0, (await conn.read(buf))!));
  }
  conn.close(); // a reset: the socket closes at once
  assert.match(answer, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
  assert.match(answer, /\r\nset-cookie: session=1\r\n/);
});

Deno.test("a native 101 answer given a field with CR LF is a 500, not a split head", async () => {
  const router = new Router().get("/ws", (req) => {
    const { response } = upgradeWebSocket(req);
    (response.headers as Array<[string, string]>).push(["x-bad", "a\r\nInjected: yes"]);
    return response;
  });
  const server = Server.listen({ hostname: "127.0.0.1", port: 0 }, router);
  try {
    const answer = await raw(server.addr.port, UPGRADE + "Connection: close\r\n\r\n");
    assert.match(answer, /^HTTP\/1\.1 500 /);
    assert.doesNotMatch(answer, /Injected/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("a handler that upgrades but answers otherwise is warned about, and its socket closes without opening", async () => {
  let orphan: WebSocket | null = null;
  let kept: Response | null = null;
  await capturingLogs("warning", async (records) => {
    await using server = serve(LOCAL, (req) => {
      const { socket, response } = upgradeWebSocket(req);
      if (new URL(req.url).pathname === "/twice") {
        kept ??= response; // the first request's 101, returned again for the second
        return kept;
      }
      orphan = socket;
      return new Response("not upgraded");
    });
    const answer = await raw(server.addr.port, UPGRADE + "Connection: close\r\n\r\n");
    assert.match(answer, /\r\n\r\nnot upgraded$/);
    assert.equal(orphan!.readyState, WebSocket.CLOSED);
    assert.ok(
      records.some((r) =>
        /upgradeWebSocket\(\) was called, but its response was not returned/.test(
          r.message.join(""),
        )
      ),
    );
    const first = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    await first.write(encoder.encode(UPGRADE.replace("/ws", "/twice") + "\r\n"));
    await first.read(new Uint8Array(512)); // its 101
    const second = await raw(
      server.addr.port,
      UPGRADE.replace("/ws", "/twice") + "Connection: close\r\n\r\n",
    );
    assert.match(second, /^HTTP\/1\.1 500 /);
    assert.ok(
      records.some((r) =>
        /a 101 answer that upgradeWebSocket\(\) did not make for this request/.test(
          r.message.join(""),
        )
      ),
    );
    first.close();
  });
});
