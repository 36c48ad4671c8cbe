/**
 * One body reader shared by a connection's requests without a body (as
 * `Connection` keeps it in src/server/connection.ts: a `BodyReader` of
 * framing "none", made on first need) against a fresh one per request
 * (tests/reference/no_body.ts): over random sequences of requests, with and
 * without a body, on which the connection and the handler use the reader in
 * every way it can be used (read, read whole, drain, stop at shutdown, lend
 * a permit, look at done, failure and started), the shared reader must give
 * what a fresh one gives, every time, and never touch the socket.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { BodyReader } from "../../src/server/body.ts";
import { type ByteSource, SocketReader } from "../../src/io/reader.ts";
import type { Permit } from "../../src/server/pool.ts";
import { freshNoBodyReader } from "../reference/no_body.ts";

const LIMITS = { maxBodyBytes: 64, maxHeadBytes: 64, maxHeaderCount: 10 };

/** One use of a body reader. */
type Use = "read" | "readAll" | "drain" | "stop" | "lend" | "look";

const use: fc.Arbitrary<Use> = fc.constantFrom("read", "readAll", "drain", "stop", "lend", "look");

/** A request: without a body (its uses of the reader), or with a Content-Length body read whole. */
type Request = { readonly uses: readonly Use[] } | { readonly length: number };

const request: fc.Arbitrary<Request> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ uses: fc.array(use, { maxLength: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ length: fc.integer({ min: 1, max: 20 }) }) },
);

/** A socket that gives `bytes` in reads of at most 7, then EOF; counts its reads. */
function source(bytes: Uint8Array): ByteSource & { reads: number } {
  let offset = 0;
  const s = {
    reads: 0,
    read(p: Uint8Array): Promise<number | null> {
      s.reads++;
      if (offset >= bytes.length) return Promise.resolve(null);
      const n = Math.min(p.length, 7, bytes.length - offset);
      p.set(bytes.subarray(offset, offset + n));
      offset += n;
      return Promise.resolve(n);
    },
  };
  return s;
}

/** A permit that logs what is done with it (a reader of no body never waits, so nothing). */
function permitOf(log: unknown[]): Permit {
  return {
    held: true,
    release: () => log.push("release"),
    pause: () => log.push("pause"),
    resume: () => log.push("resume"),
  };
}

/** Plain data for what a read gave. */
function shown(value: Uint8Array | string | null | boolean): unknown {
  return value instanceof Uint8Array ? { bytes: [...value] } : value;
}

/**
 * Serves `requests` on one socket that holds `bytes`; a request without a
 * body gets its reader from `noBody`. The log of everything seen.
 */
async function serve(
  requests: readonly Request[],
  bytes: Uint8Array,
  noBody: (socket: SocketReader) => BodyReader,
): Promise<unknown[]> {
  const src = source(bytes);
  const socket = new SocketReader(src, 16, 16);
  const log: unknown[] = [];
  try {
    for (const r of requests) {
      if ("length" in r) {
        const body = new BodyReader(socket, { kind: "length", length: r.length }, LIMITS, Infinity);
        log.push(shown(await body.readAll()));
        continue;
      }
      const body = noBody(socket);
      const socketBefore = [src.reads, socket.buffered];
      for (const u of r.uses) {
        if (u === "read") log.push(shown(await body.read()));
        else if (u === "readAll") log.push(shown(await body.readAll()));
        else if (u === "drain") log.push(await body.drain());
        else if (u === "stop") body.stop();
        else if (u === "lend") body.lendWhileWaiting(permitOf(log));
        log.push([body.done, body.failure, body.started]);
      }
      assert.deepEqual([src.reads, socket.buffered], socketBefore, "the socket was touched");
    }
  } finally {
    socket.dispose();
  }
  return log;
}

Deno.test("a shared body reader of no body gives what a fresh one per request gives, over random requests and uses", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(request, { maxLength: 8 }),
      fc.uint8Array({ maxLength: 100 }),
      async (requests, bytes) => {
        let shared: BodyReader | null = null;
        const mine = await serve(requests, bytes, (socket) =>
          // As the connection keeps it: made on first need, then the same one.
          shared ??= new BodyReader(socket, { kind: "none" }, LIMITS, Infinity));
        const theirs = await serve(
          requests,
          bytes,
          (socket) => freshNoBodyReader(socket, LIMITS),
        );
        assert.deepEqual(mine, theirs);
      },
    ),
    { numRuns: 200 },
  );
});
