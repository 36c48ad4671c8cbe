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
import { listenUrl } from "../server/listen.ts";
import { LIMITS } from "../protocol/limits.ts";
import { announce } from "../server/log.ts";

/** The options serve() acts on itself, besides Server.listen's. */
const SERVE_OPTIONS = ["signal", "onListen", "onError", "routes", "handler"];

/**
 * `serve()`'s defaults where they differ from `Server.listen`'s, so that an
 * app that works on `Deno.serve` works unchanged (docs/library.md says why):
 * handlers are not queued behind a pool (every open connection may have one
 * running, as with `Deno.serve`; MAX_CONNECTIONS still bounds them), and the
 * fetch handler's body has no size limit and no deadline (it streams to the
 * handler, which decides). `routes` given beside it keep the server's body
 * limits: a buffered route reads its body into memory. The head, idle and
 * write timeouts stay.
 */
export const SERVE_DEFAULTS = {
  numWorkers: LIMITS.maxConnections.default,
  maxBodyBytes: LIMITS.maxBodyBytes.max,
  bodyTimeoutMs: 0,
} as const;

/** The options of {@link serve}: `Deno.serve`'s options (TCP, TLS, Unix) plus rawhttp's own. */
export interface ServeOptions<Addr extends Deno.NetAddr | Deno.UnixAddr = Deno.NetAddr>
  extends Omit<ServerOptions, "hostname" | "port"> {
  /** Port to listen on (default 8000, as `Deno.serve`; 0 picks a free one). */
  readonly port?: number;
  /** Address to listen on (default "0.0.0.0", as `Deno.serve`). */
  readonly hostname?: string;
  /** Aborting it shuts the server down gracefully. */
  readonly signal?: AbortSignal;
  /** Called once listening; without it, "Listening on …" is printed, as `Deno.serve` does. */
  readonly onListen?: (addr: Addr) => void;
  /** Turns an error thrown by the handler into a response (default: a logged 500). */
  readonly onError?: ErrorHandler;
  /**
   * rawhttp routes served before the handler, such as `/health` and `/metrics`
   * (see `healthHandler` and `metricsHandler`); requests no route matches go
   * to the handler.
   */
  readonly routes?: Routes;
}

/** The options of a {@link serve} on a Unix socket, as `Deno.ServeUnixOptions`. */
export type ServeUnixOptions = ServeOptions<Deno.UnixAddr> & { readonly path: string };

/** The options with the handler inside, as `Deno.serve({ handler })` takes them. */
export interface ServeInit<Addr extends Deno.NetAddr | Deno.UnixAddr = Deno.NetAddr>
  extends ServeOptions<Addr> {
  /** The handler to run for each request. */
  readonly handler: FetchHandler<Addr>;
}

/** What {@link serve} returns: the shape of `Deno.HttpServer`. */
export interface HttpServer<Addr extends Deno.NetAddr | Deno.UnixAddr = Deno.NetAddr>
  extends AsyncDisposable {
  /** Resolves when the server has shut down. */
  readonly finished: Promise<void>;
  /** The address the server listens on (a Unix socket's path). */
  readonly addr: Addr;
  /** Keeps the process alive while the server listens (the default). */
  ref(): void;
  /** Lets the process exit even though the server is listening. */
  unref(): void;
  /** Stops accepting, finishes requests in flight, then closes (see SHUTDOWN_TIMEOUT). */
  shutdown(): Promise<void>;
  /** The rawhttp server underneath, for its pool and metrics. */
  readonly server: Server<Addr>;
}

type AnyAddr = Deno.NetAddr | Deno.UnixAddr;

/**
 * Serves `handler` over HTTP/1.1, as `Deno.serve` does: on TCP (port 8000 by
 * default), over TLS with `cert` and `key`, or on a Unix socket with `path`.
 *
 * @example
 * ```ts ignore
 * import { serve } from "./mod.ts";
 * const server = serve({ port: 8000 }, (req) => new Response(`Hello from ${new URL(req.url).pathname}`));
 * await server.finished;
 * ```
 */
export function serve(handler: FetchHandler): HttpServer;
/** Serves `handler` on the Unix socket at `options.path`. */
export function serve(
  options: ServeUnixOptions,
  handler: FetchHandler<Deno.UnixAddr>,
): HttpServer<Deno.UnixAddr>;
/** Serves `handler` with `options`, as `Deno.serve(options, handler)`. */
export function serve(options: ServeOptions, handler: FetchHandler): HttpServer;
/** Serves `init.handler` on the Unix socket at `init.path`. */
export function serve(
  init: ServeInit<Deno.UnixAddr> & { readonly path: string },
): HttpServer<Deno.UnixAddr>;
/** Serves `init.handler` with the other fields of `init` as options. */
export function serve(init: ServeInit): HttpServer;
export function serve(
  first: unknown,
  second?: unknown,
): HttpServer<AnyAddr> {
  let options: ServeOptions<AnyAddr>;
  let handler: FetchHandler<AnyAddr>;
  if (typeof first === "function") {
    options = {};
    handler = first as FetchHandler<AnyAddr>;
  } else if (typeof first === "object" && first !== null && typeof second === "function") {
    options = first;
    handler = second as FetchHandler<AnyAddr>;
  } else if (
    typeof first === "object" && first !== null && second === undefined &&
    "handler" in first && typeof first.handler === "function"
  ) {
    options = first as ServeOptions<AnyAddr>;
    handler = first.handler as FetchHandler<AnyAddr>;
  } else {
    throw new TypeError("serve() needs a handler");
  }
  checkOptions(options, "serve()", SERVE_OPTIONS);
  // The caller's routes are not changed: they may serve other apps too.
  const router = withFallback(
    options.routes ?? new Router(),
    servedFetchHandler(handler, options.onError),
    {
      body: "stream",
      maxBodyBytes: options.maxBodyBytes ?? SERVE_DEFAULTS.maxBodyBytes,
      bodyTimeoutMs: options.bodyTimeoutMs ?? SERVE_DEFAULTS.bodyTimeoutMs,
    },
  );
  const { signal: _s, onListen: _l, onError: _e, routes: _r, ...serverOptions } = options;
  delete (serverOptions as { handler?: unknown }).handler; // serve({ handler, ... })
  const unix = options.path !== undefined;
  const server: Server<AnyAddr> = Server.listen({
    numWorkers: SERVE_DEFAULTS.numWorkers,
    ...definedOnly(serverOptions),
    ...(unix ? {} : { hostname: options.hostname ?? "0.0.0.0", port: options.port ?? 8000 }),
  }, router);
  if (options.onListen !== undefined) options.onListen(server.addr);
  else announce(`Listening on ${listening(server)}`);
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

/** The options given a value: an explicit undefined must not undo a default. */
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

/**
 * Where the server listens, as `Deno.serve` says it: the socket's path, or
 * the URL, with a `localhost` one beside it for every-interface addresses.
 */
function listening(server: Server<AnyAddr>): string {
  const url = listenUrl(server.addr, server.scheme);
  const addr = server.addr;
  if ("path" in addr || (addr.hostname !== "0.0.0.0" && addr.hostname !== "::")) {
    return url;
  }
  return `${url} (${server.scheme}://localhost:${addr.port}/)`;
}
