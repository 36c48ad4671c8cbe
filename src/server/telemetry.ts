/**
 * OpenTelemetry for rawhttp's requests, as `Deno.serve` produces it with
 * `OTEL_DENO=true`: a server span per request (its parent from the
 * request's `traceparent`, never from the ambient context), the handler run
 * inside it so its own spans and its `fetch` calls are children, and the
 * `http.server.*` metrics. See docs/telemetry.md.
 *
 * On or off is decided once, when this module loads: on when an SDK has
 * registered itself in the API's global slot (Deno's built-in one does so
 * before the main module runs). Off, {@link telemetry} is null, the API
 * module is never loaded, and each hook in the connection costs one check
 * of that constant. On, the API is imported here (a top-level await) and
 * the hooks call the methods of {@link HttpTelemetry}:
 *
 * - {@link HttpTelemetry.begin} once a request is routed (connection.ts),
 * - {@link HttpTelemetry.run} around the handler (handler_call.ts),
 * - {@link HttpTelemetry.end} once its response is written (connection.ts),
 * - {@link HttpTelemetry.refused} for a refusal (closing.ts, connection_refusal.ts),
 * - {@link HttpTelemetry.closed} when the connection closes (connection.ts):
 *   a request still open then ends as `connection_closed`.
 *
 * A request's record is found by its connection (one request is answered at
 * a time on a connection) and by its exchange, in a WeakMap: nothing is
 * added to the objects of the hot path.
 *
 * @module
 */

import type * as Api from "./_otel_api.ts";
import type { Attributes, Context, Span, Tracer } from "./_otel_api.ts";
import {
  createInstruments,
  HEADER_GETTER,
  type Instruments,
  intAttr,
  protocolVersion,
  refusalBodyBytes,
  requestAttributes,
  routeOf,
  SCOPE,
} from "./telemetry_semconv.ts";
import type { Match } from "../app/router.ts";
import { type RejectionCode, REJECTIONS } from "../protocol/rejections.ts";
import type { RequestHead } from "../protocol/request_head.ts";

/** The parts of the OpenTelemetry API used here (the npm module, or a test's stand-in). */
export type OtelApi = Pick<
  typeof Api,
  "context" | "metrics" | "propagation" | "trace" | "ROOT_CONTEXT" | "SpanKind" | "SpanStatusCode"
>;

/** Which signals have an SDK behind them. */
export interface Signals {
  readonly tracing: boolean;
  readonly metrics: boolean;
}

/** The global slot `@opentelemetry/api` 1.x and Deno's built-in SDK register in. */
const API_KEY = Symbol.for("opentelemetry.js.api.1");

/**
 * The signals an SDK has registered in `scope`'s API slot: with
 * `OTEL_DENO=true`, both; with `OTEL_DENO_TRACING` or `OTEL_DENO_METRICS`
 * alone, that one. (`Deno.telemetry` is no detector: it always exists.)
 */
export function registeredSignals(scope: object = globalThis): Signals {
  const slot = (scope as Record<symbol, { trace?: unknown; metrics?: unknown } | undefined>)[
    API_KEY
  ];
  return { tracing: slot?.trace !== undefined, metrics: slot?.metrics !== undefined };
}

/** One request's telemetry, from its head to its end. */
export interface TelemetryExchange {
  readonly head: RequestHead;
  /** The request body's bytes read so far (body.ts). */
  readonly body: { readonly received: number };
}

/** What went out, as the response writer reports it. */
export interface TelemetryWritten {
  readonly status: number;
  /** The body's bytes, without the head or chunk framing. */
  readonly body: number;
}

/** One request being recorded. */
class Served {
  /** The route for the metrics: the router's, or one the handler set on the span. */
  route: string | undefined;
  /** The connection it is open on (a key of the open records), once begun. */
  connection: object | null = null;
  constructor(
    readonly exchange: TelemetryExchange | null,
    readonly method: string,
    readonly scheme: string,
    /** `network.protocol.version`, null when no head was read. */
    readonly version: string | null,
    readonly started: number,
    readonly span: Span | null,
    /** The context the handler runs in (the span's), null without tracing. */
    readonly ctx: Context | null,
    route: string | undefined,
    /** The attributes it was counted active with; null if it was not counted. */
    readonly counted: Attributes | null,
  ) {
    this.route = route;
  }
}

