/**
 * The WebSocket limits: message size, send backlog, idle and close timeouts,
 * each with its unit, default, range and reason, in the shape of the
 * library's other limits (limits.ts).
 *
 * @module
 */

import type { LimitSpec } from "./limits.ts";

const KiB = 1024;
const MiB = 1024 * KiB;
const SECOND = 1000;
const HOUR = 3600 * SECOND;

/** Every WebSocket limit, by the name of its option. */
export const WS_LIMITS = {
  wsMaxMessageBytes: {
    unit: "bytes",
    default: 64 * MiB,
    min: 0,
    max: 1024 * MiB,
    doc: "Largest WebSocket message a peer may send, all its fragments together; larger " +
      "closes the socket with 1009, refused from the frame header before the payload is read. " +
      "64 MiB, as Deno (fastwebsockets' default), so an app that works on Deno.serve works here; " +
      "a message is buffered only as its bytes arrive.",
  },
  wsMaxBufferedBytes: {
    unit: "bytes",
    default: 16 * MiB,
    min: 0,
    max: 1024 * MiB,
    doc: "Bytes a WebSocket may have queued for a peer that does not read; a send() while " +
      "more are queued drops the connection (close event 1006), so a client that stops reading " +
      "cannot grow memory without bound. 16 MiB, as Bun's backpressure limit; Deno has none.",
  },
  wsIdleTimeoutMs: {
    unit: "ms",
    default: 30 * SECOND,
    min: 0,
    max: HOUR,
    doc: "WebSocket keep-alive, as Deno's idleTimeout: after half of it without a byte from " +
      "the peer, a ping; after all of it, close 1001. 30 s, Deno's default: under the 60 s " +
      "after which nginx and common load balancers drop a quiet connection. 0 is off.",
  },
  wsCloseTimeoutMs: {
    unit: "ms",
    default: 5 * SECOND,
    min: 1,
    max: HOUR,
    doc: "How long a WebSocket closing waits for the peer's close frame (or for its own to be " +
      "written) before it closes the connection anyway (close event 1006). 5 s: a peer that " +
      "reads answers in one round trip; one that does not should not hold the socket.",
  },
} as const satisfies Record<string, LimitSpec>;

/** The name of one WebSocket limit. */
export type WsLimitName = keyof typeof WS_LIMITS;
