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
 * run meanwhile: it {@link Permit.pause | lends} its permit to the pool,
 * which gives it to the next request, and {@link Permit.resume | takes it
 * back} when the bytes arrive, at once, without queueing again. So a client
 * that trickles its body holds a connection, never a worker, and a request
 * once admitted is never stopped for lack of a permit (a handler that waits
 * on another request's upload cannot starve it).
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

/** Where a permit is: held, lent to the pool while its holder waits on a client, or given back. */
const HELD = 0;
const LENT = 1;
const RELEASED = 2;

/** The counters and the queue a pool and its permits share. */
class Permits {
  /** Permits held, lent ones not counted; above `size` while resumed holders overrun it. */
  active = 0;
  /** New requests waiting, oldest at `head` (dequeue is O(1)). */
  waiters: Array<() => void> = [];
  head = 0;

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

  /**
   * Gives a permit back: to the oldest waiter, else to the pool. While resumed
   * holders overrun the pool, a permit given back only ends the overrun.
   */
  give(): void {
    if (this.active <= this.size && this.head < this.waiters.length) {
      const next = this.waiters[this.head]!;
      this.waiters[this.head++] = noop; // drop the reference for the GC
      if (this.head > 1024 && this.head * 2 > this.waiters.length) {
        this.waiters = this.waiters.slice(this.head);
        this.head = 0;
      }
      next(); // the permit passes straight to the waiter: `active` is unchanged
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
  /** Whether the permit is held now (not lent, not released). */
  readonly held: boolean;
  /** Gives the permit back for good. Idempotent. */
  release(): void;
  /**
   * Lends the permit to the pool while the holder waits on its client, so the
   * next request may run. Does nothing unless the permit is held.
   */
  pause(): void;
  /**
   * Takes the permit back after {@link Permit.pause}, at once: the request
   * was admitted already, so it never queues again. If the pool lent its
   * permit on meanwhile, it runs over its size until someone gives one back
   * (a resumed holder runs briefly: it hands its client's bytes on, then
   * waits on the client again). Does nothing unless the permit is lent.
   */
  resume(): void;
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
    if (this.#state === HELD) this.#permits.give();
    this.#state = RELEASED;
  }

  pause(): void {
    if (this.#state !== HELD) return;
    this.#state = LENT;
    this.#permits.give();
  }

  resume(): void {
    if (this.#state !== LENT) return;
    this.#state = HELD;
    this.#permits.active++;
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

  /** Tasks holding a permit now (above `size` while resumed holders overrun it). */
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
      idle_workers: Math.max(0, this.size - active),
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
