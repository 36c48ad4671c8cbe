/**
 * What the logs say: one access line per request, the reason beside every
 * refusal, and a thrown error's stack where the operator (not the client) sees it.
 */

import assert from "node:assert/strict";
import type { LogRecord } from "@logtape/logtape";
import { formatterFor } from "../../src/server/log.ts";
import { capturingLogs } from "../fixtures/logs.ts";
import { exchange, RawClient, startServer } from "../fixtures/harness.ts";

/** Runs `body` with every rawhttp record captured. */
function capturing(
  body: (records: LogRecord[]) => Promise<void>,
  onRecord?: (record: LogRecord) => void,
): Promise<void> {
  return capturingLogs("debug", body, onRecord);
}

const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: t\r\n\r\n`;

Deno.test("every request gets one access record with method, path, status, bytes, duration and peer", async () => {
  await capturing(async (records) => {
    await using s = startServer();
    const res = await exchange(s.port, GET("/hello?secret=1"));
    assert.equal(res.status, 200);
    const access = records.filter((r) => r.category.join(".") === "rawhttp.access");
    assert.equal(access.length, 1);
    const p = access[0]!.properties;
    assert.equal(access[0]!.level, "info");
    assert.equal(p.method, "GET");
    assert.equal(p.path, "/hello"); // the query stays out of the logs: it may carry tokens
    assert.equal(p.status, 200);
    assert.equal(typeof p.bytes, "number");
    assert.equal(typeof p.durationMs, "number");
    assert.match(String(p.remote), /^127\.0\.0\.1:\d+$/);
  });
});

Deno.test("a connection's end is logged with its reason: idle timeout, or closed by the client", async () => {
  const isEnd = (r: LogRecord) => r.category.join(".") === "rawhttp.connection";
  const ended = [Promise.withResolvers<void>(), Promise.withResolvers<void>()];
  let ends = 0;
  await capturing(async (records) => {
    await using s = startServer({ idleTimeoutMs: 100 });
    const reasons = () => records.filter(isEnd).map((r) => r.properties.reason);
    using idle = await RawClient.connect(s.port);
    await idle.write(GET("/"));
    assert.equal((await idle.response()).status, 200);
    assert.ok(await idle.closedByServer());
    await ended[0]!.promise;
    assert.deepEqual(reasons(), ["idle timeout"]);

    using leaving = await RawClient.connect(s.port);
    await leaving.write(GET("/"));
    assert.equal((await leaving.response()).status, 200);
    leaving.close();
    await ended[1]!.promise;
    assert.deepEqual(reasons(), ["idle timeout", "closed"]);
  }, (r) => {
    if (isEnd(r)) ended[ends++]?.resolve();
  });
});

Deno.test("a refused request is logged at warning level with its reason code", async () => {
  await capturing(async (records) => {
    await using s = startServer();
    const res = await exchange(s.port, "GET / HTTP/1.1\r\nHost: t\r\n folded\r\n\r\n");
    assert.equal(res.status, 400);
    const refusal = records.find((r) => r.properties.reason === "obs_fold");
    assert.ok(refusal !== undefined);
    assert.equal(refusal.level, "warning");
    assert.equal(refusal.properties.status, 400);
  });
});

Deno.test("a throwing handler's error and stack go to the log, not to the client", async () => {
  await capturing(async (records) => {
    await using s = startServer();
    const res = await exchange(s.port, GET("/throw"));
    assert.equal(res.status, 500);
    assert.ok(!res.body.includes("boom"));
    const logged = records.find((r) => r.category.join(".") === "rawhttp.handler");
    assert.ok(logged !== undefined);
    assert.equal(logged.level, "error");
    const error = logged.properties.error as Error;
    assert.equal(error.message, "boom: secret detail");
    assert.match(error.stack ?? "", /harness\.ts/);
    // The text line carries the stack too, for operators reading plain logs.
    assert.match(formatterFor("text")(logged), /boom: secret detail/);
  });
});

Deno.test("the text format prints bare values and the JSON format one object per line", async () => {
  await capturing(async (records) => {
    await using s = startServer();
    await exchange(s.port, GET("/"));
    const access = records.find((r) => r.category.join(".") === "rawhttp.access")!;
    const text = formatterFor("text")(access);
    assert.match(
      text,
      /\[INF\] rawhttp\.access: GET \/ 200 \d+B [\d.]+ms 127\.0\.0\.1:\d+ \/ id=[A-Za-z0-9._-]+ ua=.*\n$/,
    );
    const line = formatterFor("json")(access);
    assert.equal(line.trimEnd().split("\n").length, 1);
    assert.equal(JSON.parse(line).properties.status, 200);
  });
});

Deno.test("JSON log messages hold values bare, as the text format does; errors keep message and stack", () => {
  const record = {
    category: ["rawhttp", "server"],
    level: "info",
    message: ["listening on ", "http://127.0.0.1:8080/", " (", 2, " listeners)"],
    rawMessage: "listening on {url} ({n} listeners)",
    timestamp: Date.UTC(2026, 11, 8),
    properties: { url: "http://127.0.0.1:8080/", n: 2, error: new Error("boom"), big: 10n },
  } as const;
  const line = formatterFor("json")(record as never);
  assert.ok(line.endsWith("\n"));
  const parsed = JSON.parse(line);
  assert.equal(parsed.message, "listening on http://127.0.0.1:8080/ (2 listeners)");
  assert.equal(parsed["@timestamp"], "2026-12-08T00:00:00.000Z");
  assert.equal(parsed.level, "INFO");
  assert.equal(parsed.logger, "rawhttp.server");
  assert.equal(parsed.properties.url, "http://127.0.0.1:8080/");
  assert.equal(parsed.properties.error.message, "boom");
  assert.equal(parsed.properties.big, "10");
  assert.equal(
    JSON.parse(formatterFor("json")({ ...record, level: "warning" } as never)).level,
    "WARN",
  );
});
