/**
 * OpenTelemetry end to end: an OTLP/HTTP receiver in this process, the app
 * (tests/fixtures/otel_app.ts) in a child `deno run` with `OTEL_DENO=true`
 * exporting JSON to it, requests over loopback, SIGTERM, then what arrived:
 * the server spans (names, kinds, attributes with their types, parents,
 * status), the handler's child span and its fetch, and the `http.server.*`
 * metrics. Deno flushes everything when the child exits, so nothing waits on
 * an export interval; and with OpenTelemetry off nothing arrives at all.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  attr,
  attrs,
  attrType,
  metricOf,
  type OtlpPoint,
  type OtlpSpan,
  type Received,
  scopeSpans,
  spansOf,
  startReceiver,
} from "../fixtures/otlp_receiver.ts";
import { DURATION_BOUNDS_S, SIZE_BOUNDS_BYTES } from "../../src/server/telemetry_semconv.ts";

const APP = fileURLToPath(new URL("../fixtures/otel_app.ts", import.meta.url));
const TRACE = "0af7651916cd43dd8448eb211c80319c";
const PARENT = "b7ad6b7169203331";
const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

/** The app in a child process with OpenTelemetry `on` or off, exporting to `endpoint`. */
async function startApp(mode: "serve" | "router", endpoint: string, on: boolean, down = "") {
  const passed = ["HOME", "PATH", "DENO_DIR", "XDG_CACHE_HOME"].flatMap((name) => {
    const value = Deno.env.get(name);
    return value === undefined ? [] : [[name, value]];
  });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", APP, mode],
    clearEnv: true, // a developer's own OTEL_* settings must not leak in
    env: {
      ...Object.fromEntries(passed),
      OTEL_DENO: on ? "true" : "false",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_SERVICE_NAME: "rawhttp-e2e",
      OTEL_DENO_CONSOLE: "ignore",
      PORT: "0",
      DOWN: down,
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await lines.read();
    if (done) throw new Error(`the app ended before listening: ${await stderr}`);
    out += value;
  }
  await lines.cancel();
  const [, port, state] = out.match(/listening (\d+) telemetry (on|off)/) ?? [];
  assert.equal(state, on ? "on" : "off", out);
  return {
    base: `http://127.0.0.1:${port}`,
    port: Number(port),
    /** SIGTERM, then the exit: by then the SDK has exported everything. */
    async stop() {
      child.kill("SIGTERM");
      const status = await child.status;
      assert.ok(status.success, `the app exited with ${status.code}: ${await stderr}`);
    },
  };
}

/** A downstream server that answers with the traceparent it was sent. */
function downstream(): Deno.HttpServer<Deno.NetAddr> & { url: string } {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5)); // interleave handlers
      return new Response(req.headers.get("traceparent") ?? "(none)");
    },
  );
  return Object.assign(server, { url: `http://127.0.0.1:${server.addr.port}` });
}

/** Sends `bytes` on a new connection and reads until the server closes it: the response's text. */
async function raw(port: number, request: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(request));
  return await new Response(conn.readable).text();
}

const serverSpans = (got: Received) => scopeSpans(got, "rawhttp");
const byPath = (spans: OtlpSpan[], path: string) =>
  spans.filter((s) => attr(s, "url.path") === path);
const points = (got: Received, name: string): readonly OtlpPoint[] => {
  const metric = metricOf(got, name);
  assert.ok(metric !== undefined, `no ${name}`);
  return metric.histogram?.dataPoints ?? metric.sum!.dataPoints;
};
const count = (ps: readonly OtlpPoint[]) => ps.reduce((n, p) => n + Number(p.count), 0);
/** The one point whose attributes are exactly `want` (values as `attr` gives them). */
const pointWith = (ps: readonly OtlpPoint[], want: Record<string, unknown>) => {
  const key = (o: Record<string, unknown>) => JSON.stringify(Object.entries(o).sort());
  const found = ps.filter((p) => key(attrs(p)) === key(want));
  assert.equal(found.length, 1, `one point with ${key(want)} in ${JSON.stringify(ps)}`);
  return found[0]!;
};

