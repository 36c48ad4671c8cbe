/**
 * Real WebSocket clients other than Deno's and npm ws (websocket_test.ts):
 * Python's `websockets` package and a page in headless Chromium. A client
 * that is not installed is reported as ignored (.ci/run installs both when
 * it runs as root), never as passed.
 */

import assert from "node:assert/strict";
import { Router } from "../../src/app/router.ts";
import { upgradeWebSocket } from "../../src/fetch/upgrade.ts";
import { Server } from "../../src/server/server.ts";
import { HAS_CHROMIUM, openPage, pageRoutes } from "../fixtures/chromium.ts";

function has(cmd: string, args: string[]): boolean {
  try {
    return new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
}

/** A Python with `websockets`: the one on PATH, or Debian's (python3-websockets installs there). */
const PYTHON_WS = ["python3", "/usr/bin/python3"].find((python) =>
  has(python, ["-c", "import websockets"])
);

/** A router with an echo socket at /ws that greets first. */
function echoRouter(): Router {
  return new Router().get("/ws", (req) => {
    const { socket, response } = upgradeWebSocket(req);
    socket.onopen = () => socket.send("hello");
    socket.onmessage = (e) => socket.send(e.data);
    return response;
  });
}

const PYTHON_CLIENT = `
import asyncio, json, sys, websockets
async def main(url):
    async with websockets.connect(url) as ws:
        out = [await ws.recv()]
        await ws.send("from python ✓")
        out.append(await ws.recv())
        await ws.send(bytes([0, 1, 2, 255]))
        out.append(list(await ws.recv()))
        await ws.close(code=4001, reason="done")
        out.append(ws.close_code)
    print(json.dumps(out))
asyncio.run(main(sys.argv[1]))
`;

Deno.test({
  name: "Python websockets: greeting, text, bytes and a clean close",
  ignore: PYTHON_WS === undefined,
  async fn() {
    const server = Server.listen({ hostname: "127.0.0.1", port: 0 }, echoRouter());
    try {
      const out = await new Deno.Command(PYTHON_WS!, {
        args: ["-c", PYTHON_CLIENT, `ws://127.0.0.1:${server.addr.port}/ws`],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      const result = JSON.parse(new TextDecoder().decode(out.stdout));
      assert.deepEqual(result, ["hello", "from python ✓", [0, 1, 2, 255], 4001]);
    } finally {
      await server.shutdown();
    }
  },
});

/** The page Chromium loads: echoes a text and a binary message, then posts what it saw. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>ws</title><script>
const seen = [];
const ws = new WebSocket("ws://" + location.host + "/ws");
ws.binaryType = "arraybuffer";
ws.onmessage = (e) => {
  seen.push(typeof e.data === "string" ? e.data : Array.from(new Uint8Array(e.data)));
  if (seen.length === 1) ws.send("from the browser ✓");
  else if (seen.length === 2) ws.send(new Uint8Array([7, 8, 9]));
  else ws.close(1000, "page done");
};
ws.onclose = (e) => fetch("/result", {
  method: "POST",
  body: JSON.stringify({ seen, code: e.code, wasClean: e.wasClean }),
});
</script>`;

Deno.test({
  name: "headless Chromium: a page talks to the echo socket and closes it cleanly",
  ignore: !HAS_CHROMIUM,
  async fn() {
    const router = echoRouter();
    const result = pageRoutes(router, PAGE);
    const server = Server.listen({ hostname: "127.0.0.1", port: 0 }, router);
    try {
      await using _page = await openPage(`http://127.0.0.1:${server.addr.port}/page`);
      assert.deepEqual(await result, {
        seen: ["hello", "from the browser ✓", [7, 8, 9]],
        code: 1000,
        wasClean: true,
      });
    } finally {
      await server.shutdown();
    }
  },
});
