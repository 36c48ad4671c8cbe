/**
 * A bounded async semaphore: N permits, FIFO waiters, a bounded wait queue.
 *
 * This is the Deno form of the reference design's thread pool. Connections are
 * cheap async tasks, but handler work is what costs CPU and memory, so at most
 * `size` handlers run at once; up to `maxQueue` more wait their turn in arrival
 * order, and beyond that the caller is told to shed load (the server answers 503).
 *
 * A permit is a token ({@link Permit}): it is given back once, however its
 * task ends, and giving it back twice does nothing, so no path can free a
 * permit that someone else holds. Waiters are woken by the release itself,
 * never by polling a timer.
 *
 * A handler that waits on its client (a request body arriving slowly) does not
 * run meanwhile: it {@link Permit.pause | pauses} its permit, which goes to
 * the next request, and {@link Permit.resume | resumes} when the bytes arrive,
 * ahead of requests that have not started. So a client that trickles its body
 * holds a connection, never a worker.
 *
 * @example
 * ```ts
 * import { Pool } from "./pool.ts";
 * const pool = new Pool(2, 10);
 * const result = await pool.run(async () => 42); // 42
 * ```
 *
 * @module
 */

import { isThenable } from "./thenable.ts";

/** Returned by {@link Pool.run} and {@link Pool.acquire} when the wait queue is full. */
export const POOL_FULL: unique symbol = Symbol("pool full");

/** A live view of the pool, as `/metrics` reports it. */
export interface PoolStats {
  /** Permits in all (NUM_WORKERS). */
  readonly total_workers: number;
  /** Permits held by running handlers. */
  readonly active_workers: number;
  /** Permits free. */
  readonly idle_workers: number;
  /** Requests waiting for a permit. */
  readonly queue_depth: number;
}

/** Where a permit is: held, lent out while its holder waits on a client, waiting to resume, or given back. */
const HELD = 0;
const PAUSED = 1;
const RESUMING = 2;
const RELEASED = 3;

/** The counters and queues a pool and its permits share. */
class Permits {
  active = 0;
  /** New requests waiting, oldest at `head` (dequeue is O(1)). */
  waiters: Array<() => void> = [];
  head = 0;
  /** Paused permits waiting to resume: served before new requests, in order. */
  resumers: Array<() => void> = [];
  resumersHead = 0;

  constructor(readonly size: number) {}

  get queued(): number {
    return this.waiters.length - this.head;
  }

  /** Takes a free permit if there is one. */
  take(): boolean {
    if (this.active >= this.size) return false;
    this.active++;
    return true;
  }

  /** Gives a permit back: to a resuming holder first, then to the oldest waiter, else to the pool. */
  give(): void {
    if (this.resumersHead < this.resumers.length) {
      const next = this.resumers[this.resumersHead]!;
      this.resumers[this.resumersHead++] = noop;
      if (this.resumersHead === this.resumers.length) this.resumers.length = this.resumersHead = 0;
      next(); // the permit passes straight on: `active` is unchanged
      return;
    }
    if (this.head < this.waiters.length) {
      const next = this.waiters[this.head]!;
      this.waiters[this.head++] = noop; // drop the reference for the GC
      if (this.head > 1024 && this.head * 2 > this.waiters.length) {
        this.waiters = this.waiters.slice(this.head);
        this.head = 0;
      }
      next();
      return;
    }
    this.active--;
  }
}

/**
 * One permit of a {@link Pool}, from {@link Pool.acquire}. Its holder must
 * {@link Permit.release | release} it once its task ends; a second release
 * does nothing.
 */
export interface Permit {
  /** Whether the permit is held now (not paused, not released). */
  readonly held: boolean;
  /** Gives the permit back for good. Idempotent. */
  release(): void;
  /**
   * Lends the permit to the pool while the holder waits on its client, so the
   * next request may run. Does nothing unless the permit is held.
   */
  pause(): void;
  /**
   * Takes a permit again after {@link Permit.pause}: `true` at once when one
   * is free (or the permit was not paused), else a promise that resolves when
   * a permit is handed over. Never refused: the request was admitted already,
   * and it goes ahead of requests that have not started.
   */
  resume(): true | Promise<void>;
}

