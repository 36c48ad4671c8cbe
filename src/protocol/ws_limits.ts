/**
 * The WebSocket limits (message size, send backlog, idle and close
 * timeouts): the `ws…` entries of the library's limits table (limits.ts),
 * where each has its unit, default, range and reason.
 *
 * @module
 */

import { LIMITS } from "./limits.ts";

/** Every WebSocket limit, by the name of its option. */
export const WS_LIMITS = {
  wsMaxMessageBytes: LIMITS.wsMaxMessageBytes,
  wsMaxBufferedBytes: LIMITS.wsMaxBufferedBytes,
  wsIdleTimeoutMs: LIMITS.wsIdleTimeoutMs,
  wsCloseTimeoutMs: LIMITS.wsCloseTimeoutMs,
} as const;

/** The name of one WebSocket limit. */
export type WsLimitName = keyof typeof WS_LIMITS;