/** The server's spans and metrics, through the OpenTelemetry API. */
export class HttpTelemetry {
  readonly #api: OtelApi;
  readonly #tracer: Tracer | null;
  readonly #instruments: Instruments | null;
  /** Open records by connection and by exchange. */
  readonly #open = new WeakMap<object, Served>();

  /** Telemetry through `api` for the `signals` that are on. */
  constructor(api: OtelApi, signals: Signals) {
    this.#api = api;
    this.#tracer = signals.tracing ? api.trace.getTracer(SCOPE.name, SCOPE.version) : null;
    this.#instruments = signals.metrics
      ? createInstruments(api.metrics.getMeter(SCOPE.name, SCOPE.version))
      : null;
  }

  /** A request on `connection` was routed (`match`): its span starts, and it counts as active. */
  begin(connection: object, exchange: TelemetryExchange, match: Match, secure: boolean): void {
    const stale = this.#open.get(connection);
    if (stale !== undefined) this.#close(connection, stale); // not expected: never leak one
    const served = this.#start(exchange.head, secure, routeOf(match), exchange);
    served.connection = connection;
    this.#open.set(connection, served);
    this.#open.set(exchange, served);
  }

  /** Calls `handler(request)` in the span's context of `exchange`'s request. */
  run<Q, R>(exchange: unknown, handler: (request: Q) => R, request: Q): R {
    const served = this.#open.get(exchange as object);
    if (served === undefined || served.ctx === null) return handler(request);
    return this.#api.context.with(served.ctx, handler, undefined, request);
  }

  /**
   * The response to the request of `key` (its connection or its exchange)
   * went out, or was queued: the span ends, the metrics are recorded.
   */
  end(key: object, written: TelemetryWritten): void {
    const served = this.#take(key);
    if (served !== undefined) this.#finish(served, written.status, written.body, null);
  }

