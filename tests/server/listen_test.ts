import assert from "node:assert/strict";
import { ALPN_PROTOCOLS, listenUrl, openListener } from "../../src/server/listen.ts";

Deno.test("listenUrl() gives the URL to reach a listener, or a Unix socket's path", () => {
  assert.equal(
    listenUrl({ transport: "tcp", hostname: "127.0.0.1", port: 80 }, "http"),
    "http://127.0.0.1:80/",
  );
  assert.equal(
    listenUrl({ transport: "tcp", hostname: "::1", port: 443 }, "https"),
    "https://[::1]:443/",
  );
  assert.equal(listenUrl({ transport: "unix", path: "/run/a.sock" }, "unix"), "/run/a.sock");
});

Deno.test("openListener() binds TCP by default and a Unix socket with path", async () => {
  const tcp = openListener({ hostname: "127.0.0.1", port: 0, tcpBacklog: 16 });
  assert.equal(tcp.scheme, "http");
  assert.equal(tcp.addr.transport, "tcp");
  tcp.listener.close();
  const path = `${await Deno.makeTempDir()}/l.sock`;
  const unix = openListener({ path });
  assert.equal(unix.scheme, "unix");
  assert.deepEqual(unix.addr, { transport: "unix", path });
  unix.listener.close();
});

Deno.test("ALPN announces HTTP/1.1 alone: the only protocol spoken", () => {
  assert.deepEqual(ALPN_PROTOCOLS, ["http/1.1"]);
});
