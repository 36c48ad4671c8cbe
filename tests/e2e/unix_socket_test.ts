/**
 * Serving on a Unix socket with `path`, as `Deno.serve` does, tried with curl
 * --unix-socket and Deno's fetch through a Unix client; and the socket file's
 * life: removed at shutdown, a stale one removed by clearStaleSocket(), a live
 * one or a plain file never touched.
 */

import assert from "node:assert/strict";
import { serve } from "../../src/fetch/serve.ts";
import { Router } from "../../src/app/router.ts";
import { text } from "../../src/app/response.ts";
import { Server } from "../../src/server/server.ts";
import { capturingLogs } from "../fixtures/logs.ts";
import { clearStaleSocket } from "../../src/server/unix_socket.ts";

async function socketPath(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "rawhttp-unix-" });
  return `${dir}/app.sock`;
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("serve({ path }) listens on the socket: onListen and addr report it, fetch and curl get answers", async () => {
  const path = await socketPath();
  const listened: Deno.UnixAddr[] = [];
  const peers: unknown[] = [];
  const server = serve({ path, onListen: (addr) => listened.push(addr) }, (req, info) => {
    peers.push(info.remoteAddr);
    return new Response(`unix ${new URL(req.url).pathname}`);
  });
  try {
    assert.deepEqual(server.addr, { transport: "unix", path });
    assert.deepEqual(listened, [{ transport: "unix", path }]);
    using client = Deno.createHttpClient({ proxy: { transport: "unix", path } });
    const res = await fetch("http://localhost/from-fetch", { client });
    assert.equal(await res.text(), "unix /from-fetch");
    const curl = await new Deno.Command("curl", {
      args: ["-sS", "--unix-socket", path, "http://localhost/from-curl"],
      stdout: "piped",
    }).output();
    assert.equal(new TextDecoder().decode(curl.stdout), "unix /from-curl");
    assert.deepEqual(peers[0], { transport: "unix", path }, "as Deno.serve gives it");
  } finally {
    await server.shutdown();
  }
  assert.equal(exists(path), false, "the socket file is removed at shutdown");
});

Deno.test("the access log names a Unix socket's peer by the socket's path", async () => {
  const path = await socketPath();
  await capturingLogs("info", async (records) => {
    const server = Server.listen({ path }, new Router().get("/", () => text("x")));
    try {
      using client = Deno.createHttpClient({ proxy: { transport: "unix", path } });
      await (await fetch("http://localhost/", { client })).text();
    } finally {
      await server.shutdown();
    }
    const access = records.filter((r) => r.category.join(".") === "rawhttp.access");
    assert.equal(access.length, 1);
    assert.equal(access[0]!.properties.remote, `unix:${path}`);
  });
});

Deno.test("a stale socket file (its server was killed) is refused by listen, removed by clearStaleSocket(), then served", async () => {
  const path = await socketPath();
  // A process that binds the socket and is killed: nothing closes it, the file stays.
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `Deno.listen({ transport: "unix", path: ${
        JSON.stringify(path)
      } }); console.log("bound"); setInterval(() => {}, 1000);`,
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.getReader();
  const first = await reader.read();
  assert.match(new TextDecoder().decode(first.value), /bound/);
  child.kill("SIGKILL");
  await child.status;
  reader.releaseLock();
  await child.stdout.cancel();
  assert.equal(Deno.lstatSync(path).isSocket, true, "the killed server left its socket file");
  assert.throws(() => Server.listen({ path }, new Router()), Deno.errors.AddrInUse);
  await capturingLogs("info", async (records) => {
    assert.equal(await clearStaleSocket(path), true);
    const server = Server.listen({ path }, new Router().get("/", () => text("new server")));
    try {
      using client = Deno.createHttpClient({ proxy: { transport: "unix", path } });
      assert.equal(await (await fetch("http://localhost/", { client })).text(), "new server");
    } finally {
      await server.shutdown();
    }
    assert.ok(records.some((r) => /removed the stale socket file/.test(r.message.join(""))));
  });
});

Deno.test("a socket another server listens on is refused, and that server keeps it", async () => {
  const path = await socketPath();
  const first = Server.listen({ path }, new Router().get("/", () => text("first")));
  try {
    assert.throws(() => Server.listen({ path }, new Router()), Deno.errors.AddrInUse);
    await assert.rejects(clearStaleSocket(path), /another server listens on/);
    using client = Deno.createHttpClient({ proxy: { transport: "unix", path } });
    assert.equal(await (await fetch("http://localhost/", { client })).text(), "first");
  } finally {
    await first.shutdown();
  }
});

Deno.test("a path that is a plain file is refused and left as it is", async () => {
  const path = await socketPath();
  await Deno.writeTextFile(path, "not a socket");
  assert.throws(
    () => serve({ path, onListen() {} }, () => new Response("")),
    (e: unknown) => e instanceof Deno.errors.AddrInUse && /is not a socket/.test(e.message),
  );
  assert.equal(await Deno.readTextFile(path), "not a socket");
});
