/** Tests for what `await` accepts besides a native promise (src/server/thenable.ts). */

import assert from "node:assert/strict";
import { isThenable } from "../../src/server/thenable.ts";

Deno.test("isThenable() is true for a native promise and any object or function with a callable then", () => {
  const settled = Promise.resolve(1);
  assert.equal(isThenable(settled), true);
  const rejected = Promise.reject(new Error("x"));
  rejected.catch(() => {});
  assert.equal(isThenable(rejected), true);
  assert.equal(isThenable({ then() {} }), true);
  const fn = Object.assign(() => {}, { then: () => {} });
  assert.equal(isThenable(fn), true);
  class Library {
    then(resolve: (v: number) => void) {
      resolve(1);
    }
  }
  assert.equal(isThenable(new Library()), true, "then on the prototype");
});

Deno.test("isThenable() is false for primitives, null, and objects whose then is not a function", () => {
  for (const value of [undefined, null, 0, "then", true, Symbol("s"), 1n]) {
    assert.equal(isThenable(value), false, String(value));
  }
  for (const value of [{}, { then: 1 }, { then: null }, { status: 200 }, [], () => {}]) {
    assert.equal(isThenable(value), false, JSON.stringify(value));
  }
});

Deno.test("isThenable() treats an object whose then getter throws as a plain value, not a throw", () => {
  const hostile = {
    get then(): unknown {
      throw new Error("getter");
    },
  };
  assert.equal(isThenable(hostile), false);
});

Deno.test("isThenable() is true for a promise subclass or one from a proxy with a callable then", () => {
  class Sub extends Promise<number> {}
  assert.equal(isThenable(Sub.resolve(1)), true);
  const proxied = new Proxy({}, { get: (_t, k) => (k === "then" ? () => {} : undefined) });
  assert.equal(isThenable(proxied), true);
});
