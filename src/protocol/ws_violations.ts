/**
 * Every way a peer's frames can break RFC 6455, as a name with the close code
 * to answer it and a short fixed reason for the close frame.
 *
 * The frame parser returns these as values; only the session turns one into
 * a close frame. Like the HTTP refusals (rejections.ts), the texts are fixed,
 * so a close frame never echoes what the peer sent.
 *
 * @module
 */

import { CLOSE } from "./ws_close_codes.ts";

/** A violation's close code and fixed reason. */
export interface WsViolationSpec {
  /** The close code to answer with. */
  readonly code: 1002 | 1007 | 1009;
  /** The close frame's fixed reason. */
  readonly reason: string;
}

/** The violations by name; each is named after the rule it breaks (RFC 6455 §5, §7.4). */
export const WS_VIOLATIONS = {
  // Frame header (§5.2)
  reserved_bits: { code: CLOSE.protocolError, reason: "reserved bits set" },
  unknown_opcode: { code: CLOSE.protocolError, reason: "unknown opcode" },
  unmasked_frame: { code: CLOSE.protocolError, reason: "client frame not masked" },
  masked_frame: { code: CLOSE.protocolError, reason: "server frame masked" },
  non_minimal_length: { code: CLOSE.protocolError, reason: "length not in its shortest form" },
  length_too_large: { code: CLOSE.protocolError, reason: "64-bit length with its top bit set" },
  // Control frames (§5.5)
  fragmented_control: { code: CLOSE.protocolError, reason: "fragmented control frame" },
  control_too_long: { code: CLOSE.protocolError, reason: "control frame over 125 bytes" },
  // Fragmentation (§5.4)
  unexpected_continuation: { code: CLOSE.protocolError, reason: "continuation without a message" },
  expected_continuation: {
    code: CLOSE.protocolError,
    reason: "new message inside a fragmented one",
  },
  // Close frames (§5.5.1, §7.4)
  close_too_short: { code: CLOSE.protocolError, reason: "close frame of one byte" },
  invalid_close_code: { code: CLOSE.protocolError, reason: "invalid close code" },
  invalid_close_reason: { code: CLOSE.invalidPayload, reason: "close reason is not UTF-8" },
  // Payload (§8.1) and our limit
  invalid_utf8: { code: CLOSE.invalidPayload, reason: "text is not UTF-8" },
  message_too_big: { code: CLOSE.messageTooBig, reason: "message too big" },
} as const satisfies Record<string, WsViolationSpec>;

/** The name of one violation, such as `"reserved_bits"`. */
export type WsViolation = keyof typeof WS_VIOLATIONS;

/** The parser's event for a violation: its name, close code and reason. */
export interface WsViolationEvent {
  /** Marks a violation among the parser's events. */
  readonly kind: "error";
  /** Which rule the peer broke. */
  readonly violation: WsViolation;
  /** The close code to answer with. */
  readonly code: 1002 | 1007 | 1009;
  /** The close frame's fixed reason. */
  readonly reason: string;
}

/** The event for violation `name`. */
export function violation(name: WsViolation): WsViolationEvent {
  const { code, reason } = WS_VIOLATIONS[name];
  return { kind: "error", violation: name, code, reason };
}
