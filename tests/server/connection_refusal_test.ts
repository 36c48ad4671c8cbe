import assert from "node:assert/strict";
import { ConnectionRefusals } from "../../src/server/connection_refusal.ts";
import { Metrics } from "../../src/server/metrics.ts";

/** A loopback connection pair: the server's side and the client's. */
async function pair(listener: Deno.TcpListener): Promise<[Deno.TcpConn, Deno.TcpConn]> {
  const client = Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const server = await listener.accept();
  return [server, await client];
}

async function readAll(conn: Deno.TcpConn): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of conn.readable) chunks.push(chunk);
  return new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
}

Deno.test("ConnectionRefusals answers a whole 503 with Retry-After and closes, counting the refusal", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const metrics = new Metrics();
  const closed = Promise.withResolvers<void>();
  const refusals = new ConnectionRefusals(10, 2000, metrics, () => closed.resolve());
  const [server, client] = await pair(listener);
  await client.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: t\r\n\r\n"));
  refusals.refuse(server, 10);
  assert.equal(refusals.size, 1);
  const answer = readAll(client); // reads to our FIN; the client's close ends the linger
  const text = await answer;
  assert.match(text, /^HTTP\/1\.1 503 /);
  assert.match(text, /\r\nRetry-After: 1\r\n/);
  assert.match(text, /\r\nConnection: close\r\n/);
  assert.match(text, /too many connections/);
  await closed.promise;
  assert.equal(refusals.size, 0);
  assert.equal(metrics.connections().refused, 1);
});

Deno.test("ConnectionRefusals lingers no more refused connections than maxLingering: past it, closes after the 503", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let closedCount = 0;
  const allClosed = Promise.withResolvers<void>();
  const refusals = new ConnectionRefusals(1, 60_000, new Metrics(), () => {
    if (++closedCount === 1) allClosed.resolve();
  });
  const [s1, c1] = await pair(listener);
  const [s2, c2] = await pair(listener);
  refusals.refuse(s1, 1); // lingers (up to 60 s) until its client closes
  refusals.refuse(s2, 1); // over maxLingering: closed right after its 503
  assert.match(await readAll(c2), /^HTTP\/1\.1 503 /);
  await allClosed.promise; // the second closed without its client closing
  assert.equal(refusals.size, 1);
  refusals.closeAll();
  c1.close();
  // c2 was closed by reading it to its end
});
