/**
 * The plain reference path for `src/server/step.ts` (`Step<T>`, `andThen()`:
 * a step that ran at once returns its value, and the step after it is
 * called at once on that value, with no promise and no microtask hop): every
 * step an async function, and what each gives awaited before the next runs.
 *
 * Compared against in tests/server/step_reference_test.ts, timed against in
 * bench/step_bench.ts.
 *
 * @module
 */

/**
 * Awaits `step`, then runs `next` on its value with `arg`, and awaits that:
 * what `andThen(step, next, arg)` stands for. Always a promise; a throw in
 * `next` becomes its rejection.
 */
export async function referenceThen<T, A, U>(
  step: T | Promise<T>,
  next: (value: T, arg: A) => U | Promise<U>,
  arg: A,
): Promise<U> {
  const value = await step;
  return await next(value, arg);
}
