/**
 * Steps that return values (src/server/step.ts, `andThen()`) against plain
 * async/await (tests/reference/step.ts): random chains of steps, each a
 * value, a promise that resolves now or some microtask turns later, a
 * rejection or a throw, must call the same steps with the same values in the
 * same order and end the same way (a synchronous throw counts as the
 * rejection an async function would give); and a chain of values only must
 * give a value, not a promise.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { andThen, type Step } from "../../src/server/step.ts";
import { referenceThen } from "../reference/step.ts";

/** How one step gives its result. */
type Kind = "value" | "resolved" | "later" | "rejected" | "throws";

const kind: fc.Arbitrary<Kind> = fc.constantFrom(
  "value",
  "resolved",
  "later",
  "rejected",
  "throws",
);

/** A chain: its first step, then the steps after it, each with the argument passed to it. */
const chain = fc.record({
  first: fc.tuple(fc.constantFrom<Kind>("value", "resolved", "later", "rejected"), fc.integer()),
  steps: fc.array(fc.record({ kind, arg: fc.integer({ min: -9, max: 9 }), turns: fc.nat(20) }), {
    maxLength: 8,
  }),
});

/** `value` given as `kind` says; a rejection or throw carries an Error named after `name`. */
function give(kind: Kind, value: number, name: string, turns: number): Step<number> {
  switch (kind) {
    case "value":
      return value;
    case "resolved":
      return Promise.resolve(value);
    case "later":
      return (async () => {
        for (let i = 0; i < turns; i++) await null;
        return value;
      })();
    case "rejected": {
      const rejected = Promise.reject(new Error(name));
      rejected.catch(() => {}); // a chain that drops it fails by its ending, not by the runner
      return rejected;
    }
    case "throws":
      throw new Error(name);
  }
}

/** How a chain ended: its value, or its error's message. */
type Ending = { readonly value: number } | { readonly error: string };

/** Runs `build` and settles what it gives; a synchronous throw is an error ending. */
async function ending(build: () => Step<number>): Promise<Ending> {
  try {
    return { value: await build() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

type Chain = typeof chain extends fc.Arbitrary<infer C> ? C : never;

/** The chain's steps as functions that log the value and argument each was called with. */
function stepsOf(c: Chain, log: string[]): Array<(value: number, arg: number) => Step<number>> {
  return c.steps.map((s, i) => (value: number, arg: number) => {
    log.push(`step ${i}: ${value} ${arg}`);
    return give(s.kind, value + arg, `step ${i} failed`, s.turns);
  });
}

Deno.test("andThen() chains call the reference's steps with the same values, in order, and end the same way", async () => {
  await fc.assert(
    fc.asyncProperty(chain, async (c) => {
      const [firstKind, firstValue] = c.first;
      const mine: string[] = [];
      const theirs: string[] = [];
      const myEnding = await ending(() => {
        const steps = stepsOf(c, mine);
        let step = give(firstKind, firstValue, "first failed", 3);
        for (let i = 0; i < steps.length; i++) step = andThen(step, steps[i]!, c.steps[i]!.arg);
        return step;
      });
      const theirEnding = await ending(() => {
        const steps = stepsOf(c, theirs);
        let step: Promise<number> | number = give(firstKind, firstValue, "first failed", 3);
        for (let i = 0; i < steps.length; i++) {
          step = referenceThen(step, steps[i]!, c.steps[i]!.arg);
        }
        return step;
      });
      assert.deepEqual(mine, theirs);
      assert.deepEqual(myEnding, theirEnding);
    }),
    { numRuns: 300 },
  );
});

Deno.test("andThen() chains of values only give the reference's value at once, not a promise", () => {
  fc.assert(
    fc.property(fc.integer(), fc.array(fc.integer({ min: -9, max: 9 }), { maxLength: 8 }), (
      first,
      args,
    ) => {
      let step: Step<number> = first;
      for (const arg of args) {
        step = andThen(step, (value: number, plus: number) => value + plus, arg);
      }
      assert.ok(!(step instanceof Promise), "a value");
      assert.equal(step, args.reduce((sum, arg) => sum + arg, first));
    }),
    { numRuns: 200 },
  );
});
