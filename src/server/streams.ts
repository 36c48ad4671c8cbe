/**
 * A connection's streams in flight: the parts of the streaming request being
 * answered (see streaming.ts), the response stream being written, and the
 * closing signal that stops a response stream when the socket closes.
 *
 * One per connection; requests on a connection are answered one at a time,
 * so there is at most one of each at once.
 *
 * @module
 */

import type { BodyReader } from "./body.ts";
import type { Exchange } from "./exchange.ts";
import type { Output } from "../io/output.ts";
import type { RawResponse } from "../app/response.ts";
import type { SocketReader } from "../io/reader.ts";
import { startStreaming, type Streaming } from "./streaming.ts";
import { isStreamed, writeFixed, writeStreamed } from "./answer_writer.ts";
import type { Step } from "./step.ts";
import type { Written } from "./response_writer.ts";

/** The streams of one connection. */
export class Streams {
  readonly #reader: SocketReader;
  readonly #output: Output;
  readonly #connection: { close(): void };
  /** The streaming request's parts in progress, if any. */
  #parts: Streaming | null = null;
  #writing = false;
  #closed = false;
  /**
   * Aborts when the socket closes, so a response stream stops waiting on its
   * producer. Made only when a stream asks: an AbortController and the
   * DOMException of its abort cost about 7% of a short connection's CPU.
   */
  #closing: AbortController | null = null;

  /** `connection` is closed when the client is seen leaving during a stream. */
  constructor(reader: SocketReader, output: Output, connection: { close(): void }) {
    this.#reader = reader;
    this.#output = output;
    this.#connection = connection;
  }

  /**
   * Writes `response` to `exchange`: a fixed one queued (a socket error ends
   * the streaming parts and is thrown on), a streamed one written as it comes.
   */
  writeResponse(response: RawResponse, exchange: Exchange): Step<Written | null> {
    if (isStreamed(response)) return this.write(response, exchange);
    try {
      return writeFixed(this.#output, response, exchange);
    } catch (error) {
      this.end(error);
      throw error; // the peer went away or stopped reading
    }
  }

  /** Whether a streamed response is being written. */
  get writing(): boolean {
    return this.#writing;
  }

  /** Starts the parts of a streaming route's request whose body `body` reads. */
  start(body: BodyReader): Streaming {
    return this.#parts = startStreaming(body, this.#cut, this.#watch);
  }

  /** Ends the streaming request's parts in progress, if any: delivered, or failed with `error`. */
  end(error?: unknown): void {
    const parts = this.#parts;
    if (parts === null) return;
    this.#parts = null;
    parts.done(error);
  }

  /**
   * Writes a response with a stream body (see answer_writer.ts); a socket
   * error fails the streaming request's parts too, and is thrown.
   */
  async write(response: RawResponse, exchange: Exchange): Promise<Written | null> {
    this.#writing = true;
    try {
      return await writeStreamed(this.#output, response, exchange, this.#watch);
    } catch (error) {
      this.end(error);
      throw error; // the peer went away or stopped reading
    } finally {
      this.#writing = false;
    }
  }

  /** The socket closed: the parts in progress fail, and the closing signal aborts. */
  closed(): void {
    this.#closed = true;
    if (this.#parts === null && this.#closing === null) return;
    const reason = new DOMException("connection closed", "AbortError");
    this.end(reason);
    this.#closing?.abort(reason);
  }

  /** The closing signal, made on first use (already aborted if the socket is closed). */
  closingSignal(): AbortSignal {
    if (this.#closing === null) {
      this.#closing = new AbortController();
      if (this.#closed) this.#closing.abort(new DOMException("connection closed", "AbortError"));
    }
    return this.#closing.signal;
  }

  // Callbacks for the streams, made when a stream first needs them (a
  // connection that never streams allocates none).

  /** Closes the connection when the client closes its side (a read sees EOF). */
  get #watch(): () => void {
    return this.#watchFn ??= () => {
      this.#reader.watch().then((closed) => {
        if (closed) this.#connection.close();
      });
    };
  }
  #watchFn: (() => void) | null = null;

  /** The client stopped sending a streamed body: the handler's signal aborts. */
  get #cut(): (error: Error) => void {
    return this.#cutFn ??= (error) => this.end(error);
  }
  #cutFn: ((error: Error) => void) | null = null;
}
