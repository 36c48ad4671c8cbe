/**
 * A streaming route's request: what its handler gets besides the head. The
 * body as a stream pulled from the socket, a signal that aborts when the
 * client goes away, and a promise that settles when the response has been
 * written (the app's {@link StreamingParts}).
 *
 * The signal and the promise are made on first use. Most handlers never look
 * at them, and an AbortController, a promise pair and a socket read kept in
 * flight to notice the client leaving showed in the fetch path's profile
 * (every request there is a streaming one; the watch alone was 3% of it).
 *
 * @module
 */

import type { BodyReader } from "./body.ts";
import type { StreamingParts } from "../app/request.ts";

/**
 * The streaming parts of a request whose body `body` reads. `cut` runs when
 * the client stops sending mid-body (a reset, or a half-close): the
 * connection fails the parts then, so the handler's signal aborts. For
 * `watchForClose`, see the {@link Streaming} constructor.
 */
export function startStreaming(
  body: BodyReader,
  cut: (error: Error) => void,
  watchForClose: () => void,
): Streaming {
  let bodyStream: ReadableStream<Uint8Array> | null = null;
  if (!body.done) {
    bodyStream = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const piece = await body.read();
        if (piece === null) {
          controller.close();
          streaming.bodyEnded();
        } else if (typeof piece === "string") {
          streaming.bodyFailed();
          const error = new Error(`request body refused: ${piece}`);
          controller.error(error);
          // The refusal is still sent: a client that half-closed can read it.
          if (piece === "incomplete_body") cut(error);
        } else {
          controller.enqueue(piece);
        }
      },
    }, { highWaterMark: 0 });
  }
  const streaming = new Streaming(bodyStream, watchForClose);
  return streaming;
}

/** One streaming request's parts; the connection ends them with {@link Streaming.done}. */
export class Streaming implements StreamingParts {
  readonly bodyStream: ReadableStream<Uint8Array> | null;
  /** Starts a read that closes the connection if the client goes away. */
  readonly #watchForClose: () => void;
  #bodyEnded: boolean;
  #bodyRefused = false;
  #watchWanted = false;
  #watching = false;
  #abort: AbortController | null = null;
  #completed: PromiseWithResolvers<void> | null = null;
  #state: "open" | "delivered" | "failed" = "open";
  #error: unknown = undefined;

  /**
   * @param bodyStream the request body, null when it has none (then the body has ended)
   * @param watchForClose called at most once, after the body has been read, if the signal or
   *   the completion is used (the response writer may start the same watch for a stream: the
   *   socket reader shares one read in flight between them)
   */
  constructor(bodyStream: ReadableStream<Uint8Array> | null, watchForClose: () => void) {
    this.bodyStream = bodyStream;
    this.#bodyEnded = bodyStream === null;
    this.#watchForClose = watchForClose;
  }

  /** Aborts when the client goes away (or shutdown's deadline passes) before the response is done. */
  get signal(): AbortSignal {
    if (this.#abort === null) {
      this.#abort = new AbortController();
      if (this.#state === "failed") this.#abort.abort(this.#error);
      else if (this.#state === "open") this.#watchOnce();
    }
    return this.#abort.signal;
  }

  /**
   * Starts the watch for the client leaving, once: when the signal or the
   * completion is first asked for, or when the body ends if that is later
   * (the client's leaving shows as EOF only once its body has been read).
   */
  #watchOnce(): void {
    this.#watchWanted = true;
    if (!this.#bodyEnded || this.#watching) return;
    this.#watching = true;
    this.#watchForClose();
  }

  /**
   * Resolves when the response has been written; rejects if it could not be,
   * the client having gone away (watched for from now on, as for the signal).
   */
  get completed(): Promise<void> {
    if (this.#completed === null) {
      this.#completed = Promise.withResolvers<void>();
      this.#completed.promise.catch(() => {}); // a handler need not await it
      if (this.#state === "delivered") this.#completed.resolve();
      else if (this.#state === "failed") this.#completed.reject(this.#error);
      else this.#watchOnce();
    }
    return this.#completed.promise;
  }

  /**
   * Whether the handler asked for `completed`: only then must the response be
   * flushed before the parts end (otherwise it may wait for the next write).
   */
  get awaited(): boolean {
    return this.#completed !== null;
  }

  /** Whether the body was refused while read (see {@link StreamingParts.bodyRefused}). */
  get bodyRefused(): boolean {
    return this.#bodyRefused;
  }

  /** The body stream failed: the body was refused. */
  bodyFailed(): void {
    this.#bodyRefused = true;
  }

  /** The body stream has been read to its end. */
  bodyEnded(): void {
    if (this.#bodyEnded) return;
    this.#bodyEnded = true;
    if (this.#watchWanted && this.#state === "open") this.#watchOnce();
  }

  /**
   * Ends the request's streaming, once: by the response written (no error),
   * by a failure or by the connection closing. Later calls do nothing.
   */
  done(error?: unknown): void {
    if (this.#state !== "open") return;
    if (error === undefined) {
      this.#state = "delivered";
      this.#completed?.resolve();
      return;
    }
    this.#state = "failed";
    this.#error = error;
    this.#abort?.abort(error);
    this.#completed?.reject(error);
  }
}
