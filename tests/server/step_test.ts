/** Tests for steps that run at once or later (src/server/step.ts). */

import assert from "node:assert/strict";
import { andThen, type Step } from "../../src/server/step.ts";

Deno.test("andThen() runs the next step at once on a value: no promise, no microtask hop", () => {
  const order: string[] = [];
  const result = andThen(2, (n) => {
    order.push("next");
    return n * 10;
  });
  order.push("after");
  assert.equal(result, 20);
  assert.deepEqual(order, ["next", "after"]);
});

Deno.test("andThen() runs the next step once a promise settles, and gives a promise", async () => {
  const order: string[] = [];
  const result = andThen(Promise.resolve(2), (n) => {
    order.push("next");
    return n * 10;
  });
  order.push("after");
  assert.ok(result instanceof Promise);
  assert.equal(await result, 20);
  assert.deepEqual(order, ["after", "next"]);
});

Deno.test("andThen() passes its argument to the next step, at once and later", async () => {
  const add = (n: number, plus: number): Step<number> => n + plus;
  assert.equal(andThen(1, add, 2), 3);
  assert.equal(await andThen(Promise.resolve(1), add, 2), 3);
});

Deno.test("andThen() lets a rejection pass without running the next step", async () => {
  let ran = false;
  const failed = andThen(Promise.reject(new Error("gone")), () => {
    ran = true;
    return 1;
  });
  await assert.rejects(Promise.resolve(failed), /gone/);
  assert.equal(ran, false);
});

Deno.test("andThen() gives what the next step gives: a promise from it is passed on", async () => {
  const later = andThen(1, (n) => Promise.resolve(n + 1));
  assert.ok(later instanceof Promise);
  assert.equal(await later, 2);
});
