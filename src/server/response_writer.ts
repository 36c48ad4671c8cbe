/**
 * Puts one response on the wire: fixed bodies with Content-Length, streams
 * with the chunked coding as their chunks arrive.
 *
 * A stream whose chunks are all ready at once is collected and sent with
 * Content-Length, like a fixed body (see ready_chunks.ts); otherwise the head
 * goes out at once with `Transfer-Encoding: chunked`, and each chunk is
 * written as it arrives, so server-sent events reach the client without delay.
 *
 * @module
 */

import { handlerLog } from "./log.ts";
import { freeBytes, type Output } from "../io/output.ts";
import type { HttpVersion } from "../protocol/head_parser.ts";
import {
  checkChunk,
  ChunkSource,
  collectReady,
  failedRead,
  isOwnedBody,
  RestOfStream,
  StreamReadError,
} from "../io/ready_chunks.ts";
import { isStreamBody, type RawResponse } from "../app/response.ts";
import {
  type BodyFraming,
  encodeHead,
  encodeResponse,
  type SerializeOptions,
} from "../protocol/serializer.ts";
import { SizedBody } from "../io/sized_body.ts";
import { isBodyless } from "../protocol/status.ts";

/** What the connection knows about the exchange a response answers. */
export interface WriteOptions extends SerializeOptions {
  readonly version: HttpVersion;
  /**
   * Aborts when the connection closes: a stream waiting on its producer stops
   * then. Called only for such a stream, when it is found waiting.
   */
  readonly closingSignal: () => AbortSignal;
}

/**
 * Thrown when a response stream fails before any byte of the response went
 * out: the caller can still answer with a status of its choosing.
 */
export class StreamFailedEarly extends Error {
  constructor(cause: unknown) {
    super("response stream failed before its first byte", { cause });
    this.name = "StreamFailedEarly";
  }
}

/** What went out. */
export interface Written {
  /** Bytes queued or written, head included. */
  readonly bytes: number;
  /** Of those, the body's, without the head or the chunked framing (the telemetry's response size). */
  readonly body: number;
  /** False when the body was cut short or delimited by closing: the connection must close. */
  readonly reusable: boolean;
  /** The status that went out, for the access log and the counters. */
  readonly status: number;
}

/**
 * Queues a response with a fixed body on `output`, or writes a streamed one
 * (flushing what was queued before it). Throws only what `output` throws
 * (the peer went away, or WRITE_TIMEOUT).
 */
export async function writeResponse(
  output: Output,
  res: RawResponse,
  options: WriteOptions,
): Promise<Written> {
  const body = res.body;
  if (body === undefined || !isStreamBody(body)) return queueFixed(output, res, options);
  if (body instanceof SizedBody) return await writeSized(output, res, options, body);
  // The rest of a stream the fetch adapter probed already: not probed twice.
  const rest = body instanceof RestOfStream ? body : null;
  const source = rest?.source ?? new ChunkSource(body);
  if (isBodyless(res.status)) {
    source.cancel();
    return queueHead(output, res, options, 0);
  }
  const collected = rest?.collected ?? await collectReady(source);
  if (collected.kind === "failed") {
    // Nothing went out yet: the connection chooses the answer (the failure
    // may be the request body's, streamed back by an echo handler).
    source.cancel();
    throw new StreamFailedEarly(collected.error);
  }
  if (collected.kind === "done") {
    return queueFixed(output, { ...res, body: collected.bytes } as RawResponse, options);
  }
  if (options.omitBody) {
    // HEAD: no body follows whatever the head says, so the connection stays
    // usable; the head just cannot state a length the probe did not learn.
    source.cancel();
    const head = encodeHead(res, options, "close");
    const bytes = head.bytes;
    output.queue(bytes);
    return { bytes: bytes.length, body: 0, reusable: !head.close, status: res.status };
  }
  const pending = collected.pending?.then(checkChunk, failedRead) ?? null;
  // Awaited only after the head is queued and flushed: a producer that fails
  // meanwhile, or a head that turns out invalid, must not leave it unhandled.
  pending?.catch(() => {});
  return await streamChunked(output, res, options, source, collected.ready, pending);
}

/**
 * Writes a body of known length piece by piece, with Content-Length: each
 * piece is read only once the one before it is written, so a client that
 * does not read holds one piece. A body that ends short, or fails after its
 * head went out, closes the connection (the client sees it cut short).
 */
async function writeSized(
  output: Output,
  res: RawResponse,
  options: WriteOptions,
  body: SizedBody,
): Promise<Written> {
  const length = body.length;
  if (options.omitBody || isBodyless(res.status) || length === 0) {
    return queueHead(output, res, options, isBodyless(res.status) ? 0 : length);
  }
  const source = new ChunkSource(body);
  // The first piece before the head: a body that cannot be read at all (a
  // file gone since it was stat'ed) is still answered with a status.
  let result: IteratorResult<Uint8Array>;
  try {
    result = await source.read();
  } catch (error) {
    source.cancel();
    throw new StreamFailedEarly(error instanceof StreamReadError ? error.cause : error);
  }
  let bytes = 0;
  let sent = 0;
  let reusable = false;
  try {
    const head = queueHead(output, res, options, length);
    bytes = head.bytes;
    reusable = head.reusable;
    while (!result.done && sent < length) {
      let piece = result.value;
      if (piece.length > length - sent) piece = piece.subarray(0, length - sent); // grew since
      output.queue(piece);
      sent += piece.length;
      bytes += piece.length;
      await output.flush(); // the next piece is read only once this one is written
      if (sent < length) result = await source.read();
    }
  } catch (error) {
    return cutShort(source, error, bytes, sent, res.status);
  }
  source.cancel(); // closes a file not read to its end
  // Shorter than its Content-Length (shrunk since): only closing tells the client.
  return { bytes, body: sent, reusable: reusable && sent === length, status: res.status };
}

