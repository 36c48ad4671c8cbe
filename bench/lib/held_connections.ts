/**
 * The part the benchmark's connection-holding clients share: open many
 * connections a few hundred at a time, report how many opened, keep them
 * until the parent says so, then close them.
 *
 * The protocol with the parent: the client prints `OPEN <ok> <failed> [first
 * error]` once every connection is opened, waits for a line on stdin (or EOF),
 * closes every socket and prints `CLOSED`.
 *
 * @module
 */

/** Connections being opened at once; keeps the server's accept backlog small. */
const CONCURRENCY = 200;

/**
 * Opens `count` connections with `open` (which connects and does what the
 * client does first), prints `OPEN`, holds them until a line or EOF on stdin,
 * closes them, prints `CLOSED` and exits.
 */
export async function holdConnections(
  count: number,
  open: () => Promise<Deno.TcpConn>,
): Promise<never> {
  const conns: Deno.TcpConn[] = [];
  let failed = 0;
  let firstError = "";
  let next = 0;
  const opener = async () => {
    while (next < count) {
      next++;
      try {
        conns.push(await open());
      } catch (error) {
        failed++;
        if (firstError === "") firstError = String(error).replaceAll("\n", " ");
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, opener));
  console.log(`OPEN ${conns.length} ${failed} ${firstError}`.trimEnd());
  const stdin = Deno.stdin.readable.getReader();
  await stdin.read(); // a line, or EOF: either way, close
  for (const conn of conns) {
    try {
      conn.close();
    } catch { /* the server closed it */ }
  }
  console.log("CLOSED");
  Deno.exit(0);
}
