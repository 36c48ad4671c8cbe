/**
 * Every way a request can be refused, as a code, with its status and fixed text.
 *
 * Parser, framing and body reader return these codes as values; only the
 * connection loop turns one into bytes on the wire, through {@link REJECTIONS}.
 * The texts are fixed so a response never echoes what the client sent.
 *
 * @module
 */

import type { RawResponse } from "./message.ts";

/** The status and the short fixed body of one refusal. */
export interface Rejection {
  readonly status: 400 | 408 | 413 | 414 | 417 | 431 | 500 | 501 | 503 | 505;
  readonly text: string;
}

/** Refusals by code. Codes are named after their place in the grammar (RFC 9112). */
export const REJECTIONS = {
  // Request line (RFC 9112 §3)
  invalid_method: { status: 400, text: "Bad Request: malformed method" },
  unknown_method: { status: 501, text: "Not Implemented: unknown method" },
  invalid_target: { status: 400, text: "Bad Request: malformed request target" },
  invalid_path_escape: { status: 400, text: "Bad Request: malformed percent-escape in path" },
  uri_too_long: { status: 414, text: "URI Too Long" },
  invalid_version: { status: 400, text: "Bad Request: malformed HTTP version" },
  unsupported_version: { status: 505, text: "HTTP Version Not Supported" },
  invalid_request_line: { status: 400, text: "Bad Request: malformed request line" },
  // Line endings (RFC 9112 §2.2)
  bare_lf: { status: 400, text: "Bad Request: line ending without CR" },
  bare_cr: { status: 400, text: "Bad Request: CR without LF" },
  // Header fields (RFC 9112 §5, RFC 9110 §5)
  invalid_header_name: { status: 400, text: "Bad Request: malformed header name" },
  space_before_colon: { status: 400, text: "Bad Request: whitespace before colon" },
  missing_colon: { status: 400, text: "Bad Request: header line without colon" },
  obs_fold: { status: 400, text: "Bad Request: folded header line" },
  invalid_header_value: { status: 400, text: "Bad Request: invalid character in header value" },
  head_too_large: { status: 431, text: "Request Header Fields Too Large" },
  too_many_headers: { status: 431, text: "Request Header Fields Too Large: too many fields" },
  missing_host: { status: 400, text: "Bad Request: missing Host header" },
  duplicate_host: { status: 400, text: "Bad Request: more than one Host header" },
  invalid_host: { status: 400, text: "Bad Request: malformed Host header" },
  // Message body framing (RFC 9112 §6)
  invalid_content_length: { status: 400, text: "Bad Request: invalid Content-Length" },
  conflicting_framing: {
    status: 400,
    text: "Bad Request: both Content-Length and Transfer-Encoding",
  },
  invalid_transfer_encoding: { status: 400, text: "Bad Request: invalid Transfer-Encoding" },
  unsupported_transfer_encoding: {
    status: 501,
    text: "Not Implemented: unsupported Transfer-Encoding",
  },
  invalid_chunk: { status: 400, text: "Bad Request: malformed chunked body" },
  body_too_large: { status: 413, text: "Content Too Large" },
  incomplete_body: { status: 400, text: "Bad Request: body ended early" },
  // Expectations (RFC 9110 §10.1.1)
  unsupported_expectation: { status: 417, text: "Expectation Failed" },
  // Time limits
  header_timeout: { status: 408, text: "Request Timeout" },
  body_timeout: { status: 408, text: "Request Timeout: body not received in time" },
  // Server side
  overloaded: { status: 503, text: "Service Unavailable: server busy, retry shortly" },
  too_many_connections: { status: 503, text: "Service Unavailable: too many connections" },
  shutting_down: { status: 503, text: "Service Unavailable: shutting down, retry shortly" },
  handler_error: { status: 500, text: "Internal Server Error" },
} as const satisfies Record<string, Rejection>;

/** The name of one refusal, such as `"obs_fold"`. */
export type RejectionCode = keyof typeof REJECTIONS;

/** The response for a refusal code: its status and fixed text, as plain text. */
export function rejection(
  code: RejectionCode,
  headers: Readonly<Record<string, string>> = {},
): RawResponse {
  const { status, text } = REJECTIONS[code];
  return {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", ...headers },
    body: text + "\n",
  };
}
