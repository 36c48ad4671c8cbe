/**
 * `node-http`: a node:http server with the same responses, for `node`.
 *
 * Usage: `node bench/servers/node_http.mjs [port]`
 *
 * @module
 */

import http from "node:http";
import process from "node:process";

const HELLO = "Hello, world!\n";
const BIG_BODY = Buffer.alloc(65536, 0x78); // "x"
const TEXT = "text/plain; charset=utf-8";

const server = http.createServer((req, res) => {
  if (req.url === "/" && req.method === "GET") {
    res.writeHead(200, { "Content-Type": TEXT, "Content-Length": HELLO.length });
    res.end(HELLO);
  } else if (req.url === "/64k" && req.method === "GET") {
    res.writeHead(200, { "Content-Type": TEXT, "Content-Length": BIG_BODY.length });
    res.end(BIG_BODY);
  } else if (req.url === "/echo-len" && req.method === "POST") {
    let length = 0;
    req.on("data", (chunk) => length += chunk.length);
    req.on("end", () => {
      const body = String(length);
      res.writeHead(200, { "Content-Type": TEXT, "Content-Length": body.length });
      res.end(body);
    });
  } else {
    res.writeHead(404, { "Content-Type": TEXT });
    res.end("Not Found\n");
  }
});
// Node closes keep-alive connections idle for 5 s by default; the idle
// scenario holds 10,000 of them while it measures, so allow two minutes.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 121_000;

// Exit when run.ts is gone (stdin EOF), so no server outlives the benchmark.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();

server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  console.log(`READY ${server.address().port}`);
});
