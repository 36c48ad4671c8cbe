import assert from "node:assert/strict";
import { checkLimit, defaultLimits, type LimitName, LIMITS } from "../../src/protocol/limits.ts";
import { DEFAULT_HEAD_LIMITS } from "../../src/protocol/head_parser.ts";
import { SETTINGS } from "../../src/program/settings.ts";

const NAMES = Object.keys(LIMITS) as LimitName[];

Deno.test("every limit's name ends with its unit, and its default lies in its range with a reason", () => {
  for (const name of NAMES) {
    const spec = LIMITS[name];
    const unit = name.endsWith("Ms") ? "ms" : name.endsWith("Bytes") ? "bytes" : "count";
    assert.equal(spec.unit, unit, name);
    assert.ok(spec.min <= spec.default && spec.default <= spec.max, name);
    assert.ok(spec.doc.length > 20, `${name}: no reason given`);
  }
});

Deno.test("defaultLimits gives every limit its default", () => {
  const limits = defaultLimits();
  assert.deepEqual(Object.keys(limits).sort(), [...NAMES].sort());
  for (const name of NAMES) assert.equal(limits[name], LIMITS[name].default);
});

Deno.test("checkLimit accepts the edges of a range and refuses just past them", () => {
  for (const name of NAMES) {
    const { min, max } = LIMITS[name];
    checkLimit(name, min);
    checkLimit(name, max);
    assert.throws(() => checkLimit(name, min - 1), RangeError, `${name} below`);
    assert.throws(() => checkLimit(name, max + 1), RangeError, `${name} above`);
    assert.throws(() => checkLimit(name, Number.NaN), RangeError);
    assert.throws(() => checkLimit(name, String(min)), RangeError);
  }
  checkLimit("clientTimeoutMs", 1.5); // durations may be fractional
  assert.throws(() => checkLimit("maxBodyBytes", 1.5), /maxBodyBytes must be an integer/);
});

Deno.test("the parser's default head limits are the library's", () => {
  assert.deepEqual(DEFAULT_HEAD_LIMITS, {
    maxRequestLineBytes: LIMITS.maxRequestLineBytes.default,
    maxHeadBytes: LIMITS.maxHeadBytes.default,
    maxHeaderCount: LIMITS.maxHeaderCount.default,
  });
});

Deno.test("the program's settings take each limit's default, range and reason from the library", () => {
  for (const name of NAMES) {
    const setting = SETTINGS.find((s) => s.key === name);
    assert.ok(setting !== undefined, `no setting for ${name}`);
    const { default: d, min, max, doc } = LIMITS[name];
    assert.deepEqual(
      { default: setting.default, min: setting.min, max: setting.max, doc: setting.doc },
      { default: d, min, max, doc },
    );
  }
});
