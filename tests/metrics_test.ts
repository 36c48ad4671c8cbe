import assert from "node:assert/strict";
import { mergeCounts, Metrics, OTHER_PATHS } from "../src/metrics.ts";

Deno.test("Metrics.snapshot() of a fresh table is all zeros and empty", () => {
  const m = new Metrics(10);
  assert.deepEqual(m.snapshot(), {
    requests_total: 0,
    requests_by_status: {},
    requests_by_path: {},
  });
  assert.deepEqual(m.connections(), { open: 0, accepted: 0, refused: 0 });
});

Deno.test("Metrics.record() counts the total, each status and each path", () => {
  const m = new Metrics(10);
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
  const m = new Metrics(10);
  for (const status of [503, 200, 404, 101, 200, 304]) m.record("/", status);
  assert.deepEqual(Object.keys(m.snapshot().requests_by_status), [
    "101",
    "200",
    "304",
    "404",
    "503",
  ]);
});

Deno.test("Metrics.snapshot() lists paths highest count first, ties by name", () => {
  const m = new Metrics(10);
  const counts: Array<[string, number]> = [["/low", 1], ["/high", 5], ["/mid", 3], ["/b", 3]];
  for (const [path, n] of counts) for (let i = 0; i < n; i++) m.record(path, 200);
  assert.deepEqual(Object.entries(m.snapshot().requests_by_path), [
    ["/high", 5],
    ["/b", 3],
    ["/mid", 3],
    ["/low", 1],
  ]);
});

Deno.test("Metrics.record() sends new paths to (other) once maxPaths are tracked, and old ones keep counting", () => {
  const m = new Metrics(2);
  m.record("/a", 200);
  m.record("/b", 200);
  m.record("/c", 404); // table full: goes to (other)
  m.record("/d", 404);
  m.record("/a", 200); // existing: keeps its own count
  m.record("/b", 200);
  m.record("/a", 200);
  m.record("/c", 404); // still not tracked, even though it was seen before
  const s = m.snapshot();
  assert.deepEqual(s.requests_by_path, { "/a": 3, "/b": 2, [OTHER_PATHS]: 3 });
  assert.equal(s.requests_total, 8);
  assert.equal(OTHER_PATHS, "(other)");
});

Deno.test("Metrics.snapshot() lists (other) last, whatever its count", () => {
  const m = new Metrics(1);
  m.record("/a", 200);
  for (let i = 0; i < 10; i++) m.record(`/x${i}`, 404);
  assert.deepEqual(Object.entries(m.snapshot().requests_by_path), [
    ["/a", 1],
    [OTHER_PATHS, 10],
  ]);
});

Deno.test("Metrics.record(null, status) counts total and status but no path", () => {
  const m = new Metrics(1);
  m.record(null, 400);
  m.record(null, 431);
  const s = m.snapshot();
  assert.equal(s.requests_total, 2);
  assert.deepEqual(s.requests_by_status, { "400": 1, "431": 1 });
  assert.deepEqual(s.requests_by_path, {});
  // A null path does not take a slot of the table either.
  m.record("/real", 200);
  assert.deepEqual(m.snapshot().requests_by_path, { "/real": 1 });
});

Deno.test("Metrics keeps the path table at maxPaths under 100k random paths", () => {
  const maxPaths = 100;
  const m = new Metrics(maxPaths);
  for (let i = 0; i < 100_000; i++) {
    m.record(`/${Math.random().toString(36).slice(2)}/${i}`, 404);
  }
  const s = m.snapshot();
  assert.equal(Object.keys(s.requests_by_path).length, maxPaths + 1);
  assert.equal(s.requests_by_path[OTHER_PATHS], 100_000 - maxPaths);
  assert.equal(s.requests_total, 100_000);
  const sum = Object.values(s.requests_by_path).reduce((a, b) => a + b, 0);
  assert.equal(sum, 100_000);
});

Deno.test("Metrics counts connections opened, closed and refused", () => {
  const m = new Metrics(10);
  m.connectionOpened();
  m.connectionOpened();
  m.connectionOpened();
  m.connectionClosed();
  m.connectionRefused();
  m.connectionRefused();
  assert.deepEqual(m.connections(), { open: 2, accepted: 3, refused: 2 });
  m.connectionClosed();
  m.connectionClosed();
  assert.deepEqual(m.connections(), { open: 0, accepted: 3, refused: 2 });
});

Deno.test("Metrics.snapshot() returns a copy that later records do not change", () => {
  const m = new Metrics(10);
  m.record("/a", 200);
  const before = m.snapshot();
  m.record("/a", 200);
  assert.equal(before.requests_total, 1);
  assert.deepEqual(before.requests_by_path, { "/a": 1 });
  assert.equal(m.snapshot().requests_total, 2);
});

Deno.test("mergeCounts() sums totals, statuses and paths across listeners", () => {
  const a = new Metrics(10);
  a.record("/a", 200);
  a.record("/b", 404);
  const b = new Metrics(10);
  b.record("/a", 200);
  b.record(null, 400);
  assert.deepEqual(mergeCounts([a.snapshot(), b.snapshot()], 10), {
    requests_total: 4,
    requests_by_status: { "200": 2, "400": 1, "404": 1 },
    requests_by_path: { "/a": 2, "/b": 1 },
  });
  assert.deepEqual(mergeCounts([], 10), {
    requests_total: 0,
    requests_by_status: {},
    requests_by_path: {},
  });
});

Deno.test("mergeCounts() bounds the merged path table again: below, at and above maxPaths", () => {
  // Two listeners with 2 distinct paths each, 3 distinct in all.
  const a = new Metrics(2);
  a.record("/x", 200);
  a.record("/x", 200);
  a.record("/y", 200);
  const b = new Metrics(2);
  b.record("/x", 200);
  b.record("/z", 200);
  const both = [a.snapshot(), b.snapshot()];
  assert.deepEqual(mergeCounts(both, 4).requests_by_path, { "/x": 3, "/y": 1, "/z": 1 });
  assert.deepEqual(mergeCounts(both, 3).requests_by_path, { "/x": 3, "/y": 1, "/z": 1 });
  // One over: the least busy path joins "(other)".
  assert.deepEqual(mergeCounts(both, 2).requests_by_path, { "/x": 3, "/y": 1, [OTHER_PATHS]: 1 });
});

Deno.test("mergeCounts() adds each listener's own (other) bucket into the merged one", () => {
  const a = new Metrics(1);
  a.record("/x", 200);
  a.record("/y", 200); // over a's table: (other)
  const b = new Metrics(1);
  b.record("/z", 200);
  assert.deepEqual(mergeCounts([a.snapshot(), b.snapshot()], 5).requests_by_path, {
    "/x": 1,
    "/z": 1,
    [OTHER_PATHS]: 1,
  });
});
