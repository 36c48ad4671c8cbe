import assert from "node:assert/strict";
import { type Permit, Pool, POOL_FULL } from "../../src/server/pool.ts";

/**
 * A task the test controls by hand: `started` resolves when the pool runs it,
 * and it finishes only when the test calls `finish()` (or `fail()`).
 * No clocks: every wait in this file is on a promise the test resolves itself.
 */
interface Latched {
  readonly task: () => Promise<string>;
  readonly started: Promise<void>;
  readonly hasStarted: () => boolean;
  readonly finish: () => void;
  readonly fail: (error: Error) => void;
}

function latched(name: string): Latched {
  const started = Promise.withResolvers<void>();
  const gate = Promise.withResolvers<void>();
  let ran = false;
  return {
    task: async () => {
      ran = true;
      started.resolve();
      await gate.promise;
      return name;
    },
    started: started.promise,
    hasStarted: () => ran,
    finish: () => gate.resolve(),
    fail: (error) => gate.reject(error),
  };
}

/** The promise of a run() that the test expects to be accepted, not refused. */
function accepted<T>(result: Promise<T> | typeof POOL_FULL): Promise<T> {
  assert.notEqual(result, POOL_FULL, "expected the pool to accept the task");
  return result as Promise<T>;
}

/**
 * Lets pending promise callbacks run (the pool hands permits over with
 * promise callbacks, not timers), so "it has not started" can be asserted.
 */
async function settleMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await null;
}

Deno.test("Pool.run() resolves to the task's value, sync or async", async () => {
  const pool = new Pool(2, 0);
  assert.equal(await accepted(pool.run(() => 42)), 42);
  assert.equal(await accepted(pool.run(() => Promise.resolve("x"))), "x");
  assert.equal(pool.active, 0);
});

Deno.test("Pool.stats() of an idle pool shows every worker idle and no queue", () => {
  assert.deepEqual(new Pool(4, 8).stats(), {
    total_workers: 4,
    active_workers: 0,
    idle_workers: 4,
    queue_depth: 0,
  });
});

Deno.test("Pool.run() runs N tasks at once and queues the N+1th until one finishes", async () => {
  const N = 3;
  const pool = new Pool(N, 10);
  const tasks = Array.from({ length: N }, (_, i) => latched(`t${i}`));
  const results = tasks.map((t) => accepted(pool.run(t.task)));
  await Promise.all(tasks.map((t) => t.started));
  assert.equal(pool.active, N);
  assert.equal(pool.queued, 0);

  const extra = latched("extra");
  const extraResult = accepted(pool.run(extra.task));
  assert.equal(pool.queued, 1);
  assert.deepEqual(pool.stats(), {
    total_workers: N,
    active_workers: N,
    idle_workers: 0,
    queue_depth: 1,
  });
  await settleMicrotasks();
  assert.equal(extra.hasStarted(), false, "the N+1th task ran before a permit was free");

  tasks[1]!.finish();
  assert.equal(await results[1], "t1");
  await extra.started; // it starts because one finished: nothing else resolves it
  assert.equal(pool.active, N);
  assert.equal(pool.queued, 0);

  for (const t of tasks) t.finish();
  extra.finish();
  assert.deepEqual(await Promise.all([...results, extraResult]), ["t0", "t1", "t2", "extra"]);
  assert.equal(pool.active, 0);
  assert.deepEqual(pool.stats(), {
    total_workers: N,
    active_workers: 0,
    idle_workers: N,
    queue_depth: 0,
  });
});

Deno.test("Pool.run() wakes waiters in FIFO order", async () => {
  const pool = new Pool(1, 10);
  const holder = latched("holder");
  const held = accepted(pool.run(holder.task));
  await holder.started;
  const order: string[] = [];
  const waiters = ["a", "b", "c", "d"].map((name) =>
    accepted(pool.run(() => {
      order.push(name);
      return name;
    }))
  );
  assert.equal(pool.queued, 4);
  holder.finish();
  await held;
  assert.deepEqual(await Promise.all(waiters), ["a", "b", "c", "d"]);
  assert.deepEqual(order, ["a", "b", "c", "d"]);
  assert.equal(pool.active, 0);
});

