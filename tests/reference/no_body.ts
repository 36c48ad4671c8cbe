/**
 * The plain reference path for the connection's one shared body reader of
 * requests without a body (`Connection`'s `#bodyReader` in
 * src/server/connection.ts: made on first need, then handed to every such
 * request on the connection): a fresh reader of no body for each request.
 *
 * Compared against in tests/server/body_reference_test.ts, timed against in
 * bench/no_body_bench.ts.
 *
 * @module
 */

import { type BodyLimits, BodyReader } from "../../src/server/body.ts";
import type { SocketReader } from "../../src/io/reader.ts";

/** A new reader of no body on `reader`, for one request: what the shared one stands for. */
export function freshNoBodyReader(reader: SocketReader, limits: BodyLimits): BodyReader {
  return new BodyReader(reader, { kind: "none" }, limits, Infinity);
}
