/**
 * Process figures for `/metrics`: resident memory, heap, open file
 * descriptors (read when `/metrics` is read) and the event loop's delay (a
 * timer every 100 ms that measures how late it runs; unref'd, so it never
 * keeps the process alive).
 *
 * @module
 */

/** The process figures `/metrics` reports. */
export interface ProcessStats {
  /** Resident set size, bytes (`Deno.memoryUsage().rss`). */
  readonly resident_memory_bytes: number;
  /** V8 heap in use, bytes. */
  readonly heap_used_bytes: number;
  /** V8 heap reserved, bytes. */
  readonly heap_total_bytes: number;
  /** How late the event loop ran its 100 ms timer, in seconds: the last 5 s window's mean. */
  readonly event_loop_delay_seconds: number;
  /** The same window's worst, in seconds. */
  readonly event_loop_delay_max_seconds: number;
  /**
   * Open file descriptors (`/proc/self/fd`), or null where that cannot be
   * read: not Linux, or without `--allow-all` (Deno guards /proc/self/fd;
   * the program runs without it, so it reports null).
   */
  readonly open_fds: number | null;
}

const TICK_MS = 100;
const WINDOW_TICKS = 50;

/** Measures the event loop's lateness, in windows of 5 s. */
class LoopDelay {
  #started = false;
  #expected = 0;
  #sum = 0;
  #max = 0;
  #ticks = 0;
  mean = 0;
  max = 0;

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#expected = performance.now() + TICK_MS;
    Deno.unrefTimer(setInterval(() => this.#tick(), TICK_MS));
  }

  #tick(): void {
    const now = performance.now();
    const late = Math.max(0, now - this.#expected);
    this.#expected = now + TICK_MS;
    this.#sum += late;
    if (late > this.#max) this.#max = late;
    // The first window is published at once, so the figure is not 0 for 5 s.
    if (++this.#ticks >= WINDOW_TICKS || this.mean === 0 && this.max === 0) {
      this.mean = this.#sum / this.#ticks / 1000;
      this.max = this.#max / 1000;
      if (this.#ticks >= WINDOW_TICKS) this.#sum = this.#max = this.#ticks = 0;
    }
  }
}

const loopDelay = new LoopDelay();

/** Starts the event-loop delay sampler (once per thread; later calls do nothing). */
export function startLoopDelaySampler(): void {
  loopDelay.start();
}

/** Counts `/proc/self/fd`, or null where it cannot be read (not Linux, no permission). */
function openFds(): number | null {
  try {
    let n = 0;
    for (const _ of Deno.readDirSync("/proc/self/fd")) n++;
    return n - 1; // the descriptor reading the folder
  } catch {
    return null;
  }
}

/** The process figures now. */
export function processStats(): ProcessStats {
  const memory = Deno.memoryUsage();
  return {
    resident_memory_bytes: memory.rss,
    heap_used_bytes: memory.heapUsed,
    heap_total_bytes: memory.heapTotal,
    event_loop_delay_seconds: loopDelay.mean,
    event_loop_delay_max_seconds: loopDelay.max,
    open_fds: openFds(),
  };
}
