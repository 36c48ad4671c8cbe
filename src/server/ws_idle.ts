/**
 * A WebSocket's idle watch, as `Deno.upgradeWebSocket`'s `idleTimeout`: after
 * half the timeout without a byte from the peer, a ping; after the other half
 * still without one, the peer is deemed gone.
 *
 * One timer per socket, armed once per half period rather than per frame: a
 * read only stamps the time ({@link IdleWatch.touch}), and the timer, when it
 * fires early, sleeps again for what is left.
 *
 * @module
 */

/** What the watch does when the peer is quiet. */
export interface IdleActions {
  /** Half the timeout passed without input: send a ping. */
  ping(): void;
  /** The whole timeout passed without input, a ping included: close. */
  dead(): void;
}

/** Pings a quiet peer and gives up on a silent one. */
export class IdleWatch {
  readonly #half: number;
  readonly #actions: IdleActions;
  #last = 0;
  #pinged = false;
  #timer: ReturnType<typeof setTimeout> | null = null;

  /** `timeoutMs` 0 disables the watch. */
  constructor(timeoutMs: number, actions: IdleActions) {
    this.#half = timeoutMs / 2;
    this.#actions = actions;
  }

  /** Starts watching from now. */
  start(): void {
    if (this.#half === 0) return;
    this.#last = performance.now();
    this.#arm(this.#half);
  }

  /** The peer sent something: it is alive. */
  touch(): void {
    this.#last = performance.now();
    this.#pinged = false;
  }

  /** Stops watching for good. */
  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#last = -1;
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => this.#fire(), ms);
  }

  #fire(): void {
    this.#timer = null;
    if (this.#last < 0) return;
    const quiet = performance.now() - this.#last;
    if (quiet < this.#half) return this.#arm(this.#half - quiet);
    if (this.#pinged) return this.#actions.dead();
    this.#pinged = true;
    this.#actions.ping();
    if (this.#timer === null && this.#last >= 0) this.#arm(this.#half);
  }
}
