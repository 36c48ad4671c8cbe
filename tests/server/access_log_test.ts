/** Tests for the access log's lines (src/server/access_log.ts). */

import assert from "node:assert/strict";
import { accessStart, logAccess, peer } from "../../src/server/access_log.ts";
import type { LogRecord } from "@logtape/logtape";
import type { LogLevel } from "../../src/server/log.ts";
import { capturingLogs } from "../fixtures/logs.ts";
import { parsedHead } from "../fixtures/exchange.ts";

/** Runs `body` with the records at `level` and above captured (see capturingLogs). */
function withLogs(level: LogLevel, body: (records: LogRecord[]) => void): Promise<void> {
  return capturingLogs(level, (records) => {
    body(records);
    return Promise.resolve();
  });
}

const REMOTE = { hostname: "192.0.2.7", port: 51000 };

Deno.test("accessStart() reads the clock only when the access log will show the level", async () => {
  assert.equal(accessStart("info"), null, "logging not configured: off");
  await withLogs("warning", () => {
    assert.equal(accessStart("info"), null, "info is below warning");
    const started = accessStart("warning");
    assert.equal(typeof started, "number");
    assert.ok(started! <= performance.now());
  });
  await withLogs("info", () => {
    assert.equal(typeof accessStart("info"), "number");
  });
});

Deno.test("logAccess() writes a served request at info on rawhttp.access, with method, raw path, status, bytes, duration and peer", async () => {
  await withLogs("info", (records) => {
    const head = parsedHead("GET /a%20b?q=1 HTTP/1.1\r\nHost: h\r\n\r\n");
    logAccess(REMOTE, head, 200, 1234, performance.now() - 5, null);
    assert.equal(records.length, 1);
    const record = records[0]!;
    assert.equal(record.level, "info");
    assert.deepEqual(record.category, ["rawhttp", "access"]);
    const p = record.properties;
    assert.equal(p.method, "GET");
    assert.equal(p.path, "/a%20b", "the path as sent, without the query");
    assert.equal(p.status, 200);
    assert.equal(p.bytes, 1234);
    assert.equal(p.remote, "192.0.2.7:51000");
    assert.equal(p.reason, undefined);
    const ms = p.durationMs as number;
    assert.ok(ms >= 5 && ms < 5000, `${ms}`);
    assert.equal(Math.round(ms * 1000) / 1000, ms, "rounded to the microsecond");
  });
});

Deno.test("logAccess() writes a refusal at warning with its reason, and '-' where no head was read", async () => {
  await withLogs("info", (records) => {
    logAccess(REMOTE, null, 400, 90, performance.now(), "obs_fold");
    assert.equal(records.length, 1);
    const record = records[0]!;
    assert.equal(record.level, "warning");
    assert.equal(record.properties.method, "-");
    assert.equal(record.properties.path, "-");
    assert.equal(record.properties.reason, "obs_fold");
    assert.match(record.rawMessage as string, /refused: \{reason\}$/);
  });
});

Deno.test("logAccess() writes nothing for a served request when the log shows warnings only", async () => {
  await withLogs("warning", (records) => {
    logAccess(REMOTE, null, 200, 1, performance.now(), null);
    assert.equal(records.length, 0);
    logAccess(REMOTE, null, 503, 1, performance.now(), "overloaded");
    assert.equal(records.length, 1);
  });
});

Deno.test("peer() shows an address as host:port", () => {
  assert.equal(peer(REMOTE), "192.0.2.7:51000");
  assert.equal(peer({ hostname: "::1", port: 80 }), "::1:80");
});
