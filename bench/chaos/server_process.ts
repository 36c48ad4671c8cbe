/**
 * A server under attack as a running process: started on a free port, ready
 * once it listens and answers the routes the attack needs, measured as a
 * process tree, and stopped (with its temp files removed) on dispose.
 *
 * @module
 */

import { Child } from "../lib/children.ts";
import { listeningPorts } from "../lib/procfs.ts";
import { bytes, Client, get, type Reply } from "../../tests/chaos/fixtures/client.ts";
import type { Launch, Need, Peer, RouteName } from "./peers.ts";
import { ProcessTree } from "./process_tree.ts";
import { BIG_BYTES } from "./servers/handler.ts";

const READY_TIMEOUT_MS = 30_000;
/** Open files each server may have: 3,000 readers and more. */
const OPEN_FILES = 20_000;

/** A port nothing listens on now (the kernel's pick, released at once). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}

/** Sends `request` on a fresh connection and reads one response. */
export async function exchange(port: number, request: string | Uint8Array): Promise<Reply> {
  using client = await Client.connect(port);
  await client.write(request);
  return await client.response(10_000);
}

/** A running server. `await using` stops it. */
export class ServerProcess implements AsyncDisposable {
  readonly tree: ProcessTree;

  private constructor(
    readonly peer: Peer,
    readonly launch: Launch,
    readonly child: Child,
    readonly port: number,
  ) {
    this.tree = new ProcessTree(child.pid);
  }

  /** Starts `peer` for `need`, with `prefix` (taskset) before its command. */
  static async start(peer: Peer, need: Need, prefix: readonly string[]): Promise<ServerProcess> {
    const port = freePort();
    const launch = await peer.launch(need, port);
    let child: Child;
    try {
      child = Child.spawn([...prefix, ...launch.argv], {
        newGroup: true,
        stdin: true,
        openFiles: OPEN_FILES,
      });
    } catch (error) {
      await launch.cleanup();
      throw error;
    }
    const server = new ServerProcess(peer, launch, child, port);
    try {
      await server.#listening();
      await server.#check(["health", "hello", ...need.routes]);
    } catch (error) {
      await server[Symbol.asyncDispose]();
      throw error;
    }
    return server;
  }

  /** The path of `route` here; throws where the server has none. */
  path(route: RouteName): string {
    const path = this.launch.routes[route];
    if (path === null) throw new Error(`${this.peer.name} has no ${route} route`);
    return path;
  }

  /** The process (for nginx, the master) id. */
  get pid(): number {
    return this.child.pid;
  }

  /** Whether the process has exited. */
  get ended(): boolean {
    return this.child.ended;
  }

  /** Sends `signal` to the main process only (nginx's master, as `docker stop` does). */
  signal(signal: Deno.Signal): void {
    try {
      Deno.kill(this.child.pid, signal);
    } catch { /* exited */ }
  }

  async #listening(): Promise<void> {
    const deadline = performance.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (this.child.ended) {
        const { code } = await this.child.status;
        throw new Error(`exited with code ${code}: ${this.child.stderrTail || "(no stderr)"}`);
      }
      const ports = this.tree.pids().flatMap((pid) => {
        try {
          return listeningPorts(pid);
        } catch {
          return [];
        }
      });
      if (ports.includes(this.port)) return;
      if (performance.now() > deadline) {
        throw new Error(`not listening on ${this.port} after ${READY_TIMEOUT_MS} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Asks each route once: the server must answer as the attack expects. */
  async #check(routes: readonly RouteName[]): Promise<void> {
    for (const route of new Set(routes)) {
      const path = this.path(route);
      const what = `${route} (${path})`;
      if (route === "upload") {
        const body = "u".repeat(1000);
        const reply = await exchange(
          this.port,
          `POST ${path} HTTP/1.1\r\nHost: chaos\r\nConnection: close\r\n` +
            `Content-Length: ${body.length}\r\n\r\n${body}`,
        );
        const expected = this.launch.uploadAnswersLength ? "1000" : reply.text;
        if (reply.status !== 200 || reply.text !== expected) {
          throw new Error(`${what} answered ${reply.status} ${JSON.stringify(reply.text)}`);
        }
        continue;
      }
      const target = route === "slow" ? `${path}?ms=50` : path;
      const started = performance.now();
      const reply = await exchange(this.port, bytes(get(target, true)));
      if (reply.status !== 200) throw new Error(`${what} answered ${reply.status}`);
      if (route === "health" && !/"status":"ok"/.test(reply.text)) {
        throw new Error(`${what} answered ${JSON.stringify(reply.text)}`);
      }
      if (route === "big" && reply.body.length !== BIG_BYTES) {
        throw new Error(`${what} sent ${reply.body.length} bytes`);
      }
      if (route === "slow" && performance.now() - started < 50) {
        throw new Error(`${what} answered before 50 ms`);
      }
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      await this.child.stop();
    } finally {
      await this.launch.cleanup();
    }
  }
}
