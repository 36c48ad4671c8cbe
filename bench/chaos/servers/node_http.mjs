/**
 * `node-http` in the chaos benchmark: a node:http server with the routes of
 * handler.ts, Node's default timeouts, and a graceful stop on SIGTERM
 * (`server.close()`: stops accepting, closes idle connections, lets requests
 * in flight finish). Exits when its stdin closes.
 *
 * Usage: `node bench/chaos/servers/node_http.mjs PORT`
 *
 * @module
 */

import http from "node:http";
import process from "node:process";

const BIG = Buffer.alloc(1024 * 1024, 0x78); // "x"
const HEALTH = JSON.stringify({ status: "ok" });
const HELLO = JSON.stringify({ message: "Hello, world!" });
const JSON_TYPE = "application/json";
const TEXT_TYPE = "text/plain; charset=utf-8";

function send(res, status, type, body) {
  res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  const route = `${req.method} ${url.pathname}`;
  if (route === "GET /health") send(res, 200, JSON_TYPE, HEALTH);
  else if (route === "GET /api/hello") send(res, 200, JSON_TYPE, HELLO);
  else if (route === "GET /big") send(res, 200, "application/octet-stream", BIG);
  else if (route === "POST /upload") {
    let length = 0;
    req.on("data", (chunk) => length += chunk.length);
    req.on("end", () => send(res, 200, TEXT_TYPE, String(length)));
  } else if (route === "GET /slow") {
    const ms = Number(url.searchParams.get("ms") ?? "0");
    setTimeout(() => send(res, 200, TEXT_TYPE, "done"), ms);
  } else send(res, 404, TEXT_TYPE, "Not Found\n");
});

process.on("SIGTERM", () => server.close(() => process.exit(0)));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();

server.listen(Number(process.argv[2] ?? 0), "127.0.0.1");