async function streamChunked(
  output: Output,
  res: RawResponse,
  options: WriteOptions,
  source: ChunkSource,
  ready: readonly Uint8Array[],
  pending: Promise<IteratorResult<Uint8Array>> | null,
): Promise<Written> {
  const signal = options.closingSignal();
  // HTTP/1.0 has no chunked coding: the body ends when the connection does.
  const chunked = options.version === "HTTP/1.1";
  const frame = (data: Uint8Array) => chunked ? chunkFrame(data) : data;
  let bytes = 0;
  let sent = 0; // of the body, unframed
  try {
    // In the try: a head the serialiser refuses (a TypeError, answered with
    // 500 by the caller) must cancel the stream too.
    const head = queueHead(
      output,
      res,
      { ...options, keepAlive: options.keepAlive && chunked },
      chunked ? "chunked" : "close",
    );
    bytes = head.bytes;
    for (const data of ready) {
      // The ready chunks are collectReady's copies: ours to free once written.
      const framed = frame(data);
      if (framed !== data) freeBytes(data);
      output.queue(framed, true);
      bytes += framed.length;
      sent += data.length;
    }
    await output.flush(); // the head goes out now, before the producer's next chunk
    for (;;) {
      // Stop waiting on the producer once the connection is gone (the client
      // left, or shutdown's deadline passed): cancel the stream, end here.
      const result = await unlessAborted(pending ?? source.read(), signal);
      pending = null;
      if (result === ABORTED) {
        source.cancel();
        return { bytes, body: sent, reusable: false, status: res.status };
      }
      if (result.done) break;
      if (result.value.length === 0) continue; // an empty chunk would end the body
      const framed = frame(result.value);
      output.queue(framed, chunked); // a chunk frame is our copy; a bare chunk the producer's
      bytes += framed.length;
      sent += result.value.length;
      await output.flush(); // the next chunk is read only once this one is written
    }
  } catch (error) {
    // Closing without the last chunk tells the client the body is truncated.
    return cutShort(source, error, bytes, sent, res.status);
  }
  if (chunked) {
    output.queue(LAST_CHUNK);
    bytes += LAST_CHUNK.length;
  }
  return { bytes, body: sent, reusable: chunked, status: res.status };
}

/**
 * Queues a response whose body is text, bytes or absent: the fast path, with
 * no await. Throws a TypeError for an invalid head (the caller answers 500).
 */
export function queueFixed(output: Output, res: RawResponse, options: SerializeOptions): Written {
  const { bytes, body, close, bodyBytes } = encodeResponse(res, options);
  output.queue(bytes);
  if (body === null) {
    return { bytes: bytes.length, body: bodyBytes, reusable: !close, status: res.status };
  }
  output.queue(body, isOwnedBody(body));
  return {
    bytes: bytes.length + body.length,
    body: bodyBytes,
    reusable: !close,
    status: res.status,
  };
}

function queueHead(
  output: Output,
  res: RawResponse,
  options: WriteOptions,
  framing: BodyFraming,
): Written {
  const head = encodeHead(res, options, framing);
  const bytes = head.bytes;
  output.queue(bytes);
  return {
    bytes: bytes.length,
    body: 0, // the head alone; a caller that sends a body after it counts its own
    reusable: framing !== "close" && !head.close,
    status: res.status,
  };
}

/**
 * A body that failed after its head went out: the producer failed (logged;
 * the connection must close, which tells the client it is cut short), or the
 * peer went away (rethrown). The source is cancelled either way.
 */
function cutShort(
  source: ChunkSource,
  error: unknown,
  bytes: number,
  body: number,
  status: number,
): Written {
  source.cancel();
  if (!(error instanceof StreamReadError)) throw error;
  handlerLog.error("response body failed after {bytes} bytes: {error}", {
    bytes,
    error: error.cause,
  });
  return { bytes, body, reusable: false, status };
}

const LAST_CHUNK = new TextEncoder().encode("0\r\n\r\n");

/** chunk = chunk-size CRLF chunk-data CRLF (RFC 9112 §7.1), as one array. */
export function chunkFrame(data: Uint8Array): Uint8Array {
  const size = data.length.toString(16);
  const out = new Uint8Array(size.length + 2 + data.length + 2);
  for (let i = 0; i < size.length; i++) out[i] = size.charCodeAt(i);
  out[size.length] = 0x0d;
  out[size.length + 1] = 0x0a;
  out.set(data, size.length + 2);
  out[out.length - 2] = 0x0d;
  out[out.length - 1] = 0x0a;
  return out;
}

const ABORTED: unique symbol = Symbol("aborted");

/**
 * `read`'s result, or {@link ABORTED} if `signal` aborts first. The listener
 * is removed either way, so a long connection's signal collects none.
 */
function unlessAborted<T>(read: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener("abort", onAbort, { once: true });
    read.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