Deno.test("Pool.run() hands a freed permit to the oldest waiter, not to a newcomer", async () => {
  const pool = new Pool(1, 10);
  const first = latched("first");
  const firstDone = accepted(pool.run(first.task));
  await first.started;
  const waiter = latched("waiter");
  const waiterDone = accepted(pool.run(waiter.task));

  first.finish();
  await firstDone;
  // The permit went straight to the waiter, so a task arriving now must queue.
  assert.equal(pool.active, 1);
  const late = latched("late");
  const lateDone = accepted(pool.run(late.task));
  assert.equal(pool.queued, 1);
  await waiter.started;
  await settleMicrotasks();
  assert.equal(late.hasStarted(), false);

  waiter.finish();
  await late.started;
  late.finish();
  assert.deepEqual(await Promise.all([waiterDone, lateDone]), ["waiter", "late"]);
  assert.equal(pool.active, 0);
});

Deno.test("Pool.run() returns POOL_FULL synchronously without calling the task when the queue is full", async () => {
  const pool = new Pool(1, 2);
  const holder = latched("holder");
  const held = accepted(pool.run(holder.task));
  await holder.started;
  const q1 = accepted(pool.run(() => "q1"));
  const q2 = accepted(pool.run(() => "q2"));
  assert.equal(pool.queued, 2);

  let called = false;
  const refused = pool.run(() => {
    called = true;
    return "refused";
  });
  assert.equal(refused, POOL_FULL); // the symbol itself, not a promise of it
  assert.equal(called, false);
  assert.equal(pool.queued, 2);
  assert.equal(pool.active, 1);

  holder.finish();
  assert.deepEqual(await Promise.all([held, q1, q2]), ["holder", "q1", "q2"]);
  await settleMicrotasks();
  assert.equal(called, false, "a refused task must never run later");
  assert.equal(pool.active, 0);
});

Deno.test("Pool with maxQueue 0 refuses as soon as every permit is taken", async () => {
  const pool = new Pool(2, 0);
  const a = latched("a");
  const b = latched("b");
  const ra = accepted(pool.run(a.task));
  const rb = accepted(pool.run(b.task));
  await Promise.all([a.started, b.started]);
  let called = false;
  assert.equal(pool.run(() => (called = true)), POOL_FULL);
  assert.equal(called, false);
  assert.equal(pool.queued, 0);

  a.finish();
  await ra;
  // A free permit again: the next task runs at once.
  assert.equal(await accepted(pool.run(() => "again")), "again");
  b.finish();
  await rb;
  assert.equal(pool.active, 0);
});

Deno.test("Pool.run() gives a synchronous task's permit back before it returns", async () => {
  const pool = new Pool(1, 0);
  const first = accepted(pool.run(() => 1));
  assert.equal(pool.active, 0);
  // With one permit and no queue, a permit still held would refuse this one.
  const second = accepted(pool.run(() => 2));
  assert.deepEqual(await Promise.all([first, second]), [1, 2]);
});

Deno.test("Pool.acquire() gives a free permit at once, a promise when all are taken, POOL_FULL past the queue", async () => {
  const pool = new Pool(1, 1);
  const first = pool.acquire();
  assert.ok(first !== POOL_FULL && !(first instanceof Promise));
  const waiting = pool.acquire();
  assert.ok(waiting instanceof Promise);
  assert.equal(pool.queued, 1);
  assert.equal(pool.acquire(), POOL_FULL);
  let handed = false;
  waiting.then(() => (handed = true));
  await settleMicrotasks();
  assert.equal(handed, false, "no permit is free yet");
  first.release(); // the first permit goes straight to the waiter
  const second = await waiting;
  assert.equal(pool.active, 1);
  assert.equal(pool.queued, 0);
  second.release();
  assert.equal(pool.active, 0);
});

// Regression: Pool.release() took no token, so a second release of one
// permit freed a permit another task held, and more tasks ran than permits.
Deno.test("Permit.release() twice gives back one permit, never someone else's", () => {
  const pool = new Pool(2, 0);
  const a = pool.acquire();
  const b = pool.acquire();
  assert.ok(a !== POOL_FULL && !(a instanceof Promise));
  assert.ok(b !== POOL_FULL && !(b instanceof Promise));
  a.release();
  a.release();
  assert.equal(pool.active, 1, "b still holds its permit");
  assert.equal(a.held, false);
  assert.equal(b.held, true);
  const c = pool.acquire();
  assert.ok(c !== POOL_FULL && !(c instanceof Promise));
  assert.equal(pool.acquire(), POOL_FULL, "two permits in all: b and c hold them");
  b.release();
  c.release();
  assert.equal(pool.active, 0);
});

