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
 * every `Request` member works. Its prototype chain runs through a `Proxy`
 * (whose target inherits from `Request.prototype`) that forwards whatever the
 * class does not define, including the runtime's internal symbol-keyed slots
 * that `new Request(req)` and `fetch(req)` read, to the real `Request`.
 *
 * Two differences remain, both also true of `Deno.serve`'s requests: `url` is
 * the Host and target as sent (not re-serialised by the URL parser), and a
 * `headers` object taken before the real `Request` was built is the handler's
 * own copy: changes to it after that do not reach the real `Request`.
 *
 * @module
 */

import type { RawRequest } from "./request.ts";

/** GET and HEAD requests carry no body in the fetch API (a `Request` refuses one). */
const NO_BODY_METHODS = new Set(["GET", "HEAD"]);

/** The signal of a request that can no longer be aborted (a non-streaming route's). */
const NEVER_ABORTED = new AbortController().signal;

/**
 * A `Request` whose state lives in a native request until something needs
 * the real one. Made only by {@link toRequest}.
 */
class NativeRequest {
  readonly #raw: RawRequest;
  readonly #url: string;
  #headers: Headers | null = null;
  #signal: AbortSignal | null = null;
  #real: Request | null = null;

  constructor(raw: RawRequest, url: string) {
    this.#raw = raw;
    this.#url = url;
  }

  get method(): string {
    return this.#raw.method;
  }

  get url(): string {
    return this.#url;
  }

  get headers(): Headers {
    return this.#headers ??= this.#real?.headers ?? new Headers(this.#raw.headers.pairs());
  }

  get signal(): AbortSignal {
    return this.#signal ??= this.#real?.signal ?? this.#raw.signal ?? NEVER_ABORTED;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#real === null && !hasBody(this.#raw)) return null;
    return this.#materialise().body;
  }

  get bodyUsed(): boolean {
    return this.#real?.bodyUsed ?? false; // the body is only reachable through the real Request
  }

  get [Symbol.toStringTag](): string {
    return "Request";
  }

  /** The real `Request`, built on first need from the same method, URL, headers, signal and body. */
  #materialise(): Request {
    if (this.#real !== null) return this.#real;
    const raw = this.#raw;
    const init: RequestInit & { duplex?: "half" } = {
      method: raw.method,
      // Pairs, not a Headers object: the Request copies them into its own anyway.
      headers: this.#headers ?? raw.headers.pairs(),
    };
    const signal = this.#signal ?? raw.signal;
    if (signal !== null) init.signal = signal;
    if (hasBody(raw)) {
      init.body = raw.bodyStream;
      init.duplex = "half"; // a streamed request body (required by the fetch spec)
    }
    return this.#real = new Request(this.#url, init);
  }

  static {
    // Whatever the class does not define is read from the real Request, with
    // methods bound to it: the runtime's own code then sees a real Request.
    // A string key a Request lacks (such as "then", probed by `await`) is
    // undefined without building one; symbols may be the runtime's slots.
    const forward: ProxyHandler<object> = {
      get(target, key, receiver) {
        if (typeof key === "string" && !(key in target)) return undefined;
        const real = (receiver as NativeRequest).#materialise();
        const value: unknown = Reflect.get(real, key, real);
        return typeof value === "function" ? value.bind(real) : value;
      },
    };
    Object.setPrototypeOf(
      NativeRequest.prototype,
      new Proxy(Object.create(Request.prototype), forward),
    );
    Object.defineProperty(NativeRequest.prototype, "constructor", { value: Request });
  }
}

function hasBody(raw: RawRequest): raw is RawRequest & { bodyStream: ReadableStream<Uint8Array> } {
  return raw.bodyStream !== null && !NO_BODY_METHODS.has(raw.method);
}

/**
 * The fetch `Request` for a native request. Throws a TypeError when its URL
 * does not parse (a Host such as "a%zz"), as `new Request` would.
 */
export function toRequest(raw: RawRequest): Request {
  return new NativeRequest(raw, requestUrl(raw)) as unknown as Request;
}

/** The last Host whose URL parsed: a connection's requests mostly share one. */
let lastGoodHost = "";

/**
 * The absolute URL of a request: the absolute-form target as sent, else
 * `http://` + Host + the target (RFC 9112 §3.3). The parser has checked the
 * characters of both; the URL parser may still refuse a Host, so it is asked
 * once per new Host.
 */
function requestUrl(raw: RawRequest): string {
  if (!raw.target.startsWith("/")) {
    const url = raw.target === "*" ? "http://localhost/" : raw.target;
    if (!URL.canParse(url)) throw new TypeError("invalid request URL");
    return url;
  }
  const host = raw.headers.get("host") || "localhost";
  if (host !== lastGoodHost) {
    if (!URL.canParse(`http://${host}/`)) throw new TypeError("invalid Host");
    lastGoodHost = host;
  }
  return `http://${host}${raw.target}`;
}
