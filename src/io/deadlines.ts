/**
 * Deadlines for socket reads and writes, from one timer for the whole process.
 *
 * Every read and write of every connection has a deadline (CLIENT_TIMEOUT,
 * IDLE_TIMEOUT, BODY_TIMEOUT, WRITE_TIMEOUT). A timer per operation cost about
 * a tenth of the server's CPU under load (the profile showed it), so deadlines
 * live in a timing wheel instead: slots of {@link RESOLUTION_MS}, one timer
 * that ticks only while some deadline is pending, and O(1) to arm and disarm.
 * A deadline fires never early and, while the event loop is not blocked,
 * less than two slots late: it waits for the first slot boundary at or
 * after it, and the tick that finds that boundary passed comes up to a slot
 * after it (the timer ticks at its own phase, not on boundaries). Fine for
 * timeouts measured in seconds. A {@link Watchdog} given a timeout rather
 * than a deadline ({@link Watchdog.setAfter}) has its deadline fixed at the
 * next tick, from that tick's clock reading: up to a tick later still (under
 * three slots in all), and no clock read per operation.
 * tests/io/deadlines_reference_test.ts checks both bounds against a plain
 * list of deadlines on a test clock.
 *
 * @module
 */

/** The wheel's granularity, in ms: a deadline fires less than two of these late (see above). */
export const RESOLUTION_MS = 25;

/**
 * A deadline armed in the wheel. A class, not an object literal: V8
 * pretenures a literal whose objects mostly survive (a kept-alive
 * connection's entry lives for seconds), and then allocates every later one,
 * and its callback, in the old generation, where a dead entry still holds its
 * connection through the next scavenges (see the README's Performance).
 */
class Entry {
  constructor(readonly slot: number, readonly fire: () => void) {}
}

const slots = new Map<number, Set<Entry>>();
/** A disposed watchdog's callback (see {@link Watchdog.dispose}). */
const NOTHING = (): void => {};
let pending = 0;
/** Watchdogs whose timeout waits for the next tick to become a deadline. */
let awaitingTick = 0;
/** Ticks that fixed deadlines so far: a watchdog is listed for the next tick once per tick. */
let ticks = 0;
let timer: ReturnType<typeof setTimeout> | null = null;
/** Tick timers scheduled and not yet run or cleared: never more than one. */
let liveTimers = 0;
/** The last slot whose entries have fired. */
let done = 0;

/** The slot a deadline waits in: the first slot boundary at or after it. */
function slotOf(deadline: number): number {
  return Math.ceil(deadline / RESOLUTION_MS);
}

/** The last slot whose boundary has passed at `time`: every deadline in it is due. */
function dueSlot(time: number): number {
  return Math.floor(time / RESOLUTION_MS);
}

function tick(): void {
  timer = null;
  liveTimers--;
  const time = performance.now();
  Watchdog.fixDeadlines(time);
  const now = dueSlot(time);
  for (let slot = done + 1; slot <= now; slot++) {
    const due = slots.get(slot);
    if (due === undefined) continue;
    slots.delete(slot);
    pending -= due.size;
    for (const entry of due) entry.fire();
  }
  done = now;
  // A callback above may have armed a deadline and so started the timer
  // already: schedule only if none is running (a second one would never stop).
  if ((pending > 0 || awaitingTick > 0) && timer === null) startTimer();
}

/**
 * Starts the tick timer. It keeps the process alive while a deadline is
 * armed (so an `unref()`'d server's process exits once its connections'
 * pending timeouts are over, not at once: the wheel is shared by all servers).
 */
function startTimer(): void {
  timer = setTimeout(tick, RESOLUTION_MS);
  liveTimers++;
}

function arm(deadline: number, fire: () => void): Entry {
  if (pending === 0 && timer === null) done = dueSlot(performance.now());
  const entry = new Entry(Math.max(slotOf(deadline), done + 1), fire);
  let set = slots.get(entry.slot);
  if (set === undefined) slots.set(entry.slot, set = new Set());
  set.add(entry);
  pending++;
  if (timer === null) startTimer();
  return entry;
}

function disarm(entry: Entry): void {
  const set = slots.get(entry.slot);
  if (set === undefined || !set.delete(entry)) return; // already fired
  pending--;
  if (set.size === 0) slots.delete(entry.slot);
  stopIfIdle();
}

/** Stops the tick timer once nothing waits for it: lets the process exit. */
function stopIfIdle(): void {
  if (pending === 0 && awaitingTick === 0 && timer !== null) {
    clearTimeout(timer);
    timer = null;
    liveTimers--;
    // Every watchdog still listed was cleared or disposed since: let them go
    // now, not at the next tick. Under new-connection load the wheel goes
    // idle and restarts whenever no connection is open, over a hundred
    // times a second, so a tick could be seconds away, and the list held
    // every connection closed meanwhile (tens of thousands) long enough to
    // be promoted: the old generation grew by hundreds of MiB of garbage.
    Watchdog.forgetListed();
  }
}

/**
 * Settles with `promise`'s value, or with "timeout" once `deadline` (a
 * `performance.now()` reading, monotonic, so a clock step cannot stretch it)
 * has passed. An abandoned promise's rejection is swallowed.
 *
 * @example
 * ```ts
 * import { beforeDeadline } from "./deadlines.ts";
 * await beforeDeadline(new Promise(() => {}), performance.now() + 50); // "timeout"
 * ```
 */
