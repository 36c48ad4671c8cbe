/**
 * Runs a web-standard fetch handler, `(Request, info) => Response`, on the
 * native path: the same contract as `Deno.serve`, Hono, oak and others.
 *
 * The adapter builds a `Request` whose body is pulled from the socket as the
 * handler reads it (the route streams its body), whose `signal` aborts when the
 * client goes away, and turns the `Response` back into a native response with
 * a stream body, which the response writer sends with Content-Length when it is
 * ready at once and chunked when it is produced over time (`serve()`'s variant
 * collects a ready body itself: see {@link servedFetchHandler}).
 *
 * @module
 */

import { rejection } from "../protocol/rejections.ts";
import { toRequest } from "./fetch_request.ts";
import { upgradeAnswer } from "./upgrade.ts";
import { WebSocketUpgradeError } from "../server/upgrade.ts";
import { handlerLog } from "../server/log.ts";
import { ChunkSource, collectReady, RestOfStream } from "../io/ready_chunks.ts";
import type { RawRequest } from "../app/request.ts";
import type { Handler, RawResponse } from "../app/response.ts";

/** What `Deno.serve` passes as a handler's second argument. */
export interface ServeHandlerInfo<Addr extends Deno.NetAddr | Deno.UnixAddr = Deno.NetAddr> {
  /** The peer's address; on a Unix socket, the socket's path (as `Deno.serve` gives it). */
  readonly remoteAddr: Addr;
  /**
   * Resolves when the response has been written to the client; rejects with
   * `Deno.errors.Interrupted` when it could not be (the client went away).
   */
  readonly completed: Promise<void>;
}

/** A fetch-style handler, as `Deno.serve` takes. */
export type FetchHandler<Addr extends Deno.NetAddr | Deno.UnixAddr = Deno.NetAddr> = (
  request: Request,
  info: ServeHandlerInfo<Addr>,
) => Response | Promise<Response>;

/** Turns a thrown error into a response, as `Deno.serve`'s `onError` does. */
export type ErrorHandler = (error: unknown) => Response | Promise<Response>;