Deno.test("Permit.pause() lends the permit to the next waiter; resume() takes it back at once, overrunning the pool", async () => {
  const pool = new Pool(1, 5);
  const first = pool.acquire();
  assert.ok(first !== POOL_FULL && !(first instanceof Promise));
  const second = pool.acquire();
  assert.ok(second instanceof Promise);
  first.pause(); // first waits on its client: second may run
  const secondPermit = await second;
  assert.equal(pool.active, 1);
  assert.equal(first.held, false);
  first.resume(); // its client's bytes came: it runs again, never queued
  assert.equal(first.held, true);
  assert.equal(pool.active, 2, "one over the pool's size while both run");
  assert.deepEqual(pool.stats(), {
    total_workers: 1,
    active_workers: 2,
    idle_workers: 0,
    queue_depth: 0,
  });
  const third = pool.acquire(); // a newcomer waits until the pool is back within its size
  assert.ok(third instanceof Promise);
  let thirdRan = false;
  third.then(() => (thirdRan = true));
  secondPermit.release(); // ends the overrun
  await settleMicrotasks();
  assert.equal(thirdRan, false, "a permit given back during an overrun only ends the overrun");
  assert.equal(pool.active, 1);
  first.release(); // now a permit is free: it goes to the newcomer
  (await third).release();
  assert.equal(pool.active, 0);
  assert.equal(pool.queued, 0);
});

Deno.test("Permit.pause() and resume() do nothing unless the permit is held, or lent", () => {
  const pool = new Pool(1, 0);
  const p = pool.acquire();
  assert.ok(p !== POOL_FULL && !(p instanceof Promise));
  p.resume(); // held: nothing to take back
  assert.equal(pool.active, 1);
  p.pause();
  assert.equal(pool.active, 0);
  p.pause(); // lent already
  assert.equal(pool.active, 0);
  p.resume();
  assert.equal(pool.active, 1);
  p.release();
  p.pause(); // released: nothing to lend
  p.resume();
  assert.equal(pool.active, 0);
});

Deno.test("a permit released while lent gives back nothing more", () => {
  const pool = new Pool(1, 1);
  const a = pool.acquire();
  assert.ok(a !== POOL_FULL && !(a instanceof Promise));
  a.pause();
  const b = pool.acquire();
  assert.ok(b !== POOL_FULL && !(b instanceof Promise));
  a.release(); // its task ended while it waited on its client
  assert.equal(pool.active, 1, "b still holds its permit");
  assert.equal(pool.acquire() instanceof Promise, true, "so a newcomer waits");
  b.release();
});

// Regression (review): a resumed request waited for a permit like a new one,
// so a handler waiting on another request's upload could hold every permit
// while the upload waited for one: neither could move.
Deno.test("a request that lent its permit resumes although handlers waiting on it hold every permit", () => {
  const pool = new Pool(2, 5);
  const upload = pool.acquire();
  assert.ok(upload !== POOL_FULL && !(upload instanceof Promise));
  upload.pause(); // waits on its client
  // Two handlers that wait for the upload to finish take both permits.
  const held: Permit[] = [];
  for (let i = 0; i < 2; i++) {
    const p = pool.acquire();
    assert.ok(p !== POOL_FULL && !(p instanceof Promise));
    held.push(p);
  }
  upload.resume(); // the upload's bytes came: it runs, and can finish
  assert.equal(upload.held, true);
  upload.release();
  for (const p of held) p.release();
  assert.equal(pool.active, 0);
});

Deno.test("Pool.run() holds the permit until a non-native thenable settles", async () => {
  const pool = new Pool(1, 0);
  let settle: (v: string) => void = () => {};
  // Not a Promise: a library's own promise-like, as a handler may return.
  const thenable = {
    then(resolve: (v: string) => void) {
      settle = resolve;
    },
  } as unknown as PromiseLike<string>;
  const result = accepted(pool.run(() => thenable));
  await settleMicrotasks();
  assert.equal(pool.active, 1, "the task has not settled yet");
  settle("done");
  assert.equal(await result, "done");
  assert.equal(pool.active, 0);
});

