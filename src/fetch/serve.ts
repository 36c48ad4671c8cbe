/**
 * `serve()`: `Deno.serve`'s API on rawhttp, so a program written for
 * `Deno.serve` runs by changing only its import, and gets rawhttp's limits,
 * timeouts, bounded pool, strict parsing and access log around it.
 *
 * @module
 */

import { type ErrorHandler, type FetchHandler, servedFetchHandler } from "./adapter.ts";
import { serverLog } from "../server/log.ts";
import { Router, type Routes, withFallback } from "../app/router.ts";
import { Server, type ServerOptions } from "../server/server.ts";
import { checkOptions } from "../server/server_options.ts";

/** The options serve() acts on itself, besides Server.listen's. */
const SERVE_OPTIONS = ["signal", "onListen", "onError", "routes", "handler"];

/** The options of {@link serve}: `Deno.serve`'s TCP options plus rawhttp's own. */
export interface ServeOptions extends Omit<ServerOptions, "hostname" | "port"> {
  /** Port to listen on (default 8000, as `Deno.serve`; 0 picks a free one). */
  readonly port?: number;
  /** Address to listen on (default "0.0.0.0", as `Deno.serve`). */
  readonly hostname?: string;
  /** Aborting it shuts the server down gracefully. */
  readonly signal?: AbortSignal;
  /** Called once listening; the default logs "Listening on http://…/" (if logging is set up). */
  readonly onListen?: (addr: Deno.NetAddr) => void;
  /** Turns an error thrown by the handler into a response (default: a logged 500). */
  readonly onError?: ErrorHandler;
  /**
   * rawhttp routes served before the handler, such as `/health` and `/metrics`
   * (see `healthHandler` and `metricsHandler`); requests no route matches go
   * to the handler.
   */
  readonly routes?: Routes;
}

/** The options with the handler inside, as `Deno.serve({ handler })` takes them. */
export interface ServeInit extends ServeOptions {
  /** The handler to run for each request. */
  readonly handler: FetchHandler;
}

/** What {@link serve} returns: the shape of `Deno.HttpServer`. */
export interface HttpServer extends AsyncDisposable {
  /** Resolves when the server has shut down. */
  readonly finished: Promise<void>;
  /** The address the server listens on. */
  readonly addr: Deno.NetAddr;
  /** Keeps the process alive while the server listens (the default). */
  ref(): void;
  /** Lets the process exit even though the server is listening. */
  unref(): void;
  /** Stops accepting, finishes requests in flight, then closes (see SHUTDOWN_TIMEOUT). */
  shutdown(): Promise<void>;
  /** The rawhttp server underneath, for its pool and metrics. */
  readonly server: Server;
}

/**
 * Serves `handler` over HTTP/1.1, as `Deno.serve` does.
 *
 * @example
 * ```ts ignore
 * import { serve } from "./mod.ts";
 * const server = serve({ port: 8000 }, (req) => new Response(`Hello from ${new URL(req.url).pathname}`));
 * await server.finished;
 * ```
 */
export function serve(handler: FetchHandler): HttpServer;
/** Serves `handler` with `options`, as `Deno.serve(options, handler)`. */
export function serve(options: ServeOptions, handler: FetchHandler): HttpServer;
/** Serves `init.handler` with the other fields of `init` as options. */
export function serve(init: ServeInit): HttpServer;
export function serve(
  first: FetchHandler | ServeOptions | ServeInit,
  second?: FetchHandler,
): HttpServer {
  let options: ServeOptions;
  let handler: FetchHandler;
  if (typeof first === "function") {
    options = {};
    handler = first;
  } else if (second !== undefined) {
    options = first;
    handler = second;
  } else if ("handler" in first && typeof first.handler === "function") {
    options = first;
    handler = first.handler;
  } else {
    throw new TypeError("serve() needs a handler");
  }
  checkOptions(options, "serve()", SERVE_OPTIONS);
  // The caller's routes are not changed: they may serve other apps too.
  const router = withFallback(
    options.routes ?? new Router(),
    servedFetchHandler(handler, options.onError),
    { body: "stream" },
  );
  const { signal: _s, onListen: _l, onError: _e, routes: _r, ...serverOptions } = options;
  delete (serverOptions as { handler?: unknown }).handler; // serve({ handler, ... })
  const server = Server.listen({
    ...serverOptions,
    hostname: options.hostname ?? "0.0.0.0",
    port: options.port ?? 8000,
  }, router);
  const onListen = options.onListen ?? ((addr: Deno.NetAddr) => {
    const host = addr.hostname === "0.0.0.0" ? "localhost" : addr.hostname;
    serverLog.info("Listening on http://{host}:{port}/", { host, port: addr.port });
  });
  onListen(server.addr);
  const signal = options.signal;
  if (signal !== undefined) {
    // Nothing awaits the shutdown an abort starts: a failure goes to the log.
    const onAbort = () => {
      server.shutdown().catch((error) => serverLog.error("shutdown failed: {error}", { error }));
    };
    if (signal.aborted) onAbort();
    else {
      signal.addEventListener("abort", onAbort, { once: true });
      // A server shut down otherwise must not stay reachable from a signal that lives on.
      server.finished.then(() => signal.removeEventListener("abort", onAbort));
    }
  }
  return {
    server,
    addr: server.addr,
    finished: server.finished,
    ref: () => server.ref(),
    unref: () => server.unref(),
    shutdown: () => server.shutdown(),
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}