Deno.test("serve() with OTEL_DENO=true: Deno.serve's spans and metrics, traceparent, the handler's child span and fetch", async () => {
  await using receiver = startReceiver();
  await using down = downstream();
  const app = await startApp("serve", receiver.endpoint, true, down.url);
  let user: { downstreamSawTraceparent: string };
  try {
    const traced = await fetch(`${app.base}/hello?x=1`, {
      headers: { traceparent: `00-${TRACE}-${PARENT}-01` },
    });
    assert.equal(await traced.text(), "hello world\n");
    user = await (await fetch(`${app.base}/users/42`)).json();
    await (await fetch(`${app.base}/echo`, { method: "POST", body: "x".repeat(150) })).text();
    assert.equal(await (await fetch(`${app.base}/busy`)).text(), "busy");
    assert.equal(await (await fetch(`${app.base}/stream`)).text(), "chunk 1\nchunk 2\nchunk 3\n");
    assert.equal((await fetch(`${app.base}/boom`).then((r) => (r.body?.cancel(), r))).status, 500);
    await (await fetch(`${app.base}/hello`, { method: "HEAD" })).text();
    const ws = new WebSocket(`${app.base.replace("http", "ws")}/ws`);
    const echoed = new Promise((resolve) => ws.onmessage = (event) => resolve(event.data));
    ws.onopen = () => ws.send("ping");
    assert.equal(await echoed, "ping");
    const closed = new Promise((resolve) => ws.onclose = resolve);
    ws.close();
    await closed;
  } finally {
    await app.stop();
  }
  const got = receiver.got;
  const spans = serverSpans(got);
  assert.equal(spans.length, 8);
  assert.ok(spans.every((s) => s.kind === SERVER && s.name === attr(s, "http.request.method")));

  const [hello, head] = byPath(spans, "/hello");
  assert.equal(hello!.traceId, TRACE); // continued from traceparent
  assert.equal(hello!.parentSpanId, PARENT);
  assert.deepEqual(attrs(hello!), {
    "http.request.method": "GET",
    "url.full": `${app.base}/hello?x=1`,
    "url.scheme": "http",
    "url.path": "/hello",
    "url.query": "x=1",
    "http.response.status_code": "200", // a string on spans, as Deno.serve's
  });
  assert.equal(attrType(hello!, "http.response.status_code"), "stringValue");
  assert.equal(hello!.status.code ?? 0, 0);
  assert.equal(head!.name, "HEAD");
  assert.equal(attr(head!, "url.query"), ""); // present when empty, as Deno.serve's

  // The handler ran in the server span's context: its span is a child, its fetch a grandchild.
  const [users] = byPath(spans, "/users/42");
  assert.equal(users!.parentSpanId, ""); // no traceparent: a root
  assert.equal(attr(users!, "http.route"), "/users/:id"); // the handler set it
  const all = spansOf(got);
  const loadUser = all.find((s) => s.name === "load-user")!;
  assert.equal(loadUser.parentSpanId, users!.spanId);
  assert.equal(loadUser.traceId, users!.traceId);
  const fetchSpan = all.find((s) => s.kind === CLIENT)!;
  assert.equal(fetchSpan.parentSpanId, loadUser.spanId);
  assert.equal(user.downstreamSawTraceparent, `00-${users!.traceId}-${fetchSpan.spanId}-01`);

  for (const [path, status] of [["/busy", "503"], ["/boom", "500"]]) {
    const [failed] = byPath(spans, path!);
    assert.equal(failed!.status.code, ERROR, path);
    assert.equal(attr(failed!, "error.type"), status);
    assert.equal(attr(failed!, "http.response.status_code"), status);
  }

  const durations = points(got, "http.server.request.duration");
  assert.equal(count(durations), 8);
  assert.deepEqual(durations[0]!.explicitBounds, DURATION_BOUNDS_S);
  const routed = pointWith(durations, {
    "http.request.method": "GET",
    "url.scheme": "http",
    "network.protocol.version": "1.1",
    "http.response.status_code": "200",
    "http.route": "/users/:id",
  });
  assert.equal(attrType(routed, "http.response.status_code"), "intValue"); // an int on metrics
  assert.equal(metricOf(got, "http.server.request.duration")!.unit, "s");

  const common = { "url.scheme": "http", "network.protocol.version": "1.1" };
  const requestSizes = points(got, "http.server.request.body.size");
  const posted = pointWith(requestSizes, {
    ...common,
    "http.request.method": "POST",
    "http.response.status_code": "200",
  });
  assert.equal(posted.sum, 150);
  assert.deepEqual(posted.explicitBounds, SIZE_BOUNDS_BYTES);
  const responseSizes = points(got, "http.server.response.body.size");
  const ok = { ...common, "http.request.method": "GET", "http.response.status_code": "200" };
  const plain = pointWith(responseSizes, ok); // /hello?x=1 and /stream: the real sizes
  assert.equal(Number(plain.count), 2);
  assert.equal(plain.sum, "hello world\n".length + "chunk 1\n".length * 3);
  assert.equal(pointWith(responseSizes, { ...ok, "http.request.method": "HEAD" }).sum, 0);
  assert.equal(
    pointWith(responseSizes, { ...ok, "http.route": "/users/:id" }).sum,
    JSON.stringify(user).length,
  );

  // A WebSocket upgrade ends at its 101, as on Deno.serve, not when the socket closes.
  const [ws] = byPath(spans, "/ws");
  assert.equal(attr(ws!, "http.response.status_code"), "101");
  const active = points(got, "http.server.active_requests");
  assert.ok(active.length > 0 && active.every((p) => Number(p.asDouble ?? p.asInt) === 0));
  assert.deepEqual(attrs(active.find((p) => attr(p, "http.request.method") === "GET")!), {
    "http.request.method": "GET",
    "url.scheme": "http",
  });
});

