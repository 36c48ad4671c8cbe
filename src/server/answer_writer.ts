/**
 * Writing a handler's response as the connection must: whatever the
 * handler made, something valid goes out, or the connection learns why not.
 *
 * A response whose head is invalid (a CRLF in a value, an interim status),
 * or whose stream fails before its first byte, becomes a 500; a stream that
 * failed on the request body it was echoing is handed back as null, for the
 * body's own refusal to answer. A fixed body is queued at once and its
 * result is a value, not a promise: the usual response costs no microtask
 * hop here. Socket errors (the peer went away, WRITE_TIMEOUT) are thrown.
 *
 * @module
 */

import type { Exchange } from "./exchange.ts";
import { handlerLog } from "./log.ts";
import type { Output } from "../io/output.ts";
import { isStreamBody, type RawResponse } from "../app/response.ts";
import { ChunkSource } from "../io/ready_chunks.ts";
import {
  queueFixed,
  StreamFailedEarly,
  type WriteOptions,
  writeResponse,
  type Written,
} from "./response_writer.ts";
import { rejection } from "../protocol/rejections.ts";

/** Whether `response` has a stream body (written as it comes, not queued at once). */
export function isStreamed(response: RawResponse): boolean {
  const body = response.body;
  return body !== undefined && isStreamBody(body);
}

/** Queues a response with a fixed body for `exchange`; an invalid one becomes a 500. */
export function writeFixed(output: Output, response: RawResponse, exchange: Exchange): Written {
  try {
    return queueFixed(output, response, exchange);
  } catch (error) {
    return writeFailed(output, exchange, error);
  }
}

/**
 * Writes a response with a stream body for `exchange`: a 500 if it fails
 * before its first byte, null if that failure was the request body's.
 * `watchForClose` starts a read that closes the connection when the client
 * leaves: a client leaving during a stream is noticed by a read, not by a
 * write (the stream may be idle), so once the writer finds the stream
 * waiting on its producer (it asks for the closing signal then) and the
 * request body has been read, the connection watches for EOF. A stream whose
 * chunks are all ready needs no watch.
 */
export async function writeStreamed(
  output: Output,
  response: RawResponse,
  exchange: Exchange,
  watchForClose: () => void,
): Promise<Written | null> {
  const body = exchange.body;
  const watching: WriteOptions = {
    keepAlive: exchange.keepAlive,
    omitBody: exchange.omitBody,
    date: exchange.date,
    version: exchange.version,
    closingSignal: () => {
      if (body.done) watchForClose();
      return exchange.closingSignal();
    },
  };
  try {
    return await writeResponse(output, response, watching);
  } catch (error) {
    if (error instanceof StreamFailedEarly && body.failure !== null) return null;
    return writeFailed(output, exchange, error);
  }
}

/** A response that could not be written as the handler made it: a 500, or rethrow a socket error. */
function writeFailed(output: Output, exchange: Exchange, error: unknown): Written {
  const { method, rawPath: path } = exchange.head;
  if (error instanceof StreamFailedEarly) {
    handlerLog.error("response stream for {method} {path} failed: {error}", {
      method,
      path,
      error: error.cause,
    });
  } else if (error instanceof TypeError) {
    handlerLog.error("invalid response to {method} {path}: {error}", { method, path, error });
  } else {
    throw error; // the peer went away or stopped reading
  }
  return queueFixed(output, rejection("handler_error"), exchange);
}

/**
 * Cancels a response's stream body that will never be sent, so its producer
 * does not wait for a reader forever (a locked stream's reader ends it).
 */
export function discard(response: RawResponse): void {
  const body = response.body;
  if (body === undefined || !isStreamBody(body)) return;
  if (body instanceof ReadableStream && body.locked) return;
  new ChunkSource(body).cancel();
}
