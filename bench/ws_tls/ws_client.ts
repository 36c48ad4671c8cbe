// WebSocket load for bench/ws_tls/run.ts with npm ws (a client unlike the servers measured):
//   deno run -A bench/ws_tls/ws_client.ts echo PORT CONNECTIONS SECONDS   -> messages echoed per second
//   deno run -A bench/ws_tls/ws_client.ts idle PORT CONNECTIONS            -> opens them, prints "open", holds until stdin ends
/**
 * @module
 */
import WebSocket from "ws";

const [mode, port, count, seconds] = process.argv.slice(2);
const url = `ws://127.0.0.1:${port}/ws`;
const sockets: WebSocket[] = [];
await Promise.all(
  Array.from({ length: Number(count) }, () =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.once("open", () => resolve());
      ws.once("error", reject);
      sockets.push(ws);
    })),
);
if (mode === "idle") {
  console.log("open");
  for await (const _ of Deno.stdin.readable) { /* hold them until stdin closes */ }
  Deno.exit(0);
} else {
  const payload = new Uint8Array(64).fill(97);
  let echoed = 0;
  let running = true;
  for (const ws of sockets) {
    ws.on("message", () => {
      echoed++;
      if (running) ws.send(payload);
    });
    ws.send(payload);
  }
  setTimeout(() => {
    running = false;
    console.log(JSON.stringify({ messages: echoed, seconds: Number(seconds) }));
    Deno.exit(0);
  }, Number(seconds) * 1000);
}