  /**
   * A request was refused with `code`: the open one of `connection` (a body
   * too large or too slow, shutdown's 503), else one whose `head` alone was
   * read (a span of its own), else one with no head (metrics only, method
   * `_OTHER`). Its `error.type` is the refusal's code.
   */
  refused(
    connection: object | null,
    code: RejectionCode,
    head: RequestHead | null,
    secure: boolean,
  ): void {
    let served = connection === null ? undefined : this.#take(connection);
    if (served === undefined) {
      served = head !== null ? this.#start(head, secure, undefined, null) : new Served(
        null,
        "_OTHER",
        secure ? "https" : "http",
        null,
        performance.now(),
        null,
        null,
        undefined,
        null,
      );
    }
    this.#finish(served, REJECTIONS[code].status, refusalBodyBytes(code, head), code);
  }

  /** `connection` closed: a request still open ends, with no status, as `connection_closed`. */
  closed(connection: object): void {
    const served = this.#open.get(connection);
    if (served !== undefined) this.#close(connection, served);
  }

  #close(connection: object, served: Served): void {
    this.#take(connection);
    this.#finish(served, null, null, "connection_closed");
  }

  /** The open record of `key` (a connection or an exchange), no longer open. */
  #take(key: object): Served | undefined {
    const served = this.#open.get(key);
    if (served === undefined) return undefined;
    if (served.connection !== null) this.#open.delete(served.connection);
    if (served.exchange !== null) this.#open.delete(served.exchange);
    return served;
  }

  #start(
    head: RequestHead,
    secure: boolean,
    route: string | undefined,
    exchange: TelemetryExchange | null,
  ): Served {
    const api = this.#api;
    const scheme = secure ? "https" : "http";
    const method = head.method;
    let counted: Attributes | null = null;
    if (this.#instruments !== null) {
      counted = { "http.request.method": method, "url.scheme": scheme };
      this.#instruments.active.add(1, counted);
    }
    let span: Span | null = null;
    let ctx: Context | null = null;
    if (this.#tracer !== null) {
      // As Deno.serve: the parent is what the propagators find in the request's
      // headers, on an empty context; never the context around the server
      // (another request's, when a handler's completion served this one).
      const parent = api.propagation.extract(api.ROOT_CONTEXT, head.headers, HEADER_GETTER);
      const attributes = requestAttributes(head, scheme);
      if (route !== undefined) attributes["http.route"] = route;
      span = this.#tracer.startSpan(method, { kind: api.SpanKind.SERVER, attributes }, parent);
      ctx = api.trace.setSpan(parent, span);
    }
    const served = new Served(
      exchange,
      method,
      scheme,
      protocolVersion(head),
      performance.now(),
      span,
      ctx,
      route,
      counted,
    );
    if (span !== null && route === undefined && counted !== null) watchRoute(span, served);
    return served;
  }

  /** Ends the span and records the metrics: `status` null when none went out. */
  #finish(
    served: Served,
    status: number | null,
    responseBytes: number | null,
    errorType: string | null,
  ): void {
    const span = served.span;
    if (span !== null) {
      // Deno.serve writes the status as a string on the span (an int on metrics).
      if (status !== null) span.setAttribute("http.response.status_code", String(status));
      const error = errorType ?? (status !== null && status >= 500 ? String(status) : null);
      if (error !== null) span.setAttribute("error.type", error);
      if (status === null || status >= 500) { // a server span's error: 5xx, or no answer
        span.setStatus({
          code: this.#api.SpanStatusCode.ERROR,
          message: status === null ? "connection closed before the response was complete" : "",
        });
      }
      // Ended once the current task is done, so after the response's write is issued: an
      // end wakes the SDK's export thread, which, sharing the core, then delayed the write and
      // took spans one by one (a native route's request cost ~30% more CPU, measured).
      queueMicrotask(() => span.end());
    }
    const instruments = this.#instruments;
    if (instruments === null) return;
    const attributes: Attributes = {
      "http.request.method": served.method,
      "url.scheme": served.scheme,
    };
    if (served.version !== null) attributes["network.protocol.version"] = served.version;
    if (status !== null) attributes["http.response.status_code"] = intAttr(status);
    if (served.route !== undefined) attributes["http.route"] = served.route;
    if (errorType !== null) attributes["error.type"] = errorType;
    instruments.duration.record((performance.now() - served.started) / 1000, attributes);
    instruments.requestSize.record(served.exchange?.body.received ?? 0, attributes);
    if (responseBytes !== null) instruments.responseSize.record(responseBytes, attributes);
    if (served.counted !== null) instruments.active.add(-1, served.counted);
  }
}

/**
 * Deno.serve copies an `http.route` the handler sets on the server span into
 * the metrics' attributes. The API cannot read a span's attributes back, so
 * this span's `setAttribute(s)` are shadowed to see it (the object stays the
 * SDK's span: children keep their link to it).
 */
function watchRoute(span: Span, served: Served): void {
  const setAttribute = span.setAttribute;
  const setAttributes = span.setAttributes;
  span.setAttribute = function (key, value) {
    if (key === "http.route" && typeof value === "string") served.route = value;
    return setAttribute.call(this, key, value);
  };
  span.setAttributes = function (attributes) {
    const route = attributes["http.route"];
    if (typeof route === "string") served.route = route;
    return setAttributes.call(this, attributes);
  };
}

/**
 * The server's telemetry, or null when no OpenTelemetry SDK is registered
 * (then the API module is not even loaded). Decided once, at load: an SDK
 * registered later (not Deno's, which is there first) is not seen.
 */
export const telemetry: HttpTelemetry | null = await load();

async function load(): Promise<HttpTelemetry | null> {
  const signals = registeredSignals();
  if (!signals.tracing && !signals.metrics) return null;
  return new HttpTelemetry(await import("./_otel_api.ts"), signals);
}