class PoolPermit implements Permit {
  readonly #permits: Permits;
  #state = HELD;

  constructor(permits: Permits) {
    this.#permits = permits;
  }

  get held(): boolean {
    return this.#state === HELD;
  }

  release(): void {
    const state = this.#state;
    this.#state = RELEASED;
    // A resumer still queued gives back the permit it is handed (see resume()).
    if (state === HELD) this.#permits.give();
  }

  pause(): void {
    if (this.#state !== HELD) return;
    this.#state = PAUSED;
    this.#permits.give();
  }

  resume(): true | Promise<void> {
    if (this.#state !== PAUSED) return true;
    const permits = this.#permits;
    if (permits.take()) {
      this.#state = HELD;
      return true;
    }
    this.#state = RESUMING;
    return new Promise<void>((resolve) => {
      permits.resumers.push(() => {
        // Released while it waited (its task ended): pass the permit on at once.
        if (this.#state === RELEASED) permits.give();
        else this.#state = HELD;
        resolve();
      });
    });
  }
}

/** A counting semaphore with a FIFO, bounded wait queue. */
export class Pool {
  /** How many tasks may run at once. */
  readonly size: number;
  /** How many more may wait for a permit. */
  readonly maxQueue: number;
  readonly #permits: Permits;

  /**
   * A pool with every permit free.
   *
   * @param size how many tasks may run at once (at least 1)
   * @param maxQueue how many more may wait for a permit (0 means none wait)
   */
  constructor(size: number, maxQueue: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError("pool size must be >= 1");
    if (!Number.isInteger(maxQueue) || maxQueue < 0) {
      throw new RangeError("pool maxQueue must be >= 0");
    }
    this.size = size;
    this.maxQueue = maxQueue;
    this.#permits = new Permits(size);
  }

  /** Tasks holding a permit now. */
  get active(): number {
    return this.#permits.active;
  }

  /** Tasks waiting for a permit now (requests not yet started). */
  get queued(): number {
    return this.#permits.queued;
  }

  /** The numbers `/metrics` shows. */
  stats(): PoolStats {
    const active = this.#permits.active;
    return {
      total_workers: this.size,
      active_workers: active,
      idle_workers: this.size - active,
      queue_depth: this.queued,
    };
  }

  /**
   * Runs `task` when a permit is free and releases it when the task settles,
   * however it settles. Returns {@link POOL_FULL} at once, without running the
   * task, when every permit is taken and the queue is full.
   */
  run<T>(task: () => T | PromiseLike<T>): Promise<T> | typeof POOL_FULL {
    const permit = this.acquire();
    if (permit === POOL_FULL) return POOL_FULL;
    // A free permit runs the task at once (and a synchronous one gives its permit back at once).
    if (!(permit instanceof Promise)) return holding(permit, task);
    return permit.then((p) => holding(p, task));
  }

  /**
   * Takes a permit: a {@link Permit} at once when one is free (no promise:
   * the hot path), a promise of one that resolves when a finishing task
   * hands its permit over, or {@link POOL_FULL} at once when every permit is
   * taken and the queue is full too. Whoever gets a permit must release it,
   * however its task ends.
   */
  acquire(): Permit | Promise<Permit> | typeof POOL_FULL {
    const permits = this.#permits;
    if (permits.take()) return new PoolPermit(permits);
    if (permits.queued >= this.maxQueue) return POOL_FULL;
    return new Promise<Permit>((resolve) => {
      permits.waiters.push(() => resolve(new PoolPermit(permits)));
    });
  }
}

/** Runs `task` holding `permit`, and releases it as soon as the task settles, however it does. */
function holding<T>(permit: Permit, task: () => T | PromiseLike<T>): Promise<T> {
  let result: T | PromiseLike<T>;
  try {
    result = task();
  } catch (error) {
    permit.release();
    return Promise.reject(error);
  }
  if (!isThenable(result)) {
    permit.release();
    return Promise.resolve(result);
  }
  return Promise.resolve(result).then(
    (value) => {
      permit.release();
      return value;
    },
    (error) => {
      permit.release();
      throw error;
    },
  );
}

function noop(): void {}
