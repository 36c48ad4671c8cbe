/**
 * Status codes and reason phrases from RFC 9110 §15, as one `as const` table.
 *
 * The status code is the literal type of a key of this table, so the type
 * checker knows a `204` from a `200` and can forbid a body on the former.
 *
 * @example
 * ```ts
 * import { STATUS_TEXT } from "./status.ts";
 * STATUS_TEXT[404]; // "Not Found"
 * ```
 *
 * @module
 */

/** Reason phrases keyed by status code (RFC 9110 §15; 429/431 from RFC 6585). */
export const STATUS_TEXT = {
  100: "Continue", // RFC 9110 §15.2.1
  101: "Switching Protocols", // RFC 9110 §15.2.2
  200: "OK", // RFC 9110 §15.3.1
  201: "Created", // RFC 9110 §15.3.2
  202: "Accepted", // RFC 9110 §15.3.3
  204: "No Content", // RFC 9110 §15.3.5
  206: "Partial Content", // RFC 9110 §15.3.7
  301: "Moved Permanently", // RFC 9110 §15.4.2
  302: "Found", // RFC 9110 §15.4.3
  303: "See Other", // RFC 9110 §15.4.4
  304: "Not Modified", // RFC 9110 §15.4.5
  307: "Temporary Redirect", // RFC 9110 §15.4.8
  308: "Permanent Redirect", // RFC 9110 §15.4.9
  400: "Bad Request", // RFC 9110 §15.5.1
  401: "Unauthorized", // RFC 9110 §15.5.2
  403: "Forbidden", // RFC 9110 §15.5.4
  404: "Not Found", // RFC 9110 §15.5.5
  405: "Method Not Allowed", // RFC 9110 §15.5.6
  406: "Not Acceptable", // RFC 9110 §15.5.7
  408: "Request Timeout", // RFC 9110 §15.5.9
  409: "Conflict", // RFC 9110 §15.5.10
  410: "Gone", // RFC 9110 §15.5.11
  411: "Length Required", // RFC 9110 §15.5.12
  412: "Precondition Failed", // RFC 9110 §15.5.13
  413: "Content Too Large", // RFC 9110 §15.5.14
  414: "URI Too Long", // RFC 9110 §15.5.15
  415: "Unsupported Media Type", // RFC 9110 §15.5.16
  416: "Range Not Satisfiable", // RFC 9110 §15.5.17
  417: "Expectation Failed", // RFC 9110 §15.5.18
  422: "Unprocessable Content", // RFC 9110 §15.5.21
  426: "Upgrade Required", // RFC 9110 §15.5.22
  429: "Too Many Requests", // RFC 6585 §4
  431: "Request Header Fields Too Large", // RFC 6585 §5
  500: "Internal Server Error", // RFC 9110 §15.6.1
  501: "Not Implemented", // RFC 9110 §15.6.2
  502: "Bad Gateway", // RFC 9110 §15.6.3
  503: "Service Unavailable", // RFC 9110 §15.6.4
  504: "Gateway Timeout", // RFC 9110 §15.6.5
  505: "HTTP Version Not Supported", // RFC 9110 §15.6.6
} as const;

/** A status code this server knows the reason phrase of. */
export type Status = keyof typeof STATUS_TEXT;

/**
 * Interim statuses (RFC 9110 §15.2). Only the server sends them (`100 Continue`);
 * a handler's final answer cannot be one, or the client would take the next
 * response for the answer to this request.
 */
export type InformationalStatus = 100 | 101;

/**
 * Final statuses whose responses never carry content (RFC 9110 §6.4.1): 204
 * and 304. The response type uses this to reject a body at compile time.
 */
export type BodylessStatus = 204 | 304;

/** Final statuses that may carry content: every status but 1xx, 204 and 304. */
export type ContentStatus = Exclude<Status, InformationalStatus | BodylessStatus>;

/** Whether a response with this status must be sent without content. */
export function isBodyless(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}

/** Whether `status` is a code in {@link STATUS_TEXT}. */
export function isStatus(status: number): status is Status {
  return Object.hasOwn(STATUS_TEXT, status);
}
