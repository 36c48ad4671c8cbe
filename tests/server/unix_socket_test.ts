import assert from "node:assert/strict";
import { checkSocketPath, clearStaleSocket } from "../../src/server/unix_socket.ts";

async function freePath(): Promise<string> {
  return `${await Deno.makeTempDir()}/t.sock`;
}

Deno.test("checkSocketPath() passes a free path and refuses an existing socket or file, saying what to do", async () => {
  const path = await freePath();
  checkSocketPath(path);
  const listener = Deno.listen({ transport: "unix", path });
  try {
    assert.throws(
      () => checkSocketPath(path),
      (e: unknown) => e instanceof Deno.errors.AddrInUse && /clearStaleSocket/.test(e.message),
    );
  } finally {
    listener.close();
  }
  await Deno.writeTextFile(path, "x");
  assert.throws(() => checkSocketPath(path), /is not a socket/);
});

Deno.test("clearStaleSocket() leaves a free path, refuses a live socket, never removes a plain file", async () => {
  const path = await freePath();
  assert.equal(await clearStaleSocket(path), false);
  const listener = Deno.listen({ transport: "unix", path });
  try {
    await assert.rejects(clearStaleSocket(path), /another server listens on/);
    assert.equal(Deno.lstatSync(path).isSocket, true);
  } finally {
    listener.close();
  }
  await Deno.writeTextFile(path, "mine");
  await assert.rejects(clearStaleSocket(path), /is not a socket/);
  assert.equal(await Deno.readTextFile(path), "mine");
});
