/**
 * What every Deno-hosted server under test shares: the responses, the
 * readiness line and the parent watchdog.
 *
 * @module
 */

/** The small response every server gives to `GET /`. */
export const HELLO = "Hello, world!\n";

/** The body of `GET /64k`: 65,536 bytes. */
export const BIG_BODY: Uint8Array<ArrayBuffer> = new Uint8Array(65536).fill(0x78); // "x"

/** The line run.ts waits for; nothing else on stdout matters. */
export function announce(port: number): void {
  console.log(`READY ${port}`);
}

/**
 * Exits when stdin reaches EOF, i.e. when run.ts is gone, so no server can
 * outlive the benchmark even if run.ts is killed with SIGKILL.
 */
export function exitWithParent(): void {
  (async () => {
    try {
      for await (const _ of Deno.stdin.readable) { /* ignore input */ }
    } finally {
      Deno.exit(0);
    }
  })();
}

/** The port from the first argument; 0 lets the kernel pick one. */
export function portArg(): number {
  const port = Number(Deno.args[0] ?? "0");
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error("bad port argument");
  return port;
}

/** The fetch-style handler shared by `deno-serve` and `rawhttp-fetch`. */
export async function fetchHandler(req: Request): Promise<Response> {
  const url = req.url;
  const path = url.slice(url.indexOf("/", url.indexOf("//") + 2));
  if (path === "/") return new Response(HELLO);
  if (path === "/64k") return new Response(BIG_BODY);
  if (path === "/echo-len" && req.method === "POST") {
    const body = await req.arrayBuffer();
    return new Response(String(body.byteLength));
  }
  return new Response("Not Found\n", { status: 404 });
}
