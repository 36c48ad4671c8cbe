/**
 * The fetch `Request` a fetch handler receives, made cheaply.
 *
 * `new Request(url, { method, headers, signal })` costs 3.5–5.8 µs, a third to
 * a half of what `Deno.serve` spends on a whole request, and most handlers
 * read only the method, the URL and a header or two. So the handler gets a
 * {@link NativeRequest}: `method`, `url`, `headers`, `signal` and (for a
 * request without a body) `body` come straight from the native request, and
 * the real `Request` is built only when anything else is used (a body method,
 * `clone()`, `new Request(req)`, `fetch(req)`, …); from then on that
 * `Request` answers. `Deno.serve` builds its requests lazily too.
 *
 * It is a `Request` as far as code can tell: `instanceof Request` holds, and
 * every `Request` member works, also through a `Proxy` or an object that
 * inherits from it. Its prototype chain runs through a `Proxy` (whose target
 * inherits from `Request.prototype`) that forwards the members of
 * `Request.prototype` and the runtime's own symbol-keyed slots (which
 * `new Request(req)` and `fetch(req)` read) to the real `Request`.
 *
 * The URL is the one the real `Request` has (parsed and serialised), so a
 * check on `req.url` holds for a copy made with `new Request(req)` or
 * `fetch(req)`. The headers are immutable, as `Deno.serve`'s are, so what
 * the handler reads is what a copy carries.
 *
 * @module
 */

import type { RawRequest } from "../app/request.ts";

/** GET and HEAD requests carry no body in the fetch API (a `Request` refuses one). */
const NO_BODY_METHODS = new Set(["GET", "HEAD"]);

/** A request's headers, which a handler may read but not change (as with `Deno.serve`). */
class ImmutableHeaders extends Headers {
  override append(): void {
    throw new TypeError("Headers are immutable.");
  }
  override set(): void {
    throw new TypeError("Headers are immutable.");
  }
  override delete(): void {
    throw new TypeError("Headers are immutable.");
  }
}

/** What a {@link NativeRequest} holds, under a symbol: a `Proxy` of it must reach it too. */
interface State {
  readonly raw: RawRequest;
  readonly url: string;
  headers: Headers | null;
  signal: AbortSignal | null;
  real: Request | null;
}

const STATE = Symbol("rawhttp request state");

/**
 * A `Request` whose state lives in a native request until something needs
 * the real one. Made only by {@link toRequest}.
 */
class NativeRequest {
  readonly [STATE]: State;

  constructor(raw: RawRequest, url: string) {
    this[STATE] = { raw, url, headers: null, signal: null, real: null };
  }

  get method(): string {
    return this[STATE].raw.method;
  }

  get url(): string {
    return this[STATE].url;
  }

  get headers(): Headers {
    const state = this[STATE];
    return state.headers ??= new ImmutableHeaders(state.raw.headers.pairs());
  }

  get signal(): AbortSignal {
    const state = this[STATE];
    // A route that does not stream has no exchange signal: each request
    // still gets its own (a shared one would collect every handler's listeners).
    return state.signal ??= state.real?.signal ?? state.raw.signal ??
      new AbortController().signal;
  }

  get body(): ReadableStream<Uint8Array> | null {
    const state = this[STATE];
    if (state.real === null && !hasBody(state.raw)) return null;
    return materialise(state).body;
  }

  get bodyUsed(): boolean {
    return this[STATE].real?.bodyUsed ?? false; // the body is only reachable through the real Request
  }

  get [Symbol.toStringTag](): string {
    return "Request";
  }
}

/** The real `Request`, built on first need from the same method, URL, headers, signal and body. */
function materialise(state: State): Request {
  if (state.real !== null) return state.real;
  const raw = state.raw;
  if (raw.method === "TRACE") throw new TypeError(TRACE_REFUSED);
  const init: RequestInit & { duplex?: "half" } = {
    method: raw.method,
    // Pairs, not a Headers object, when the handler has not read them: the
    // Request copies them into its own anyway.
    headers: state.headers ?? raw.headers.pairs(),
  };
  // Aborts with the client's leaving, so `fetch(req)` to an upstream stops then.
  const signal = state.signal ?? raw.signal;
  if (signal !== null) init.signal = signal;
  if (hasBody(raw)) {
    init.body = raw.bodyStream;
    init.duplex = "half"; // a streamed request body (required by the fetch spec)
  }
  return state.real = new Request(state.url, init);
}

