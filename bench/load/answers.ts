/**
 * Checking that a server gives the benchmark's answers (`GET /`, `GET /64k`,
 * `POST /echo-len`) before timing it, one request per fresh connection.
 *
 * @module
 */

const TEXT = new TextEncoder();

/** One request over a fresh connection (`Connection: close`); status and body. */
export async function request(
  port: number,
  method: string,
  path: string,
  body = new Uint8Array(0),
): Promise<{ status: number; body: Uint8Array }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n` +
      (method === "POST" ? `Content-Length: ${body.length}\r\n` : "") + "\r\n";
    await conn.write(TEXT.encode(head));
    if (body.length > 0) await conn.write(body);
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
    const all = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.length;
    }
    const text = new TextDecoder("latin1").decode(all);
    const end = text.indexOf("\r\n\r\n");
    return { status: Number(text.slice(9, 12)), body: all.subarray(end + 4) };
  } finally {
    try {
      conn.close();
    } catch { /* closed by the server */ }
  }
}

/** Checks that a server gives the benchmark's answers before timing it. */
export async function checkAnswers(port: number): Promise<void> {
  const hello = await request(port, "GET", "/");
  const text = new TextDecoder().decode(hello.body);
  if (hello.status !== 200 || text !== "Hello, world!\n") {
    throw new Error(`GET / gave ${hello.status} ${JSON.stringify(text.slice(0, 80))}`);
  }
  const big = await request(port, "GET", "/64k");
  if (big.status !== 200 || big.body.length !== 65536) {
    throw new Error(`GET /64k gave ${big.status} with ${big.body.length} bytes`);
  }
  const post = await request(port, "POST", "/echo-len", new Uint8Array(4096).fill(0x61));
  const length = new TextDecoder().decode(post.body);
  if (post.status !== 200 || length !== "4096") {
    throw new Error(`POST /echo-len gave ${post.status} ${JSON.stringify(length.slice(0, 80))}`);
  }
}