/** The default `onError`: the error goes to the log, the client gets a bare 500. */
export function defaultOnError(error: unknown): Response {
  if (error instanceof WebSocketUpgradeError) return upgradeRefused(error);
  handlerLog.error("fetch handler threw: {error}", { error });
  return new Response("Internal Server Error", {
    status: 500,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
}

/** The answer to a request that asked for a WebSocket wrongly: 400, or 426 with the version. */
function upgradeRefused(error: WebSocketUpgradeError): Response {
  handlerLog.warn("refused a WebSocket upgrade: {code}", { code: error.code });
  const headers = new Headers(error.headers as Array<[string, string]>);
  headers.set("content-type", "text/plain; charset=utf-8");
  return new Response(error.message + "\n", { status: error.status, headers });
}

/**
 * A native handler that runs `handler`. Register it with `{ body: "stream" }`
 * (as `serve()` does) so the request body streams and `signal`/`completed` exist.
 *
 * @example
 * ```ts ignore
 * const router = new Router().fallback(
 *   fetchHandler((req) => new Response(`you asked for ${new URL(req.url).pathname}`)),
 *   { body: "stream" },
 * );
 * ```
 */
export function fetchHandler<Addr extends Deno.NetAddr | Deno.UnixAddr = Deno.NetAddr>(
  handler: FetchHandler<Addr>,
  onError: ErrorHandler = defaultOnError,
): Handler {
  return adapter(handler as FetchHandler<Deno.NetAddr | Deno.UnixAddr>, onError, false);
}

/**
 * `serve()`'s fetch handler: {@link fetchHandler}, except that a body the
 * stream has all ready (a `Response` made from a string, bytes or JSON) is
 * collected here, in the handler's async frame, and the connection queues it
 * at once as bytes, like a native text answer; a body that waits goes on as
 * the rest of its stream. (Probing in the response writer cost an async
 * frame and a promise chain more per request: 1.2 µs of 6.6 in memory.)
 *
 * The bytes are carved from a shared slab (slab.ts), so this handler is only
 * for a route whose responses go straight to the connection, as `serve()`'s
 * fallback does; {@link fetchHandler}, which anyone may call, hands back the
 * stream instead.
 */
export function servedFetchHandler<Addr extends Deno.NetAddr | Deno.UnixAddr = Deno.NetAddr>(
  handler: FetchHandler<Addr>,
  onError: ErrorHandler = defaultOnError,
): Handler {
  return adapter(handler as FetchHandler<Deno.NetAddr | Deno.UnixAddr>, onError, true);
}

function adapter(
  handler: FetchHandler<Deno.NetAddr | Deno.UnixAddr>,
  onError: ErrorHandler,
  collect: boolean,
): Handler {
  return async (raw: RawRequest): Promise<RawResponse> => {
    let request: Request;
    try {
      request = toRequest(raw);
    } catch {
      // A Host the URL parser refuses (e.g. "a%zz"), or an absolute-form target.
      return rejection(raw.target.startsWith("/") ? "invalid_host" : "invalid_target");
    }
    const info = new HandlerInfo(raw);
    let response: Response;
    try {
      const returned: unknown = await handler(request, info);
      if (!(returned instanceof Response)) {
        throw new TypeError("the handler must return a Response");
      }
      if (returned.status === 101) { // a WebSocket upgrade: the connection writes the 101
        const answer = upgradeAnswer(returned);
        if (answer instanceof TypeError) { // Deno.upgradeWebSocket's, not ours
          if (onError !== defaultOnError) handlerLog.error("{error}", { error: answer });
          throw answer;
        }
        return answer;
      }
      response = returned;
    } catch (error) {
      response = raw.bodyRefused && onError === defaultOnError
        // The client's doing (a body too large, too slow, cut off): the
        // connection answers with the body's refusal and logs it as such.
        ? bodyRefusedAnswer(error)
        : await runOnError(onError, error);
    }
    if (!collect) return fromResponse(response);
    // Collected here, not in a helper: an async frame and a turn fewer per request.
    const headers = headerList(response);
    const status = response.status;
    const stream = response.body;
    if (stream === null) return { status, headers } as RawResponse;
    const source = new ChunkSource(stream);
    const collected = await collectReady(source);
    const body = collected.kind === "done" ? collected.bytes : new RestOfStream(source, collected);
    return { status, headers, body } as RawResponse;
  };
}

/**
 * What the default onError answers when the handler failed on a refused
 * body: a 500 the connection replaces with the refusal, logged at debug
 * level only, since the client, not the handler, is at fault.
 */
function bodyRefusedAnswer(error: unknown): Response {
  handlerLog.debug("fetch handler failed on a refused request body: {error}", { error });
  return new Response(null, { status: 500 });
}

async function runOnError(onError: ErrorHandler, error: unknown): Promise<Response> {
  try {
    const response = await onError(error);
    if (response instanceof Response) return response;
    throw new TypeError("onError must return a Response");
  } catch (second) {
    return defaultOnError(second);
  }
}

/**
 * The handler's second argument, built on first use: most handlers never read
 * it, and a promise chain and an address object per request are not free.
 */
class HandlerInfo implements ServeHandlerInfo<Deno.NetAddr | Deno.UnixAddr> {
  readonly #raw: RawRequest;
  #remoteAddr: Deno.NetAddr | Deno.UnixAddr | undefined;
  #completed: Promise<void> | undefined;

  constructor(raw: RawRequest) {
    this.#raw = raw;
  }

  get remoteAddr(): Deno.NetAddr | Deno.UnixAddr {
    const { hostname, port, path } = this.#raw.remoteAddr;
    return this.#remoteAddr ??= path !== undefined
      ? { transport: "unix", path }
      : { transport: "tcp", hostname, port };
  }

  get completed(): Promise<void> {
    if (this.#completed === undefined) {
      this.#completed = (this.#raw.completed ?? Promise.resolve()).catch((error) => {
        throw new Deno.errors.Interrupted(`response not delivered: ${error}`);
      });
      this.#completed.catch(() => {}); // a handler need not await it
    }
    return this.#completed;
  }
}

/** The native response for a fetch `Response` (its body stays a stream). */
export function fromResponse(response: Response): RawResponse {
  const headers = headerList(response);
  const body = response.body;
  return (body === null
    ? { status: response.status, headers }
    : { status: response.status, headers, body }) as RawResponse;
}

/**
 * A response's fields, one entry per Set-Cookie, as the wire needs them.
 * forEach, not the iterator: measured, [...headers] costs 0.9 us and forEach 0.17 us.
 */
function headerList(response: Response): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  response.headers.forEach((value, name) => {
    headers.push([name, value]);
  });
  return headers;
}
