/**
 * Micro-benchmarks of steps that return values (`deno task bench:micro`):
 * a request's four steps (head, handler, answer, keep) chained with
 * `andThen()` (src/server/step.ts), against each step awaited in an async
 * function (tests/reference/step.ts, the baseline). When every step runs at
 * once, `andThen()` makes no promise and takes no microtask hop; when the
 * handler's step waits (a promise), what follows it is chained once.
 *
 * @module
 */

import { andThen, type Step } from "../src/server/step.ts";
import { referenceThen } from "../tests/reference/step.ts";

const add = (value: number, plus: number): number => value + plus;
const later = (value: number, plus: number): Promise<number> => Promise.resolve(value + plus);

let sink = 0;

for (
  const [group, handler] of [["4 steps, all at once", add], ["4 steps, one waits", later]] as const
) {
  Deno.bench({
    name: `${group}: reference, each step awaited (async function)`,
    group,
    baseline: true,
    async fn() {
      const head = referenceThen(1, add, 1);
      const handled = referenceThen(head, handler, 2);
      const answered = referenceThen(handled, add, 3);
      sink = await referenceThen(answered, add, 4);
    },
  });
  Deno.bench({
    name: `${group}: optimised, values chained at once (andThen)`,
    group,
    async fn() {
      const head = andThen(1, add, 1);
      const handled: Step<number> = andThen(head, handler, 2);
      const answered = andThen(handled, add, 3);
      sink = await andThen(answered, add, 4);
    },
  });
}

globalThis.addEventListener("unload", () => {
  if (sink < 0) console.log(""); // keeps `sink` read
});