/**
 * Deno's `Request` constructor refuses the method TRACE ("Method is
 * forbidden"); `Deno.serve` makes its TRACE requests with internal APIs that
 * rawhttp does not use. The parser accepts TRACE (RFC 9110 §9.3.8), so a
 * handler reads its method, URL, headers and signal, and gets this error
 * (answered 500 through `onError`) for anything that needs a real `Request`.
 */
const TRACE_REFUSED =
  "a TRACE request has no fetch Request in Deno's public API: read its method, url, headers and signal only";

/** Symbols such as `Symbol.toPrimitive`: looked up by the language, never the runtime's slots. */
const WELL_KNOWN_SYMBOLS = new Set(
  Object.getOwnPropertyNames(Symbol)
    .map((name) => (Symbol as unknown as Record<string, unknown>)[name])
    .filter((value) => typeof value === "symbol"),
);

const forwardToReal: ProxyHandler<object> = {
  get(target, key, receiver) {
    // What Request.prototype lacks (Object.prototype's members, "then", which
    // `await` probes, well-known symbols) is looked up as usual, without a build.
    const forwarded = typeof key === "string"
      ? Object.hasOwn(Request.prototype, key)
      : !WELL_KNOWN_SYMBOLS.has(key);
    if (!forwarded) return Reflect.get(target, key, receiver);
    const state = (receiver as NativeRequest)[STATE];
    if (state === undefined) throw new TypeError("Illegal invocation");
    const real = materialise(state);
    const value: unknown = Reflect.get(real, key, real);
    // Bound: the runtime's methods then see the real Request as `this`.
    return typeof value === "function" ? value.bind(real) : value;
  },
};

// Whatever the class does not define is read through the proxy.
Object.setPrototypeOf(
  NativeRequest.prototype,
  new Proxy(Object.create(Request.prototype), forwardToReal),
);
Object.defineProperty(NativeRequest.prototype, "constructor", { value: Request });

function hasBody(raw: RawRequest): raw is RawRequest & { bodyStream: ReadableStream<Uint8Array> } {
  return raw.bodyStream !== null && !NO_BODY_METHODS.has(raw.method);
}

/** The native request behind a `Request` made by {@link toRequest}, or null for any other. */
export function nativeOf(request: Request): RawRequest | null {
  return request instanceof NativeRequest ? request[STATE].raw : null;
}

/**
 * The fetch `Request` for a native request. Throws a TypeError when its URL
 * does not parse (a Host such as "a%zz"), as `new Request` would.
 */
export function toRequest(raw: RawRequest): Request {
  return new NativeRequest(raw, requestUrl(raw)) as unknown as Request;
}

/**
 * The absolute URL of a request, as the URL parser serialises it: the
 * absolute-form target as sent, else `http://` + Host + the target (RFC 9112
 * §3.3), `https://` over TLS. Throws a TypeError if it does not parse.
 */
function requestUrl(raw: RawRequest): string {
  const target = raw.target;
  // null for the absolute-form, whose target is the whole URL.
  const host = target.startsWith("/") ? raw.headers.get("host") || "localhost" : null;
  const secure = raw.secure;
  // The parse is pure, and it took about 5% of a fetch request's CPU
  // (measured in memory): the last request's answer is usually this one's.
  // Keyed on the parts, not the joined URL: joining made a string to compare.
  if (host === lastHost && target === lastTarget && secure === lastSecure) return lastHref;
  const scheme = secure ? "https" : "http";
  const url = host !== null
    ? `${scheme}://${host}${target}`
    : target === "*"
    ? `${scheme}://localhost/`
    : target;
  const href = new URL(url).href; // throws before the memo changes
  lastHost = host;
  lastTarget = target;
  lastSecure = secure;
  lastHref = href;
  return href;
}

/** The last request's Host (null for the absolute-form), target and URL. */
let lastHost: string | null = null;
let lastTarget = ""; // no request has an empty target
let lastSecure = false;
let lastHref = "";