Deno.test("native routes with OTEL_DENO=true: http.route from the router, real body sizes, refusals recorded", async () => {
  await using receiver = startReceiver();
  await using down = downstream();
  const app = await startApp("router", receiver.endpoint, true, down.url);
  let user: { downstreamSawTraceparent: string };
  let badHead: string, tooLong: string, tooMuch: string, old: string;
  try {
    user = await (await fetch(`${app.base}/users/7`, {
      headers: { traceparent: `00-${TRACE}-${PARENT}-01` },
    })).json();
    assert.equal((await fetch(`${app.base}/nope`).then((r) => (r.body?.cancel(), r))).status, 404);
    const wrong = await fetch(`${app.base}/hello`, { method: "POST" });
    await wrong.body?.cancel();
    assert.equal(wrong.status, 405);
    const chunks = ReadableStream.from(
      ["a", "b", "c"].map((c) => new TextEncoder().encode(c.repeat(100))),
    );
    const upload = await fetch(`${app.base}/upload`, { method: "POST", body: chunks });
    assert.deepEqual(await upload.json(), { bytes: 300 }); // sent chunked
    assert.equal(await (await fetch(`${app.base}/stream`)).text(), "chunk 1\nchunk 2\nchunk 3\n");
    // Refused before a handler: a malformed head, a Content-Length over MAX_BODY_BYTES
    // (1000 here), a chunked body that passes it while read; and an HTTP/1.0 request.
    badHead = await raw(app.port, "GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n");
    tooLong = await raw(
      app.port,
      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n",
    );
    const chunk = `300\r\n${"x".repeat(0x300)}\r\n`;
    tooMuch = await raw(
      app.port,
      `POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}${chunk}0\r\n\r\n`,
    );
    old = await raw(app.port, "GET /hello HTTP/1.0\r\n\r\n");
  } finally {
    await app.stop();
  }
  assert.match(badHead, /^HTTP\/1\.1 400 /);
  assert.match(tooLong, /^HTTP\/1\.1 413 /);
  assert.match(tooMuch, /^HTTP\/1\.1 413 /);
  assert.match(old, /^HTTP\/1\.1 200 /); // RFC 9110 §6.2: our version, whatever the client's
  const got = receiver.got;
  const spans = serverSpans(got);
  assert.equal(spans.length, 8); // every request but the one with no head

  const [users] = byPath(spans, "/users/7");
  assert.equal(users!.traceId, TRACE);
  assert.equal(users!.parentSpanId, PARENT);
  assert.equal(attr(users!, "http.route"), "/users/:id"); // the router's pattern
  const all = spansOf(got);
  const loadUser = all.find((s) => s.name === "load-user")!;
  assert.equal(loadUser.parentSpanId, users!.spanId); // a native handler runs in the span too
  const fetchSpan = all.find((s) => s.kind === CLIENT)!;
  assert.equal(fetchSpan.parentSpanId, loadUser.spanId);
  assert.equal(user.downstreamSawTraceparent, `00-${TRACE}-${fetchSpan.spanId}-01`);

  const [nope] = byPath(spans, "/nope");
  assert.equal(attr(nope!, "http.route"), undefined);
  assert.equal(attr(nope!, "http.response.status_code"), "404");
  assert.equal(nope!.status.code ?? 0, 0); // a 4xx is no server error
  const [notAllowed, old10] = byPath(spans, "/hello");
  assert.equal(attr(notAllowed!, "http.route"), "/hello");
  assert.equal(attr(notAllowed!, "http.response.status_code"), "405");
  assert.equal(attr(old10!, "url.full"), "http://localhost/hello");

  const [, contentLength, chunked] = byPath(spans, "/upload");
  assert.deepEqual(
    [contentLength, chunked].map((s) => [attr(s!, "http.route"), attr(s!, "error.type")]),
    [[undefined, "body_too_large"], ["/upload", "body_too_large"]], // refused before or after routing
  );
  assert.ok([contentLength, chunked].every((s) => (s!.status.code ?? 0) === 0));

  const durations = points(got, "http.server.request.duration");
  assert.equal(count(durations), 9);
  const refusedHead = durations.filter((p) => attr(p, "http.request.method") === "_OTHER");
  assert.equal(refusedHead.length, 1);
  assert.equal(attr(refusedHead[0]!, "http.response.status_code"), "400");
  assert.equal(attr(refusedHead[0]!, "error.type"), "space_before_colon"); // the refusal's code
  assert.equal(attr(refusedHead[0]!, "network.protocol.version"), undefined); // no head: unknown
  const common = { "url.scheme": "http", "network.protocol.version": "1.1" };
  const old10Point = pointWith(durations, {
    ...common,
    "network.protocol.version": "1.0",
    "http.request.method": "GET",
    "http.response.status_code": "200",
    "http.route": "/hello",
  });
  assert.equal(Number(old10Point.count), 1);

  const requestSizes = points(got, "http.server.request.body.size");
  const post = { ...common, "http.request.method": "POST", "http.route": "/upload" };
  assert.equal(pointWith(requestSizes, { ...post, "http.response.status_code": "200" }).sum, 300);
  const refusedBody = pointWith(requestSizes, {
    ...post,
    "http.response.status_code": "413",
    "error.type": "body_too_large",
  });
  assert.equal(refusedBody.sum, 0x300); // the chunk read before the one that passed the limit
  const responseSizes = points(got, "http.server.response.body.size");
  const stream = pointWith(responseSizes, {
    ...common,
    "http.request.method": "GET",
    "http.response.status_code": "200",
    "http.route": "/stream",
  });
  assert.equal(stream.sum, 24); // the chunks' data, without the chunked framing
  const active = points(got, "http.server.active_requests");
  assert.ok(active.every((p) => Number(p.asDouble ?? p.asInt) === 0));
});

