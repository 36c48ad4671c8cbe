/**
 * Micro-benchmarks of the body reader of a request without a body (`deno
 * task bench:micro`): the connection's one shared reader, made on first
 * need (as `Connection` keeps it, src/server/connection.ts), against a fresh
 * reader of no body per request (tests/reference/no_body.ts, the baseline);
 * each kept (as the request's exchange keeps it) and asked whether it is
 * done, as the connection asks.
 *
 * @module
 */

import { BodyReader } from "../src/server/body.ts";
import { SocketReader } from "../src/io/reader.ts";
import { freshNoBodyReader } from "../tests/reference/no_body.ts";

const LIMITS = { maxBodyBytes: 1 << 20, maxHeadBytes: 16384, maxHeaderCount: 100 };
const socket = new SocketReader({ read: () => Promise.resolve(null) }, 4096, 4096);
let shared: BodyReader | null = null;
/** Where each request's reader goes, as the connection keeps it in the request's exchange. */
let exchangeBody: BodyReader | null = null;

Deno.bench({
  name: "bodiless request's reader: reference, a fresh one per request",
  group: "bodiless request's reader",
  baseline: true,
  fn() {
    exchangeBody = freshNoBodyReader(socket, LIMITS);
    if (!exchangeBody.done) throw new Error("a body");
  },
});
Deno.bench({
  name: "bodiless request's reader: optimised, the connection's shared one",
  group: "bodiless request's reader",
  fn() {
    exchangeBody = shared ??= new BodyReader(socket, { kind: "none" }, LIMITS, Infinity);
    if (!exchangeBody.done) throw new Error("a body");
  },
});

globalThis.addEventListener("unload", () => {
  socket.dispose();
  if (exchangeBody === undefined) console.log(""); // keeps `exchangeBody` read
});
