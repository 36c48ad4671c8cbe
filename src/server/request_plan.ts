/**
 * What a request's head alone decides, before a byte past it is read: how
 * its body is framed, how its `Expect` is answered, and whether the
 * connection is kept after it.
 *
 * Pure: no socket, no clock, so every edge is tested with plain heads
 * (tests/server/request_plan_test.ts). The connection acts on the plan; a
 * head the plan refuses comes back as a {@link RejectionCode}, which only
 * the connection turns into bytes.
 *
 * A request without a body (most of them) gets one of three plans made
 * once, so planning it allocates nothing.
 *
 * @example
 * ```ts
 * import { parseHead } from "../protocol/head_parser.ts";
 * import { planRequest } from "./request_plan.ts";
 * const bytes = new TextEncoder().encode("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n");
 * const parsed = parseHead(bytes);
 * if (parsed.kind === "head") {
 *   const plan = planRequest(parsed.head, 1, { maxRequestsPerConnection: 100 });
 *   if (typeof plan !== "string") plan.framing; // { kind: "length", length: 5 }
 * }
 * ```
 *
 * @module
 */

import { bodyFraming, type Framing } from "../protocol/framing.ts";
import { hasToken } from "../protocol/headers.ts";
import type { Limits } from "../protocol/limits.ts";
import type { RejectionCode } from "../protocol/rejections.ts";
import type { RequestHead } from "../protocol/head_parser.ts";

/** The limits a plan is made under. */
export type PlanLimits = Readonly<Pick<Limits, "maxRequestsPerConnection">>;

/**
 * What the head decided. A class, not an object literal, as every
 * per-request record of the server (see exchange.ts on why).
 */
export class RequestPlan {
  constructor(
    /** How the body is delimited (RFC 9112 §6). */
    readonly framing: Framing,
    /**
     * Whether the client waits for `100 Continue` before it sends its body
     * (RFC 9110 §10.1.1): an HTTP/1.1 `Expect: 100-continue` on a request
     * with a body.
     */
    readonly wantsContinue: boolean,
    /**
     * Whether the connection may stay open after this request: the client
     * keeps it alive and this is not the connection's last allowed request.
     * Later steps may still close it (shutdown, a failed body, the response).
     */
    readonly keepAlive: boolean,
    /**
     * Whether the client meant to send more requests on the connection (it
     * did not ask to close): if the server closes anyway, they may be on
     * their way, and the close must linger.
     */
    readonly clientKeepsAlive: boolean,
  ) {}
}

const NO_BODY: Framing = { kind: "none" };

// The plans of requests without a body, made once: most requests have none,
// and their plan then costs no allocation.
const BODILESS_KEPT = new RequestPlan(NO_BODY, false, true, true);
/** The client would keep the connection, but it served its last allowed request. */
const BODILESS_LAST = new RequestPlan(NO_BODY, false, false, true);
const BODILESS_CLOSED = new RequestPlan(NO_BODY, false, false, false);

/**
 * The plan for the request with `head`, the `served`th on its connection
 * (counting from 1), or why it is refused: a framing the server cannot
 * trust (see framing.ts), or an expectation it cannot meet (417).
 */
export function planRequest(
  head: RequestHead,
  served: number,
  limits: PlanLimits,
): RequestPlan | RejectionCode {
  const framing = bodyFraming(head);
  if (typeof framing === "string") return framing;
  // Expect (RFC 9110 §10.1.1): only 100-continue exists, and an HTTP/1.0
  // client's expectations are ignored. Without a body there is nothing to wait for.
  let wantsContinue = false;
  const expect = head.expect;
  if (expect !== null && head.version === "HTTP/1.1") {
    if (expect.toLowerCase() !== "100-continue") return "unsupported_expectation";
    wantsContinue = framing.kind !== "none";
  }
  const keepsAlive = clientKeepsAlive(head);
  const keepAlive = keepsAlive && served < limits.maxRequestsPerConnection;
  if (framing.kind === "none") {
    return keepAlive ? BODILESS_KEPT : keepsAlive ? BODILESS_LAST : BODILESS_CLOSED;
  }
  return new RequestPlan(framing, wantsContinue, keepAlive, keepsAlive);
}

/**
 * Whether the client means to keep the connection (RFC 9112 §9.3):
 * HTTP/1.1 unless it sent `Connection: close`, HTTP/1.0 only if it sent
 * `Connection: keep-alive`.
 */
export function clientKeepsAlive(head: RequestHead): boolean {
  return head.version === "HTTP/1.1"
    ? !hasToken(head.connection, "close")
    : hasToken(head.connection, "keep-alive");
}