Deno.test("with OpenTelemetry off nothing is exported, and rawhttp's telemetry is null", async () => {
  await using receiver = startReceiver();
  for (const mode of ["serve", "router"] as const) {
    const app = await startApp(mode, receiver.endpoint, false);
    try {
      await (await fetch(`${app.base}/hello`)).text();
      assert.match(await raw(app.port, "GET / HTTP/1.1\r\n\r\n"), /^HTTP\/1\.1 400 /);
    } finally {
      await app.stop();
    }
  }
  assert.deepEqual(receiver.got, { traces: [], metrics: [], logs: [] });
});

Deno.test("concurrent requests each keep their own trace, in the handler and in its fetch", async () => {
  await using receiver = startReceiver();
  await using down = downstream();
  const app = await startApp("serve", receiver.endpoint, true, down.url);
  const traces = Array.from({ length: 20 }, (_, i) => (i + 1).toString(16).padStart(32, "a"));
  const parentOf = (i: number) => (i + 16).toString(16).padStart(16, "0");
  let answers: Array<{ downstreamSawTraceparent: string }>;
  try {
    answers = await Promise.all(traces.map((trace, i) =>
      fetch(`${app.base}/users/${i}`, {
        headers: { traceparent: `00-${trace}-${parentOf(i)}-01` },
      }).then((r) => r.json())
    ));
  } finally {
    await app.stop();
  }
  const all = spansOf(receiver.got);
  for (const [i, trace] of traces.entries()) {
    const server = all.filter((s) => s.kind === SERVER && s.traceId === trace);
    assert.equal(server.length, 1);
    assert.equal(server[0]!.parentSpanId, parentOf(i));
    assert.equal(attr(server[0]!, "url.path"), `/users/${i}`);
    const loadUser = all.filter((s) => s.name === "load-user" && s.traceId === trace);
    assert.equal(loadUser.length, 1);
    assert.equal(loadUser[0]!.parentSpanId, server[0]!.spanId);
    assert.ok(answers[i]!.downstreamSawTraceparent.startsWith(`00-${trace}-`));
  }
});
