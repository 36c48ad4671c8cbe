import assert from "node:assert/strict";
import { shutdownSchedule } from "../../src/server/shutdown_schedule.ts";

Deno.test("shutdownSchedule() keeps the last tenth of SHUTDOWN_TIMEOUT for reading the 503s", () => {
  assert.deepEqual(shutdownSchedule(8000, 2000), { answerByMs: 7200, closeByMs: 8000 });
  assert.deepEqual(shutdownSchedule(2000, 2000), { answerByMs: 1800, closeByMs: 2000 });
});

Deno.test("shutdownSchedule() keeps at most LINGER_TIMEOUT for the last phase: below, at and above a tenth", () => {
  assert.deepEqual(shutdownSchedule(8000, 799), { answerByMs: 7201, closeByMs: 8000 });
  assert.deepEqual(shutdownSchedule(8000, 800), { answerByMs: 7200, closeByMs: 8000 });
  assert.deepEqual(shutdownSchedule(8000, 801), { answerByMs: 7200, closeByMs: 8000 });
});

Deno.test("shutdownSchedule() with no LINGER_TIMEOUT answers at SHUTDOWN_TIMEOUT, and with none at all at once", () => {
  assert.deepEqual(shutdownSchedule(8000, 0), { answerByMs: 8000, closeByMs: 8000 });
  assert.deepEqual(shutdownSchedule(0, 2000), { answerByMs: 0, closeByMs: 0 });
});
