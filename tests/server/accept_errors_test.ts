import assert from "node:assert/strict";
import { acceptErrorKind } from "../../src/server/accept_errors.ts";
import { RawClient, startServer } from "../fixtures/harness.ts";
import { capturingLogs } from "../fixtures/logs.ts";

const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: t\r\n\r\n`;

function withCode(code: string): Error {
  return Object.assign(new Error(code), { code });
}

Deno.test("acceptErrorKind() says a reset, abort or protocol error is about one connection", () => {
  for (
    const code of ["ECONNRESET", "ECONNABORTED", "ENOTCONN", "EPROTO", "EHOSTUNREACH", "EPERM"]
  ) {
    assert.equal(acceptErrorKind(withCode(code)), "connection", code);
  }
  assert.equal(acceptErrorKind(new Deno.errors.NotConnected("gone")), "connection");
  assert.equal(acceptErrorKind(new Deno.errors.ConnectionReset("gone")), "connection");
});

Deno.test("acceptErrorKind() says EMFILE, ENFILE, ENOBUFS and ENOMEM are a lack of resources", () => {
  for (const code of ["EMFILE", "ENFILE", "ENOBUFS", "ENOMEM"]) {
    assert.equal(acceptErrorKind(withCode(code)), "resources", code);
  }
});

Deno.test("acceptErrorKind() says a closed listener is closed, and anything else is unknown", () => {
  assert.equal(acceptErrorKind(new Deno.errors.BadResource("closed")), "closed");
  assert.equal(acceptErrorKind(new Error("what")), "unknown");
  assert.equal(acceptErrorKind(withCode("EWHAT")), "unknown");
  assert.equal(acceptErrorKind("a string"), "unknown");
  assert.equal(acceptErrorKind(null), "unknown");
});

/**
 * Connects `count` times and resets each connection at once (SO_LINGER 0),
 * before the server accepts it: Deno's accept then fails with ENOTCONN.
 * Deno cannot send a reset itself, so python3 (on every machine) does.
 */
async function resetConnections(port: number, count: number): Promise<void> {
  const script = [
    "import socket, struct, sys",
    "for _ in range(int(sys.argv[2])):",
    "    s = socket.socket()",
    "    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))",
    "    s.connect(('127.0.0.1', int(sys.argv[1])))",
    "    s.close()",
  ].join("\n");
  const out = await new Deno.Command("python3", {
    args: ["-c", script, String(port), String(count)],
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
}

// Regression: each accept error made the loop back off (5 ms doubling to
// 1 s), so 60 resets kept the server from accepting for 53 s.
Deno.test("connections reset before accept neither pause the accept loop nor log an error", async () => {
  await capturingLogs("debug", async (records) => {
    await using s = startServer();
    await resetConnections(s.port, 40);
    using client = await RawClient.connect(s.port);
    await client.write(GET("/"));
    assert.equal((await client.response()).status, 200);
    const errors = records.filter((r) => r.level === "error" || r.level === "fatal");
    assert.deepEqual(errors.map((r) => r.message.join("")), []);
  });
});
