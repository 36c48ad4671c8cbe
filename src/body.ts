/**
 * Reads a whole request body from the socket, by its framing, within its limits.
 *
 * The body limit is enforced before the excess is read: a Content-Length over
 * the limit is refused from the head alone, and a chunked body as soon as a
 * chunk-size line would pass it. Bytes after the body (a pipelined request)
 * stay in the reader for the next head.
 *
 * @module
 */

import { ChunkedDecoder } from "./chunked.ts";
import type { RejectionCode } from "./errors.ts";
import type { Framing } from "./framing.ts";
import type { SocketReader } from "./reader.ts";

/** The limits a body is read under. */
export interface BodyLimits {
  readonly maxBodyBytes: number;
  /** Chunk extensions and trailers together, in bytes (the head limit is reused). */
  readonly maxHeadBytes: number;
  /** Trailer lines (the header-count limit is reused). */
  readonly maxHeaderCount: number;
}

const EMPTY = new Uint8Array(0);

/**
 * Reads the body `framing` describes, or returns why it was refused.
 * `deadline` is in ms since the epoch.
 */
export async function readBody(
  reader: SocketReader,
  framing: Framing,
  limits: BodyLimits,
  deadline: number,
): Promise<Uint8Array | RejectionCode> {
  switch (framing.kind) {
    case "none":
      return EMPTY;
    case "length":
      return await readLength(reader, framing.length, limits.maxBodyBytes, deadline);
    case "chunked":
      return await readChunked(reader, limits, deadline);
  }
}

async function readLength(
  reader: SocketReader,
  length: number,
  maxBodyBytes: number,
  deadline: number,
): Promise<Uint8Array | RejectionCode> {
  if (length > maxBodyBytes) return "body_too_large";
  const body = new Uint8Array(length);
  let filled = 0;
  for (;;) {
    const n = Math.min(reader.buffered, length - filled);
    body.set(reader.buf.subarray(reader.start, reader.start + n), filled);
    reader.consume(n);
    filled += n;
    if (filled === length) return body;
    const outcome = await reader.fill(deadline);
    if (outcome === "timeout") return "body_timeout";
    if (outcome !== "data") return "incomplete_body";
  }
}

async function readChunked(
  reader: SocketReader,
  limits: BodyLimits,
  deadline: number,
): Promise<Uint8Array | RejectionCode> {
  const decoder = new ChunkedDecoder({
    maxBodyBytes: limits.maxBodyBytes,
    maxMetadataBytes: limits.maxHeadBytes,
    maxTrailerCount: limits.maxHeaderCount,
  });
  const parts: Uint8Array[] = [];
  for (;;) {
    const result = decoder.decode(
      reader.buf,
      reader.start,
      reader.end,
      (data) => parts.push(data.slice()), // copy: the reader's buffer is reused
    );
    if (typeof result === "string") return result;
    reader.consume(result);
    if (decoder.done) return concat(parts, decoder.total);
    const outcome = await reader.fill(deadline);
    if (outcome === "timeout") return "body_timeout";
    if (outcome !== "data") return "incomplete_body";
  }
}

/** Joins `parts` (of `total` bytes together) into one array. */
export function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
