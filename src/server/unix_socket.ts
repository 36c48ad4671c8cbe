/**
 * A Unix socket's file: what binding finds there, and the stale file a server
 * that was killed (not shut down) leaves behind. Binding over any existing
 * file fails with "Address already in use", and `Deno.serve` stops there.
 *
 * Binding stays synchronous (`Server.listen` and `serve()` return a bound
 * server, as `Deno.serve` does), and Deno has no synchronous connect and
 * lets only `--allow-all` read `/proc/net/unix`, so whether a process still
 * listens cannot be told at bind time. So binding refuses an existing file
 * with a message that says what to do, and {@link clearStaleSocket} (async)
 * tells a stale socket from a live one by connecting to it: refused means no
 * process listens, and the file is removed; the `rawhttp` program calls it
 * before it binds. A file that is not a socket is never removed. Closing the
 * listener removes the file it bound (Deno's listener does that).
 *
 * @module
 */

import { serverLog } from "./log.ts";

/** Throws AddrInUse, saying why and what to do, when something is at `path` already. */
export function checkSocketPath(path: string): void {
  const info = statOrNull(path);
  if (info === null) return;
  if (info.isSocket !== true) {
    throw new Deno.errors.AddrInUse(`${path} exists and is not a socket; it was left as it is`);
  }
  throw new Deno.errors.AddrInUse(
    `${path} exists: another server may listen on it; if none does, remove it ` +
      "(await clearStaleSocket(path) does that only when no process listens)",
  );
}

/**
 * Removes the socket file at `path` if no process listens on it (a connect
 * is refused), and resolves to whether it did. Rejects with AddrInUse when a
 * server answers there, or when `path` is not a socket (left as it is).
 * Needs read and write permission for `path`.
 */
export async function clearStaleSocket(path: string): Promise<boolean> {
  const info = statOrNull(path);
  if (info === null) return false;
  if (info.isSocket !== true) {
    throw new Deno.errors.AddrInUse(`${path} exists and is not a socket; it was left as it is`);
  }
  let conn: Deno.UnixConn;
  try {
    conn = await Deno.connect({ transport: "unix", path });
  } catch (error) {
    if (!(error instanceof Deno.errors.ConnectionRefused)) throw error;
    await Deno.remove(path);
    serverLog.info("removed the stale socket file {path} (no process listened on it)", { path });
    return true;
  }
  conn.close();
  throw new Deno.errors.AddrInUse(`another server listens on ${path}`);
}

function statOrNull(path: string): Deno.FileInfo | null {
  try {
    return Deno.lstatSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}
