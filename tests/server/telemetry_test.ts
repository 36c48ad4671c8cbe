/**
 * The server's OpenTelemetry (src/server/telemetry.ts, telemetry_semconv.ts)
 * against a stand-in API that records every call: what a request's span and
 * metrics get at each hook, refusals and closes, each signal alone. What
 * Deno's SDK makes of it is tests/e2e/otel_test.ts's part.
 */

import assert from "node:assert/strict";
import { ROOT_CONTEXT, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { Attributes, AttributeValue, Context, SpanStatus } from "@opentelemetry/api";
import {
  HttpTelemetry,
  type OtelApi,
  registeredSignals,
  telemetry,
} from "../../src/server/telemetry.ts";
import {
  DURATION_BOUNDS_S,
  refusalBodyBytes,
  requestAttributes,
  routeOf,
  SCOPE,
} from "../../src/server/telemetry_semconv.ts";
import { parseHead, type RequestHead } from "../../src/protocol/head_parser.ts";
import { FALLBACK_ROUTE, type Match, type Route } from "../../src/app/router.ts";

/** A span of the stand-in tracer, keeping what it was given. */
class FakeSpan {
  readonly attributes: Record<string, AttributeValue | undefined>;
  status: SpanStatus | null = null;
  ended = 0;
  constructor(
    readonly name: string,
    readonly kind: unknown,
    attributes: Attributes,
    readonly parent: Context,
  ) {
    this.attributes = { ...attributes };
  }
  setAttribute(key: string, value: AttributeValue): this {
    this.attributes[key] = value;
    return this;
  }
  setAttributes(attributes: Attributes): this {
    Object.assign(this.attributes, attributes);
    return this;
  }
  setStatus(status: SpanStatus): this {
    this.status = status;
    return this;
  }
  end(): void {
    this.ended++;
  }
}

type Recorded = { name: string; value: number; attributes: Attributes };

/** A stand-in API recording spans, metric records, the context handlers run in. */
function fakeApi() {
  const spans: FakeSpan[] = [];
  const records: Recorded[] = [];
  const instruments: Array<{ name: string; options: unknown }> = [];
  let active: Context | null = null;
  const instrument = (name: string, options: unknown) => {
    instruments.push({ name, options });
    const record = (value: number, attributes: Attributes = {}) =>
      records.push({ name, value, attributes });
    return { record, add: record };
  };
  const api = {
    ROOT_CONTEXT,
    SpanKind,
    SpanStatusCode,
    propagation: {
      extract: (ctx: Context, carrier: unknown, getter: { get(c: unknown, k: string): unknown }) =>
        ctx.setValue(Symbol.for("parent"), getter.get(carrier, "traceparent")),
    },
    trace: {
      getTracer: () => ({
        startSpan: (
          name: string,
          options: { kind: unknown; attributes: Attributes },
          ctx: Context,
        ) => {
          const span = new FakeSpan(name, options.kind, options.attributes, ctx);
          spans.push(span);
          return span;
        },
      }),
      setSpan: (ctx: Context, span: FakeSpan) => ctx.setValue(Symbol.for("span"), span),
    },
    context: {
      with<A extends unknown[], R>(
        ctx: Context,
        fn: (...args: A) => R,
        self: unknown,
        ...args: A
      ): R {
        const before = active;
        active = ctx;
        try {
          return fn.call(self, ...args);
        } finally {
          active = before;
        }
      },
    },
    metrics: {
      getMeter: () => ({ createHistogram: instrument, createUpDownCounter: instrument }),
    },
  };
  return {
    api: api as unknown as OtelApi,
    spans,
    records,
    instruments,
    active: () => active,
    named: (name: string) => records.filter((r) => r.name === name),
  };
}

function head(text: string): RequestHead {
  const result = parseHead(new TextEncoder().encode(text));
  assert.equal(result.kind, "head", JSON.stringify(result));
  return (result as { head: RequestHead }).head;
}

const route = (pattern: string): Match => ({
  kind: "found",
  route: { pattern } as Route,
  params: {},
});
const exchangeOf = (text: string, received = 0) => ({ head: head(text), body: { received } });
const GET = "GET /users/7?x=1 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n";
const BOTH = { tracing: true, metrics: true };
/** Lets the span ends queued as microtasks run (they were queued before this). */
const ended = () => Promise.resolve();
const int = (n: number) => BigInt(n);

Deno.test("registeredSignals() reads the API's global slot: nothing, one signal, both", () => {
  const key = Symbol.for("opentelemetry.js.api.1");
  assert.deepEqual(registeredSignals({}), { tracing: false, metrics: false });
  assert.deepEqual(registeredSignals({ [key]: { version: "1.999.999", metrics: {} } }), {
    tracing: false,
    metrics: true,
  });
  assert.deepEqual(registeredSignals({ [key]: { trace: {}, metrics: {} } }), BOTH);
});

Deno.test("telemetry is null in a process with no OpenTelemetry SDK (the hooks then do nothing)", () => {
  const on = registeredSignals();
  assert.equal(telemetry === null, !on.tracing && !on.metrics);
});

Deno.test("the instruments have Deno.serve's names, units and buckets, in scope rawhttp", async () => {
  const fake = fakeApi();
  new HttpTelemetry(fake.api, BOTH);
  assert.deepEqual(fake.instruments.map((i) => i.name), [
    "http.server.request.duration",
    "http.server.active_requests",
    "http.server.request.body.size",
    "http.server.response.body.size",
  ]);
  assert.deepEqual(
    (fake.instruments[0]!.options as { advice: unknown }).advice,
    { explicitBucketBoundaries: DURATION_BOUNDS_S },
  );
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  assert.equal(SCOPE.version, config.version); // the scope's version is the package's
});

Deno.test("begin() starts a SERVER span named after the method, parent from traceparent, Deno's attributes", () => {
  const fake = fakeApi();
  const t = new HttpTelemetry(fake.api, BOTH);
  const exchange = exchangeOf(
    "GET /users/7?x=1 HTTP/1.1\r\nHost: example.com:8080\r\ntraceparent: 00-abc-def-01\r\n\r\n",
  );
  t.begin({}, exchange, route("/users/:id"), false);
  const [span] = fake.spans;
  assert.equal(span!.name, "GET");
  assert.equal(span!.kind, SpanKind.SERVER);
  assert.equal(span!.parent.getValue(Symbol.for("parent")), "00-abc-def-01");
  assert.deepEqual(span!.attributes, {
    "http.request.method": "GET",
    "url.full": "http://example.com:8080/users/7?x=1",
    "url.scheme": "http",
    "url.path": "/users/7",
    "url.query": "x=1",
    "http.route": "/users/:id",
  });
  assert.deepEqual(fake.named("http.server.active_requests"), [{
    name: "http.server.active_requests",
    value: 1,
    attributes: { "http.request.method": "GET", "url.scheme": "http" },
  }]);
});

Deno.test("run() calls the handler in the span's context; unknown exchanges run as they are", () => {
  const fake = fakeApi();
  const t = new HttpTelemetry(fake.api, BOTH);
  const exchange = exchangeOf(GET);
  t.begin({}, exchange, route("/users/:id"), false);
  const seen = t.run(exchange, (x: number) => [x, fake.active()], 41);
  assert.equal(seen[0], 41);
  assert.equal((seen[1] as Context).getValue(Symbol.for("span")), fake.spans[0]);
  assert.equal(fake.active(), null); // restored after
  assert.deepEqual(t.run({}, () => fake.active(), 0), null);
});

Deno.test("end() sets the status as a string on the span and an int on metrics, with real sizes", async () => {
  const fake = fakeApi();
  const t = new HttpTelemetry(fake.api, BOTH);
  const connection = {};
  const exchange = exchangeOf("POST /upload HTTP/1.0\r\nHost: h\r\nContent-Length: 3\r\n\r\n", 3);
  t.begin(connection, exchange, route("/upload"), true);
  t.end(connection, { status: 201, body: 17 });
  t.end(connection, { status: 201, body: 17 }); // once only
  const [span] = fake.spans;
  assert.equal(span!.ended, 0); // not yet: once the task that wrote the response is done
  await ended();
  assert.equal(span!.ended, 1);
  assert.equal(span!.attributes["http.response.status_code"], "201");
  assert.equal(span!.attributes["url.scheme"], "https");
  assert.equal(span!.status, null);
  const attributes = {
    "http.request.method": "POST",
    "url.scheme": "https",
    "network.protocol.version": "1.0",
    "http.response.status_code": int(201),
    "http.route": "/upload",
  };
  const [duration] = fake.named("http.server.request.duration");
  assert.deepEqual(duration!.attributes, attributes);
  assert.ok(duration!.value >= 0 && duration!.value < 60);
  assert.deepEqual(fake.named("http.server.request.body.size").map((r) => r.value), [3]);
  assert.deepEqual(fake.named("http.server.response.body.size").map((r) => r.value), [17]);
  assert.deepEqual(fake.named("http.server.active_requests").map((r) => r.value), [1, -1]);
  // The end may come by the exchange too (a WebSocket's 101), once.
  const other = exchangeOf(GET);
  t.begin(connection, other, route("/ws"), false);
  t.end(other, { status: 101, body: 0 });
  t.end(connection, { status: 200, body: 0 });
  assert.equal(fake.spans[1]!.attributes["http.response.status_code"], "101");
  assert.equal(fake.named("http.server.request.duration").length, 2);
});

Deno.test("a 5xx makes the span an error with error.type the status; a 4xx does not", () => {
  const fake = fakeApi();
  const t = new HttpTelemetry(fake.api, BOTH);
  for (const status of [503, 404]) {
    const connection = {};
    t.begin(connection, exchangeOf(GET), route("/users/:id"), false);
    t.end(connection, { status, body: 0 });
  }
  const [busy, missing] = fake.spans;
  assert.equal(busy!.attributes["error.type"], "503");
  assert.deepEqual(busy!.status, { code: SpanStatusCode.ERROR, message: "" });
  assert.equal(missing!.attributes["error.type"], undefined);
  assert.equal(missing!.status, null);
  // Metrics carry error.type only for refusals and closes, as Deno's carry none for a 5xx.
  assert.ok(fake.records.every((r) => !("error.type" in r.attributes)));
});

Deno.test("refused(): the open request ends with the refusal's code; one with a head only gets its own span", async () => {
  const fake = fakeApi();
  const t = new HttpTelemetry(fake.api, BOTH);
  const connection = {};
  t.begin(connection, exchangeOf(GET, 700), route("/upload"), false);
  t.refused(connection, "body_too_large", head(GET), false);
  t.refused(connection, "body_too_large", head("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n"), false);
  await ended();
  const [open, headOnly] = fake.spans;
  assert.equal(open!.attributes["http.route"], "/upload");
  assert.equal(open!.attributes["error.type"], "body_too_large");
  assert.equal(open!.attributes["http.response.status_code"], "413");
  assert.equal(open!.status, null);
  assert.equal(headOnly!.name, "HEAD");
  assert.equal(headOnly!.ended, 1);
  assert.deepEqual(fake.named("http.server.request.body.size").map((r) => r.value), [700, 0]);
  assert.deepEqual(
    fake.named("http.server.response.body.size").map((r) => r.value),
    ["Content Too Large\n".length, 0], // none to HEAD
  );
  assert.deepEqual(fake.named("http.server.active_requests").map((r) => r.value), [1, -1, 1, -1]);
});

Deno.test("refused() with no head records metrics only, as method _OTHER, with no protocol version", () => {
  const fake = fakeApi();
  const t = new HttpTelemetry(fake.api, BOTH);
  t.refused(null, "too_many_connections", null, true);
  t.refused({}, "head_too_large", null, false);
  assert.equal(fake.spans.length, 0);
  assert.deepEqual(fake.named("http.server.request.duration").map((r) => r.attributes), [
    {
      "http.request.method": "_OTHER",
      "url.scheme": "https",
      "http.response.status_code": int(503),
      "error.type": "too_many_connections",
    },
    {
      "http.request.method": "_OTHER",
      "url.scheme": "http",
      "http.response.status_code": int(431),
      "error.type": "head_too_large",
    },
  ]);
  assert.equal(fake.named("http.server.active_requests").length, 0); // never counted active
});

Deno.test("closed() ends a request still open: no status, an error, connection_closed; nothing else", async () => {
  const fake = fakeApi();
  const t = new HttpTelemetry(fake.api, BOTH);
  const connection = {};
  t.closed(connection); // nothing open: nothing happens
  t.begin(connection, exchangeOf(GET, 5), route("/users/:id"), false);
  t.closed(connection);
  t.end(connection, { status: 200, body: 3 }); // too late: ended already
  await ended();
  const [span] = fake.spans;
  assert.equal(span!.ended, 1);
  assert.equal(span!.attributes["http.response.status_code"], undefined);
  assert.equal(span!.attributes["error.type"], "connection_closed");
  assert.equal(span!.status!.code, SpanStatusCode.ERROR);
  assert.deepEqual(fake.named("http.server.request.body.size").map((r) => r.value), [5]);
  assert.equal(fake.named("http.server.response.body.size").length, 0); // no response went out
  assert.deepEqual(fake.named("http.server.active_requests").map((r) => r.value), [1, -1]);
});

Deno.test("a second begin() on a connection ends the first as closed: active requests never leak", async () => {
  const fake = fakeApi();
  const t = new HttpTelemetry(fake.api, BOTH);
  const connection = {};
  t.begin(connection, exchangeOf(GET), route("/a"), false);
  t.begin(connection, exchangeOf(GET), route("/b"), false);
  t.end(connection, { status: 200, body: 0 });
  await ended();
  assert.deepEqual(fake.spans.map((s) => [s.ended, s.attributes["error.type"]]), [
    [1, "connection_closed"],
    [1, undefined],
  ]);
  const active = fake.named("http.server.active_requests").map((r) => r.value);
  assert.equal(active.reduce((a, b) => a + b), 0);
});

Deno.test("an http.route the handler sets on the span reaches the metrics when the router had none", () => {
  const fake = fakeApi();
  const t = new HttpTelemetry(fake.api, BOTH);
  const connection = {};
  const exchange = exchangeOf(GET);
  t.begin(connection, exchange, route(FALLBACK_ROUTE), false); // serve()'s catch-all
  t.run(exchange, () => {
    const span = fake.active()!.getValue(Symbol.for("span")) as FakeSpan;
    span.setAttributes({ "http.route": "/users/:id", other: 1 });
  }, undefined);
  t.end(connection, { status: 200, body: 0 });
  const [duration] = fake.named("http.server.request.duration");
  assert.equal(duration!.attributes["http.route"], "/users/:id");
  assert.equal(fake.spans[0]!.attributes["http.route"], "/users/:id");
});

Deno.test("each signal alone: tracing without metrics, metrics without spans", () => {
  for (const signals of [{ tracing: true, metrics: false }, { tracing: false, metrics: true }]) {
    const fake = fakeApi();
    const t = new HttpTelemetry(fake.api, signals);
    const connection = {};
    const exchange = exchangeOf(GET);
    t.begin(connection, exchange, route("/users/:id"), false);
    assert.equal(t.run(exchange, () => fake.active(), undefined) !== null, signals.tracing);
    t.end(connection, { status: 200, body: 1 });
    assert.equal(fake.spans.length, signals.tracing ? 1 : 0);
    assert.equal(fake.records.length, signals.metrics ? 5 : 0);
  }
});

Deno.test("requestAttributes(): the URL from Host, absolute-form and asterisk targets, a Host the URL parser refuses", () => {
  const url = (text: string, scheme = "http") => {
    const { "url.full": full, "url.path": path, "url.query": query } = requestAttributes(
      head(text),
      scheme,
    );
    return [full, path, query];
  };
  assert.deepEqual(url("GET /a%20b HTTP/1.1\r\nHost: h\r\n\r\n", "https"), [
    "https://h/a%20b",
    "/a%20b",
    "",
  ]);
  assert.deepEqual(url("GET http://other:81/p?q HTTP/1.1\r\nHost: other:81\r\n\r\n"), [
    "http://other:81/p?q",
    "/p",
    "q",
  ]);
  assert.deepEqual(url("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"), ["http://localhost/", "/", ""]);
  assert.deepEqual(url("GET /x?y HTTP/1.0\r\n\r\n"), ["http://localhost/x?y", "/x", "y"]);
  assert.deepEqual(url("GET /x?y HTTP/1.1\r\nHost: a%zz\r\n\r\n"), ["http://a%zz/x?y", "/x", "y"]);
});

Deno.test("routeOf(): a found route's or a 405's pattern; none for 404, the fallback or OPTIONS *", () => {
  assert.equal(routeOf(route("/users/:id")), "/users/:id");
  assert.equal(
    routeOf({ kind: "method_not_allowed", allow: "GET", pattern: "/a", metered: true }),
    "/a",
  );
  assert.equal(routeOf({ kind: "not_found" }), undefined);
  assert.equal(routeOf(route(FALLBACK_ROUTE)), undefined);
  assert.equal(routeOf(route("*")), undefined);
  assert.equal(
    refusalBodyBytes("overloaded", null),
    "Service Unavailable: server busy, retry shortly\n".length,
  );
});
