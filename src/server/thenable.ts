/**
 * Thenables: what `await` accepts besides a native promise.
 *
 * A handler may return a promise from another realm, a library's own promise
 * class, or any object with a `then` method; `await` adopts all of them, so
 * the server must too. A native promise is checked first: it is the usual
 * case and `instanceof` is the cheapest test.
 *
 * @example
 * ```ts
 * import { isThenable } from "./thenable.ts";
 * isThenable(Promise.resolve(1)); // true
 * isThenable({ then(resolve: (v: number) => void) { resolve(1); } }); // true
 * isThenable({ status: 200 }); // false
 * ```
 *
 * @module
 */

/** Whether `value` is a promise or any other object or function with a callable `then`. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (value instanceof Promise) return true;
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return false;
  try {
    return typeof (value as { then?: unknown }).then === "function";
  } catch {
    return false; // a `then` getter that throws: `await` would reject; treat it as a plain value
  }
}
