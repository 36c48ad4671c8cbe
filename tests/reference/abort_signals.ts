/**
 * The plain reference paths for the abort signals made on first use:
 *
 * - {@link EagerClosingSignal} for `Streams.closingSignal()` in
 *   src/server/streams.ts (the connection's closing signal, whose
 *   `AbortController` is made only when a stream asks, already aborted if
 *   the socket has closed): a controller made with the connection, aborted
 *   when the socket closes;
 * - {@link EagerStreamingSignal} for `Streaming.signal` in
 *   src/server/streaming.ts (a streaming request's signal, made only when
 *   the handler asks, already aborted if the request failed): a controller
 *   made with the request, aborted when it fails.
 *
 * Compared against in tests/server/streams_reference_test.ts, timed against
 * in bench/abort_signal_bench.ts.
 *
 * @module
 */

/** A connection's closing signal, made at once. */
export class EagerClosingSignal {
  readonly #controller = new AbortController();

  /** The socket closed: the signal aborts (once). */
  closed(): void {
    this.#controller.abort(new DOMException("connection closed", "AbortError"));
  }

  /** The signal that aborts when the socket closes. */
  closingSignal(): AbortSignal {
    return this.#controller.signal;
  }
}

/** A streaming request's signal, made at once. */
export class EagerStreamingSignal {
  readonly #controller = new AbortController();
  #open = true;

  /** Aborts, with the request's error, when the request fails before it is done. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Ends the request, once: delivered (no error), or failed with `error`. */
  done(error?: unknown): void {
    if (!this.#open) return;
    this.#open = false;
    if (error !== undefined) this.#controller.abort(error);
  }
}
