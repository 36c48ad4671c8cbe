/**
 * `upgradeWebSocket()` for fetch handlers: `Deno.upgradeWebSocket`'s
 * signature and behaviour on rawhttp's requests. It returns the socket and a
 * `Response` whose status is 101, which the handler returns; the adapter
 * hands the connection over (server/upgrade.ts has the checks and the
 * socket). `Deno.upgradeWebSocket` itself works only under `Deno.serve`: its
 * response reaching rawhttp is an error that says what to import instead.
 *
 * @module
 */

import type { RawResponse } from "../app/response.ts";
import { RawRequest } from "../app/request.ts";
import {
  upgradeWebSocket as upgradeNative,
  type UpgradeWebSocketOptions,
  type WebSocketUpgrade,
} from "../server/upgrade.ts";
import { nativeOf } from "./fetch_request.ts";

export type { UpgradeWebSocketOptions, WebSocketUpgrade };

/** The 101 responses made here, with the native answer each stands for. */
const ANSWERS = new WeakMap<Response, RawResponse>();

/**
 * A `Response` that reports status 101, as `Deno.upgradeWebSocket`'s does
 * (the fetch API lets no `Response` be built with a 1xx status).
 */
class SwitchingProtocols extends Response {
  constructor(fields: ReadonlyArray<readonly [string, string]>) {
    super(null, { status: 200, headers: fields as Array<[string, string]> });
  }
}
Object.defineProperties(SwitchingProtocols.prototype, {
  status: { get: () => 101 },
  statusText: { get: () => "Switching Protocols" },
  ok: { get: () => false },
});

/**
 * Upgrades a request `serve()` (or `fetchHandler`) gave the handler to a
 * WebSocket, as `Deno.upgradeWebSocket` does: returns the socket (open once
 * the 101 is written) and the response the handler must return. Throws a
 * `WebSocketUpgradeError` (answered 400 or 426 by the default `onError`)
 * when the request is not a valid upgrade, a TypeError for a protocol the
 * client did not offer, or for a request rawhttp did not make.
 *
 * @example
 * ```ts ignore
 * serve((req) => {
 *   if (req.headers.get("upgrade") !== "websocket") return new Response("hi");
 *   const { socket, response } = upgradeWebSocket(req);
 *   socket.onmessage = (e) => socket.send(e.data);
 *   return response;
 * });
 * ```
 */
export function upgradeWebSocket(
  request: Request,
  options?: UpgradeWebSocketOptions,
): WebSocketUpgrade<Response>;
/** The same for a native handler's request: the response to return is a native one. */
export function upgradeWebSocket(
  request: RawRequest,
  options?: UpgradeWebSocketOptions,
): WebSocketUpgrade<RawResponse>;
export function upgradeWebSocket(
  request: Request | RawRequest,
  options: UpgradeWebSocketOptions = {},
): WebSocketUpgrade<Response | RawResponse> {
  if (request instanceof RawRequest) return upgradeNative(request, options);
  const raw = nativeOf(request);
  if (raw === null) {
    throw new TypeError(
      "upgradeWebSocket(): this Request was not served by rawhttp (under Deno.serve, use Deno.upgradeWebSocket)",
    );
  }
  const { socket, response: answer } = upgradeNative(raw, options);
  const response = new SwitchingProtocols(answer.headers as Array<[string, string]>);
  ANSWERS.set(response, answer);
  return { socket, response };
}

/**
 * The native answer for a 101 `Response` a handler returned, with the fields
 * it has now (a handler may add some, a cookie say), or, for
 * `Deno.upgradeWebSocket`'s, the TypeError to report.
 */
export function upgradeAnswer(response: Response): RawResponse | TypeError {
  const answer = ANSWERS.get(response);
  if (answer !== undefined) {
    const fields = answer.headers as Array<[string, string]>; // the connection finds this object
    fields.length = 0;
    response.headers.forEach((value, name) => fields.push([name, value]));
    return answer;
  }
  return new TypeError(
    "Deno.upgradeWebSocket() works only under Deno.serve; on rawhttp, " +
      "import { upgradeWebSocket } from rawhttp's mod.ts and call it the same way",
  );
}
