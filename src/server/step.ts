/**
 * A step of serving a request that may have to wait: its value now, or a
 * promise of it later.
 *
 * Most steps of a request run at once: the next head is in the buffer, the
 * handler is synchronous, a fixed-size response is queued. Written as one
 * async function, each step would still cost an `await`: a microtask hop,
 * and an async frame for the function (about 700 B per request). Returned as
 * a value when they ran at once, they cost neither: a request answered by
 * such steps measured 2.42 → 2.10 µs, and 3.8 → 2.9 KB allocated, against
 * one async function per request. So a step that may wait returns a
 * {@link Step}, and what comes after it is chained with {@link andThen},
 * which calls it at once on a value and only after a promise settles.
 *
 * On the two hottest sites, the idle wait's loop (head_reader.ts) and the
 * write of an answer (connection.ts), the same test is written out instead:
 * `step instanceof Promise ? step.then(next) : next(step)`. There the call
 * of `next` is a site of its own, which V8 inlines; inside andThen one site
 * serves every continuation. Measured: 1.5–2% of a kept-alive request.
 *
 * @example
 * ```ts
 * import { andThen, type Step } from "./step.ts";
 * const double = (n: number): number => n * 2;
 * andThen(21, double); // 42, at once
 * await andThen(Promise.resolve(21), double); // 42, one microtask later
 * const now: Step<number> = 1;
 * andThen(now, (n, plus: number) => n + plus, 2); // 3
 * ```
 *
 * @module
 */

/** A step's result: the value when the step ran at once, a promise when it had to wait. */
export type Step<T> = T | Promise<T>;

/**
 * Runs `next` on what `step` gives: at once on a value (no microtask hop, no
 * promise made), in `step.then` on a promise, so its rejection passes on.
 * `arg` goes to `next` as its second argument: a function made once (a
 * module function, or a method bound once per connection) with the request
 * passed in costs no closure per request, where an arrow capturing it would.
 */
export function andThen<T, U>(step: Step<T>, next: (value: T) => Step<U>): Step<U>;
export function andThen<T, A, U>(
  step: Step<T>,
  next: (value: T, arg: A) => Step<U>,
  arg: A,
): Step<U>;
export function andThen<T, A, U>(
  step: Step<T>,
  next: (value: T, arg: A) => Step<U>,
  arg?: A,
): Step<U> {
  if (step instanceof Promise) return step.then((value: T) => next(value, arg as A));
  return next(step, arg as A);
}
