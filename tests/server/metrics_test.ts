import assert from "node:assert/strict";
import { mergeCounts, Metrics, UNMATCHED_ROUTE } from "../../src/server/metrics.ts";

Deno.test("Metrics.snapshot() of a fresh table is all zeros and empty", () => {
  const m = new Metrics();
  assert.deepEqual(m.snapshot(), {
    requests_total: 0,
    requests_by_status: {},
    requests_by_path: {},
  });
  assert.deepEqual(m.connections(), {
    open: 0,
    accepted: 0,
    refused: 0,
    websockets: 0,
    websockets_total: 0,
  });
});

Deno.test("Metrics.record() counts the total, each status and each route", () => {
  const m = new Metrics();
  m.record("/a", 200);
  m.record("/a", 200);
  m.record("/b", 404);
  m.record("/a", 500);
  const s = m.snapshot();
  assert.equal(s.requests_total, 4);
  assert.deepEqual(s.requests_by_status, { "200": 2, "404": 1, "500": 1 });
  assert.deepEqual(s.requests_by_path, { "/a": 3, "/b": 1 });
});

Deno.test("Metrics.snapshot() lists statuses in numeric order", () => {
  const m = new Metrics();
  for (const status of [503, 200, 404, 101, 200, 304]) m.record("/", status);
  assert.deepEqual(Object.keys(m.snapshot().requests_by_status), [
    "101",
    "200",
    "304",
    "404",
    "503",
  ]);
});

Deno.test("Metrics.snapshot() lists routes highest count first, ties by name", () => {
  const m = new Metrics();
  const counts: Array<[string, number]> = [["/low", 1], ["/high", 5], ["/mid", 3], ["/b", 3]];
  for (const [path, n] of counts) for (let i = 0; i < n; i++) m.record(path, 200);
  assert.deepEqual(Object.entries(m.snapshot().requests_by_path), [
    ["/high", 5],
    ["/b", 3],
    ["/mid", 3],
    ["/low", 1],
  ]);
});

Deno.test("Metrics.record(null, status) counts total and status but no route", () => {
  const m = new Metrics();
  m.record(null, 400);
  m.record(null, 431);
  const s = m.snapshot();
  assert.equal(s.requests_total, 2);
  assert.deepEqual(s.requests_by_status, { "400": 1, "431": 1 });
  assert.deepEqual(s.requests_by_path, {});
  // A null route does not make a row either.
  m.record("/real", 200);
  assert.deepEqual(m.snapshot().requests_by_path, { "/real": 1 });
});

Deno.test("Metrics counts connections opened, closed and refused, and WebSockets opened and closed", () => {
  const m = new Metrics();
  m.connectionOpened();
  m.connectionOpened();
  m.connectionOpened();
  m.connectionClosed();
  m.connectionRefused();
  m.connectionRefused();
  m.websocketOpened();
  m.websocketOpened();
  m.websocketClosed();
  assert.deepEqual(m.connections(), {
    open: 2,
    accepted: 3,
    refused: 2,
    websockets: 1,
    websockets_total: 2,
  });
  m.connectionClosed();
  m.connectionClosed();
  m.websocketClosed();
  assert.deepEqual(m.connections(), {
    open: 0,
    accepted: 3,
    refused: 2,
    websockets: 0,
    websockets_total: 2,
  });
});

Deno.test("Metrics.snapshot() returns a copy that later records do not change", () => {
  const m = new Metrics();
  m.record("/a", 200);
  const before = m.snapshot();
  m.record("/a", 200);
  assert.equal(before.requests_total, 1);
  assert.deepEqual(before.requests_by_path, { "/a": 1 });
  assert.equal(m.snapshot().requests_total, 2);
});

Deno.test("mergeCounts() sums totals, statuses and routes across listeners", () => {
  const a = new Metrics();
  a.record("/a", 200);
  a.record("/b", 404);
  const b = new Metrics();
  b.record("/a", 200);
  b.record(null, 400);
  assert.deepEqual(mergeCounts([a.snapshot(), b.snapshot()]), {
    requests_total: 4,
    requests_by_status: { "200": 2, "400": 1, "404": 1 },
    requests_by_path: { "/a": 2, "/b": 1 },
  });
  assert.deepEqual(mergeCounts([]), {
    requests_total: 0,
    requests_by_status: {},
    requests_by_path: {},
  });
});

Deno.test("mergeCounts() adds each listener's unmatched row into one", () => {
  const a = new Metrics();
  a.record("/x", 200);
  a.record(UNMATCHED_ROUTE, 404);
  const b = new Metrics();
  b.record(UNMATCHED_ROUTE, 404);
  b.record(UNMATCHED_ROUTE, 404);
  assert.deepEqual(mergeCounts([a.snapshot(), b.snapshot()]).requests_by_path, {
    [UNMATCHED_ROUTE]: 3,
    "/x": 1,
  });
});
