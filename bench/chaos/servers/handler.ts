/**
 * The chaos benchmark's fetch handler, the same for Deno.serve, rawhttp's
 * serve() and Bun.serve (web APIs only, so Bun runs this file too):
 *
 * - `GET /health`: `{"status":"ok"}`
 * - `GET /api/hello`: `{"message":"Hello, world!"}`
 * - `GET /big`: 1 MiB of bytes, from memory
 * - `POST /upload`: reads the whole body, answers its length
 * - `GET /slow?ms=N`: answers "done" after N ms
 *
 * @module
 */

/** Size of `GET /big`. */
export const BIG_BYTES = 1024 * 1024;

const BIG: Uint8Array<ArrayBuffer> = new Uint8Array(BIG_BYTES).fill(0x78); // "x"
const HEALTH = JSON.stringify({ status: "ok" });
const HELLO = JSON.stringify({ message: "Hello, world!" });
const JSON_TYPE = { "content-type": "application/json" };
const BYTES_TYPE = { "content-type": "application/octet-stream" };
const TEXT_TYPE = { "content-type": "text/plain; charset=utf-8" };

/** Answers the five routes; 404 for anything else. */
export async function chaosHandler(req: Request): Promise<Response> {
  const url = new URL(req.url);
  switch (`${req.method} ${url.pathname}`) {
    case "GET /health":
      return new Response(HEALTH, { headers: JSON_TYPE });
    case "GET /api/hello":
      return new Response(HELLO, { headers: JSON_TYPE });
    case "GET /big":
      return new Response(BIG, { headers: BYTES_TYPE });
    case "POST /upload": {
      const body = await req.arrayBuffer();
      return new Response(String(body.byteLength), { headers: TEXT_TYPE });
    }
    case "GET /slow": {
      const ms = Number(url.searchParams.get("ms") ?? "0");
      await new Promise((resolve) => setTimeout(resolve, ms));
      return new Response("done", { headers: TEXT_TYPE });
    }
  }
  return new Response("Not Found\n", { status: 404, headers: TEXT_TYPE });
}