Deno.test("Pool.run() releases the permit when a task throws synchronously", async () => {
  const pool = new Pool(1, 0);
  const result = pool.run(() => {
    throw new Error("sync boom");
  });
  assert.notEqual(result, POOL_FULL);
  await assert.rejects(result as Promise<never>, { message: "sync boom" });
  assert.equal(pool.active, 0);
  // The permit is really back: with maxQueue 0, a leak would mean POOL_FULL here.
  assert.equal(await accepted(pool.run(() => "ok")), "ok");
});

Deno.test("Pool.run() releases the permit when a task rejects asynchronously", async () => {
  const pool = new Pool(1, 0);
  const t = latched("t");
  const result = accepted(pool.run(t.task));
  await t.started;
  assert.equal(pool.active, 1);
  t.fail(new Error("async boom"));
  await assert.rejects(result, { message: "async boom" });
  assert.equal(pool.active, 0);
  assert.equal(await accepted(pool.run(() => "ok")), "ok");
});

Deno.test("Pool.run() passes the permit on when a queued task throws", async () => {
  const pool = new Pool(1, 5);
  const holder = latched("holder");
  const held = accepted(pool.run(holder.task));
  await holder.started;
  const throwsSync = accepted(pool.run(() => {
    throw new Error("queued sync");
  }));
  const rejects = accepted(pool.run(() => Promise.reject(new Error("queued async"))));
  const after = accepted(pool.run(() => "after"));
  assert.equal(pool.queued, 3);

  holder.finish();
  await held;
  await assert.rejects(throwsSync, { message: "queued sync" });
  await assert.rejects(rejects, { message: "queued async" });
  assert.equal(await after, "after");
  assert.equal(pool.active, 0);
  assert.equal(pool.queued, 0);
});

Deno.test("Pool constructor rejects a size that is zero, negative or not an integer", () => {
  for (const size of [0, -1, 1.5, NaN, Infinity]) {
    assert.throws(() => new Pool(size, 0), RangeError, `size ${size}`);
  }
  for (const maxQueue of [-1, 0.5, NaN]) {
    assert.throws(() => new Pool(1, maxQueue), RangeError, `maxQueue ${maxQueue}`);
  }
  const pool = new Pool(1, 0);
  assert.equal(pool.size, 1);
  assert.equal(pool.maxQueue, 0);
});

Deno.test("Pool runs 5000 queued tasks through one permit in order and ends idle", async () => {
  const pool = new Pool(1, 5000);
  const order: number[] = [];
  let running = 0;
  let maxRunning = 0;
  const results: Promise<number>[] = [];
  for (let i = 0; i < 5000; i++) {
    results.push(accepted(pool.run(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      order.push(i);
      await null;
      running--;
      return i;
    })));
  }
  assert.equal(pool.queued, 4999);
  const values = await Promise.all(results);
  assert.deepEqual(order, Array.from({ length: 5000 }, (_, i) => i));
  assert.deepEqual(values, order);
  assert.equal(maxRunning, 1);
  assert.equal(pool.active, 0);
  assert.equal(pool.queued, 0);
});

Deno.test("Pool keeps FIFO order while tasks arrive as the queue drains (across its compaction)", async () => {
  // More than 1024 waiters are drained while new ones are appended, which is
  // when the pool compacts its waiter array.
  const pool = new Pool(1, 10_000);
  const holder = latched("holder");
  const held = accepted(pool.run(holder.task));
  await holder.started;
  const FIRST = 2000;
  const order: number[] = [];
  const all: Promise<number>[] = [];
  const enqueue = (i: number): void => {
    all.push(accepted(pool.run(() => {
      order.push(i);
      if (i < FIRST) enqueue(i + FIRST); // arrives while FIRST - i - 1 tasks still wait
      return i;
    })));
  };
  for (let i = 0; i < FIRST; i++) enqueue(i);
  assert.equal(pool.queued, FIRST);
  holder.finish();
  await held;
  // Tasks append to `all` while it drains; wait until it stops growing.
  for (let seen = 0; seen < all.length;) {
    seen = all.length;
    await Promise.all(all);
  }
  assert.deepEqual(order, Array.from({ length: 2 * FIRST }, (_, i) => i));
  assert.equal(pool.active, 0);
  assert.equal(pool.queued, 0);
});
