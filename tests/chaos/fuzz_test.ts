/**
 * A seeded mutation fuzzer against the running program: every case on a
 * fresh connection, every answer a well-formed HTTP/1.1 response, none of
 * them a server error, no connection left hanging, and the process well
 * afterwards. Set CHAOS_FUZZ_SEED to replay a run; a failure names its case.
 */

import assert from "node:assert/strict";
import { assertRecovered } from "./fixtures/aftermath.ts";
import { Client, Ended } from "./fixtures/client.ts";
import { fuzzCase, show } from "./fixtures/fuzz.ts";
import { baselineRss } from "./fixtures/probe.ts";
import { Program } from "./fixtures/program.ts";

const SEED = Number(Deno.env.get("CHAOS_FUZZ_SEED") ?? Math.floor(Math.random() * 2 ** 31));
/** How long new cases start, and how many run at once. */
const FUZZ_MS = 5000;
const PARALLEL = 32;
/** A case's connection must end within this (the server's timeouts are 1 s). */
const CASE_TIMEOUT_MS = 6000;
/**
 * Server errors a client's bytes may rightly get: 501 (a transfer coding we do
 * not know) and 505 (an HTTP version we do not speak). Anything else ≥ 500 is
 * the server failing, not the client.
 */
const REFUSALS_OVER_500 = new Set([501, 505]);

/** Statuses answered, counted, for the report. */
const statuses: Record<string, number> = {};

/** Runs one case: what was wrong with the server's answers, or null. */
async function runCase(port: number, index: number): Promise<string | null> {
  const fuzz = fuzzCase(SEED, index);
  const where = () =>
    `case ${index} of seed ${SEED} (CHAOS_FUZZ_SEED=${SEED}; ${fuzz.mutations.join(", ")}; ` +
    `half-close ${fuzz.halfClose}): ${show(fuzz.bytes)}`;
  using client = await Client.connect(port);
  try {
    await client.write(fuzz.bytes);
    if (fuzz.halfClose) await client.closeWrite();
  } catch {
    // The server refused and closed before taking everything: its answer is still there to read.
  }
  const deadline = performance.now() + CASE_TIMEOUT_MS;
  for (let answers = 0;; answers++) {
    try {
      const reply = await client.response(Math.max(1, deadline - performance.now()));
      statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
      if (reply.status >= 500 && !REFUSALS_OVER_500.has(reply.status)) {
        return `answered ${reply.statusLine}: ${where()}`;
      }
    } catch (error) {
      if (!(error instanceof Ended)) return `${error}: ${where()}`; // not an HTTP/1.1 response
      if (error.how === "timeout") {
        return `no end after ${CASE_TIMEOUT_MS} ms (${answers} answer(s)): ${where()}`;
      }
      if (error.pending > 0) return `a response cut short (${error.how}): ${where()}`;
      return null; // closed between answers
    }
  }
}

Deno.test(`main.ts answers ${FUZZ_MS / 1000} s of mutated requests (CHAOS_FUZZ_SEED=${SEED}) with well-formed responses, no server errors and no hangs`, async () => {
  await using program = await Program.main([
    "--client-timeout",
    "1s",
    "--idle-timeout",
    "1s",
    "--body-timeout",
    "1s",
    "--linger-timeout",
    "500ms",
  ]);
  const port = program.port;
  const baseline = await baselineRss(program, ["/health", "/api/hello"]);
  const from = program.lines.length;
  const stopAt = performance.now() + FUZZ_MS;
  let next = 0;
  const failures: string[] = [];
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    while (performance.now() < stopAt && failures.length < 5) {
      const failure = await runCase(port, next++);
      if (failure !== null) failures.push(failure);
    }
  }));
  console.log(`  ${next} cases from seed ${SEED}; answers: ${JSON.stringify(statuses)}`);
  assert.deepEqual(failures, []);
  assert.deepEqual(program.errorLines(from).slice(0, 3), [], "lines logged at error level");
  await assertRecovered(program, baseline, ["/health", "/api/hello"]);
});
