/**
 * Calling a route's handler: in a pool permit, once a buffered route's body
 * is read, and handing on what it answers.
 *
 * Whatever the handler does, a response comes out: a throw, a rejection or
 * something that is not a response becomes a 500 with a generic text (the
 * error is logged, never sent). A thenable of any kind is adopted, as
 * `await` would.
 *
 * The handler's answer goes straight to the connection's `answer`: at once
 * from a synchronous handler (no microtask hop), else in the one `then` on
 * its promise, which also gives back the pool permit and checks the
 * response. A chain of three there (pool, check, answer) cost async native
 * handlers 12–14%, fetch handlers 4–8%.
 *
 * @module
 */

import type { Closing } from "./closing.ts";
import type { Exchange } from "./exchange.ts";
import { connectionLog, handlerLog } from "./log.ts";
import type { ConnectionContext } from "./connection_context.ts";
import { WebSocketUpgradeError } from "./upgrade.ts";
import { peer } from "./access_log.ts";
import { type Handler, isRawResponse, type RawResponse, text } from "../app/response.ts";
import { isThenable } from "./thenable.ts";
import type { Match, Route } from "../app/router.ts";
import { type Permit, type Pool, POOL_FULL } from "./pool.ts";
import { RawRequest, type RemoteAddr } from "../app/request.ts";
import { rejection } from "../protocol/rejections.ts";
import type { Step } from "./step.ts";
import type { Streams } from "./streams.ts";
import { telemetry } from "./telemetry.ts";

const NOT_FOUND = text("Not Found\n", { status: 404 });

/** Where a handler's response goes: the connection writes it, and resolves to whether to keep the connection. */
export type Answer = (response: RawResponse, exchange: Exchange) => Step<boolean>;

/** Calls one connection's handlers; one per connection. */
export class HandlerCaller {
  readonly #remote: RemoteAddr;
  readonly #pool: Pool;
  readonly #streams: Streams;
  readonly #closing: Closing;
  readonly #answer: Answer;
  readonly #secure: boolean;

  /** For the connection from `remote`, sharing `ctx`'s pool; responses go to `answer`. */
  constructor(
    remote: RemoteAddr,
    ctx: ConnectionContext,
    streams: Streams,
    closing: Closing,
    answer: Answer,
  ) {
    this.#remote = remote;
    this.#secure = ctx.secure === true;
    const pool = ctx.pool;
    this.#pool = pool;
    this.#streams = streams;
    this.#closing = closing;
    this.#answer = answer;
  }

