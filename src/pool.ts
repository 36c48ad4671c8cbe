/**
 * A bounded async semaphore: N permits, FIFO waiters, a bounded wait queue.
 *
 * This is the Deno form of the reference design's thread pool. Connections are
 * cheap async tasks, but handler work is what costs CPU and memory, so at most
 * `size` handlers run at once; up to `maxQueue` more wait their turn in arrival
 * order, and beyond that the caller is told to shed load (the server answers 503).
 * A permit is released however the task settles, so a handler that throws cannot leak it,
 * and waiters are woken by the release itself, never by polling a timer.
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

/** Returned by {@link Pool.run} when the wait queue is full. */
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

/** A counting semaphore with a FIFO, bounded wait queue. */
export class Pool {
  /** How many tasks may run at once. */
  readonly size: number;
  /** How many more may wait for a permit. */
  readonly maxQueue: number;
  #active = 0;
  /** Waiters in arrival order; `#head` indexes the oldest so dequeue is O(1). */
  #waiters: Array<() => void> = [];
  #head = 0;

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
  }

  /** Tasks holding a permit now. */
  get active(): number {
    return this.#active;
  }

  /** Tasks waiting for a permit now. */
  get queued(): number {
    return this.#waiters.length - this.#head;
  }

  /** The numbers `/metrics` shows. */
  stats(): PoolStats {
    return {
      total_workers: this.size,
      active_workers: this.#active,
      idle_workers: this.size - this.#active,
      queue_depth: this.queued,
    };
  }

  /**
   * Runs `task` when a permit is free and releases it when the task settles,
   * however it settles. Returns {@link POOL_FULL} at once, without running the
   * task, when every permit is taken and the queue is full.
   */
  run<T>(task: () => T | Promise<T>): Promise<T> | typeof POOL_FULL {
    const permit = this.acquire();
    if (permit === POOL_FULL) return POOL_FULL;
    // A free permit runs the task at once (and a synchronous one gives its permit back at once).
    if (permit === true) return this.#holding(task);
    return permit.then(() => this.#holding(task));
  }

  /** Runs `task` holding a permit, and releases it as soon as the task settles, however it does. */
  #holding<T>(task: () => T | Promise<T>): Promise<T> {
    let result: T | Promise<T>;
    try {
      result = task();
    } catch (error) {
      this.release();
      return Promise.reject(error);
    }
    if (!(result instanceof Promise)) {
      this.release();
      return Promise.resolve(result);
    }
    return result.then(
      (value) => {
        this.release();
        return value;
      },
      (error) => {
        this.release();
        throw error;
      },
    );
  }

  /**
   * Takes a permit: `true` when one is free (no promise: the hot path), a
   * promise that resolves when a finishing task hands its permit over, or
   * {@link POOL_FULL} at once when every permit is taken and the queue is
   * full too. Whoever gets a permit must {@link release} it once, however
   * its task ends.
   */
  acquire(): true | Promise<void> | typeof POOL_FULL {
    if (this.#active < this.size) {
      this.#active++;
      return true;
    }
    if (this.queued >= this.maxQueue) return POOL_FULL;
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** Gives back a permit from {@link acquire}: to the oldest waiter, or to the pool. */
  release(): void {
    if (this.#head < this.#waiters.length) {
      const next = this.#waiters[this.#head]!;
      this.#waiters[this.#head++] = noop; // drop the reference for the GC
      if (this.#head > 1024 && this.#head * 2 > this.#waiters.length) {
        this.#waiters = this.#waiters.slice(this.#head);
        this.#head = 0;
      }
      next(); // the permit passes straight to the waiter: #active is unchanged
      return;
    }
    this.#active--;
  }
}

function noop(): void {}