export function beforeDeadline<T>(promise: Promise<T>, deadline: number): Promise<T | "timeout"> {
  if (deadline === Infinity) return promise;
  // A deadline already past is armed like any other and fires at the next
  // tick: one clock read fewer on every read, at most one slot of delay.
  return new Promise<T | "timeout">((resolve, reject) => {
    let settled = false;
    const entry = arm(deadline, () => {
      if (settled) return;
      settled = true;
      promise.catch(() => {});
      resolve("timeout");
    });
    promise.then(
      (value) => {
        if (settled) return;
        settled = true;
        disarm(entry);
        resolve(value);
      },
      (error) => {
        if (settled) return;
        settled = true;
        disarm(entry);
        reject(error);
      },
    );
  });
}

/** How many deadlines are armed or wait for a tick to be (for tests: none may be left behind). */
export function armedDeadlines(): number {
  return pending + awaitingTick;
}

/** How many tick timers are scheduled (for tests: at most one, and none when nothing is armed). */
export function liveTickTimers(): number {
  return liveTimers;
}

/**
 * A deadline that moves often but rarely fires: one per socket direction.
 *
 * Setting it is a field write; the wheel entry is armed once and, when it
 * fires before the (moved) deadline, armed again for the new one. So a
 * connection doing thousands of reads or writes a second costs the wheel a
 * few operations a second, not a few per operation.
 */
export class Watchdog {
  /**
   * The watchdogs given a timeout since the last tick ({@link setAfter}),
   * each listed once per tick; the next tick fixes their deadlines.
   */
  static #listed: Watchdog[] = [];

  /** Empties the list when no listed watchdog waits any more (the wheel stops). */
  static forgetListed(): void {
    if (Watchdog.#listed.length === 0) return;
    Watchdog.#listed = [];
    ticks++; // those listed for this tick must be listed again by their next setAfter()
  }

  /** Called by the tick first, with its clock reading: fixes the listed watchdogs' deadlines. */
  static fixDeadlines(time: number): void {
    const listed = Watchdog.#listed;
    if (listed.length === 0) return;
    Watchdog.#listed = [];
    ticks++;
    for (const dog of listed) {
      const after = dog.#after;
      if (after < 0) continue; // set, cleared or disposed since
      dog.#after = -1;
      awaitingTick--;
      dog.set(time + after);
    }
  }

  #deadline = Infinity;
  #disposed = false;
  #entry: Entry | null = null;
  /** A timeout (ms) from {@link setAfter} that the next tick turns into a deadline, or -1. */
  #after = -1;
  /** The tick count when this watchdog was last listed for a tick, or -1. */
  #listedAt = -1;
  /** The wheel's callback, made once (not per arming). */
  readonly #onSlot = (): void => this.#fire();
  /** The owner's callback; dropped at dispose (see there). */
  #onExpire: () => void;

  /** `onExpire` runs once the deadline set last passes while still set. */
  constructor(onExpire: () => void) {
    this.#onExpire = onExpire;
  }

  /** Sets the deadline (a `performance.now()` reading); does nothing once disposed. */
  set(deadline: number): void {
    if (this.#disposed) return; // a write or read after close must not arm the wheel again
    this.#forgetTimeout();
    this.#deadline = deadline;
    if (!this.#entryServes(deadline)) {
      if (this.#entry !== null) disarm(this.#entry);
      this.#entry = arm(deadline, this.#onSlot);
    }
  }

  /**
   * Whether the entry armed already can serve `deadline`: it fires no later
   * than the deadline's own slot would, and {@link #fire} arms again for
   * what is left, so a deadline moved later costs a field write, not a disarm.
   */
  #entryServes(deadline: number): boolean {
    return this.#entry !== null && deadline >= this.#entry.slot * RESOLUTION_MS - RESOLUTION_MS;
  }

  /**
   * Sets the deadline to `timeoutMs` from now without reading the clock:
   * the next tick fixes it from its own reading, which is later than now,
   * so it is never early, and late by at most the time to that tick (one
   * slot while the event loop is not blocked). On a kept-alive connection's
   * path this saves a clock read per request (about 6% of its JavaScript, in
   * a profile). Does nothing once disposed.
   */
  setAfter(timeoutMs: number): void {
    if (this.#disposed) return;
    if (this.#after < 0) awaitingTick++;
    this.#after = timeoutMs;
    this.#deadline = Infinity; // an entry armed for an earlier deadline finds nothing to do
    if (this.#listedAt !== ticks) {
      this.#listedAt = ticks;
      Watchdog.#listed.push(this);
    }
    if (timer === null) {
      // The wheel was idle: its last tick is long past.
      if (pending === 0) done = dueSlot(performance.now());
      startTimer();
    }
  }

  /** Unsets the deadline; the armed entry, when it fires, finds nothing to do. */
  clear(): void {
    this.#forgetTimeout();
    this.#deadline = Infinity;
  }

  /** Unsets the deadline and disarms the entry (at close: no timer may outlive a socket). */
  dispose(): void {
    this.#disposed = true;
    this.#deadline = Infinity;
    // A disposed watchdog may stay listed until the next tick: it must not
    // keep its owner (a closed connection's reader or output) alive meanwhile.
    this.#onExpire = NOTHING;
    if (this.#entry !== null) disarm(this.#entry);
    this.#entry = null;
    this.#forgetTimeout();
    stopIfIdle(); // a timer started by setAfter() may be running for nothing now
  }

  /** Drops a timeout still waiting for a tick, if any. */
  #forgetTimeout(): void {
    if (this.#after < 0) return;
    this.#after = -1;
    awaitingTick--;
  }

  #fire(): void {
    this.#entry = null;
    if (this.#deadline === Infinity) return;
    if (performance.now() >= this.#deadline) {
      this.#deadline = Infinity;
      this.#onExpire();
    } else {
      this.#entry = arm(this.#deadline, this.#onSlot);
    }
  }
}