  /**
   * Runs `route`'s handler on the request of `exchange` (with its body
   * `buffered` when the route does not stream it), and hands its response
   * to the connection. Detour: a wait for a pool permit (503 when the queue
   * is full too).
   */
  run(
    exchange: Exchange,
    route: Route,
    params: Readonly<Record<string, string>>,
    buffered: Uint8Array,
  ): Step<boolean> {
    if (route.streamBody) exchange.streaming = this.#streams.start(exchange.body);
    const { head, streaming } = exchange;
    const request = new RawRequest(head, buffered, this.#remote, params, streaming, this.#secure);
    if (!route.pooled) return callHandler(route.handler, request, null, this.#answer, exchange);
    const permit = this.#pool.acquire();
    if (permit === POOL_FULL) {
      this.#streams.end(new Error("server busy"));
      exchange.keepAlive = false;
      return this.#answer(rejection("overloaded", { "Retry-After": "1" }), exchange);
    }
    if (permit instanceof Promise) return this.#afterPermit(permit, exchange, route, request);
    lendWhileWaiting(exchange, permit);
    return callHandler(route.handler, request, permit, this.#answer, exchange);
  }

  /** The detour of {@link run} that waits for a pool permit. */
  async #afterPermit(
    permit: Promise<Permit>,
    exchange: Exchange,
    route: Route,
    request: RawRequest,
  ): Promise<boolean> {
    const granted = await permit;
    // The connection closed while the request waited (the client left), or
    // shutdown's deadline answered it with 503: its handler must not run (a
    // client may retry a 503, and a request must not be carried out twice).
    if (this.#closing.closed || this.#closing.abandoned) {
      granted.release();
      return false;
    }
    lendWhileWaiting(exchange, granted);
    // Not awaited: a response answered at once costs no further hop.
    return callHandler(route.handler, request, granted, this.#answer, exchange);
  }

  /**
   * Reads a buffered route's whole body, then runs the route. The body is
   * read before a permit is taken: a slow upload holds a connection, not a
   * worker.
   */
  async readBodyThenRun(
    exchange: Exchange,
    route: Route,
    params: Readonly<Record<string, string>>,
  ): Promise<boolean> {
    const all = await exchange.body.readAll();
    if (this.#closing.abandoned) return false; // shutdown answered it: its handler must not run
    if (typeof all === "string") {
      return await this.#closing.refuse(all, exchange.head, exchange.body);
    }
    return await this.run(exchange, route, params, all);
  }
}

/**
 * While a streaming handler waits for its body to arrive, its permit is lent
 * to the pool (see pool.ts): a slow upload holds no worker.
 */
function lendWhileWaiting(exchange: Exchange, permit: Permit): void {
  if (!exchange.body.done) exchange.body.lendWhileWaiting(permit);
}

/** The answer to a request no route took: 404, or 405 with the methods its path has. */
export function routeMiss(
  match: Exclude<Match, { kind: "found" }>,
  exchange: Exchange,
): RawResponse {
  if (match.kind === "not_found") return NOT_FOUND;
  exchange.counted = match.metered ? match.pattern : null;
  return text("Method Not Allowed\n", { status: 405, headers: { "Allow": match.allow } });
}

/**
 * Runs `handler` on `request` and passes its response (or a 500) with `arg`
 * to `answer`, giving back `permit` (when there is one) first, as soon as the
 * handler is done.
 */
export function callHandler<A, R>(
  handler: Handler,
  request: RawRequest,
  permit: Permit | null,
  answer: (response: RawResponse, arg: A) => Step<R>,
  arg: A,
): Step<R> {
  let result: unknown;
  try {
    // With OpenTelemetry on, in the request's span context (its `then` below stays outside it).
    result = telemetry === null ? handler(request) : telemetry.run(arg, handler, request);
  } catch (error) {
    permit?.release();
    return answer(handlerFailed(request, error), arg);
  }
  if (isThenable(result)) {
    // A native promise, or any thenable (another realm's, a library's): adopted as await would.
    const settling = result instanceof Promise ? result : Promise.resolve(result);
    return settling.then(
      (response: unknown) => {
        permit?.release();
        return answer(checked(request, response), arg);
      },
      (error: unknown) => {
        permit?.release();
        return answer(handlerFailed(request, error), arg);
      },
    );
  }
  permit?.release();
  return answer(checked(request, result), arg);
}

/** Says so when a handler upgraded its request but answers with something else than the 101. */
function notUpgraded(request: RawRequest, response: unknown): void {
  if ((response as { status?: unknown } | null)?.status === 101) return;
  handlerLog.warn(
    "{path}: upgradeWebSocket() was called, but its response was not returned: the socket never opens",
    { path: request.rawPath },
  );
  (request.upgraded as { shutdown?: () => void }).shutdown?.();
}

/** The answer to a request that asked for a WebSocket wrongly, with its refusal logged. */
function upgradeRefused(request: RawRequest, error: WebSocketUpgradeError): RawResponse {
  connectionLog.warn("refused a WebSocket upgrade of {path} from {remote}: {code}", {
    path: request.rawPath,
    remote: peer(request.remoteAddr),
    code: error.code,
  });
  return {
    status: error.status,
    headers: [["Content-Type", "text/plain; charset=utf-8"], ...error.headers] as Array<
      [string, string]
    >,
    body: error.message + "\n",
  };
}

/** The handler's answer if it is a response; a 500 otherwise. */
export function checked(request: RawRequest, response: unknown): RawResponse {
  if (request.upgraded !== null) notUpgraded(request, response);
  if (isRawResponse(response)) return response;
  return handlerFailed(request, new TypeError("handler returned something that is not a response"));
}

/** Logs a handler's failure; the 500 that answers it. */
export function handlerFailed(request: RawRequest, error: unknown): RawResponse {
  // Not the handler's fault: the client's upgrade request is invalid (400 or 426).
  if (error instanceof WebSocketUpgradeError) return upgradeRefused(request, error);
  handlerLog.error("handler for {method} {path} threw: {error}", {
    method: request.method,
    path: request.rawPath,
    error,
  });
  return rejection("handler_error");
}
