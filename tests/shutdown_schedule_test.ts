import assert from "node:assert/strict";
import { shutdownSchedule } from "../src/shutdown_schedule.ts";

Deno.test("shutdownSchedule() leaves the last LINGER_TIMEOUT of SHUTDOWN_TIMEOUT for reading the 503s", () => {
  assert.deepEqual(shutdownSchedule(8000, 2000), { answerByMs: 6000, closeByMs: 8000 });
});

Deno.test("shutdownSchedule() gives the last phase at most half of SHUTDOWN_TIMEOUT: below, at and above", () => {
  assert.deepEqual(shutdownSchedule(4000, 1999), { answerByMs: 2001, closeByMs: 4000 });
  assert.deepEqual(shutdownSchedule(4000, 2000), { answerByMs: 2000, closeByMs: 4000 });
  assert.deepEqual(shutdownSchedule(4000, 2001), { answerByMs: 2000, closeByMs: 4000 });
});

Deno.test("shutdownSchedule() with no LINGER_TIMEOUT answers at SHUTDOWN_TIMEOUT, and with none at all at once", () => {
  assert.deepEqual(shutdownSchedule(8000, 0), { answerByMs: 8000, closeByMs: 8000 });
  assert.deepEqual(shutdownSchedule(0, 2000), { answerByMs: 0, closeByMs: 0 });
});
