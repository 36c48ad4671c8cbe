/**
 * Splits a request-target into path and query and percent-decodes the path.
 *
 * RFC 9112 §3.2 names four forms: origin-form (`/a?b`), absolute-form
 * (`http://host/a?b`, which a server must accept), authority-form (CONNECT
 * only, which we do not implement) and asterisk-form (`*`, OPTIONS only).
 *
 * @module
 */

import type { RejectionCode } from "./rejections.ts";

/** The parts of a request-target that a router and a handler read. */
export interface Target {
  /** Percent-decoded path, always starting with `/` (or `*` for asterisk-form). */
  readonly path: string;
  /** The path exactly as sent. */
  readonly rawPath: string;
  /** The query without its `?`, as sent ("" when absent). */
  readonly query: string;
}

const ABSOLUTE_FORM = /^https?:\/\/[^/?]*/i;

/**
 * Parses an already byte-checked request-target for `method`.
 *
 * @example
 * ```ts
 * import { parseTarget } from "./target.ts";
 * parseTarget("/caf%C3%A9?x=1", "GET"); // { path: "/café", rawPath: "/caf%C3%A9", query: "x=1" }
 * ```
 */
export function parseTarget(target: string, method: string): Target | RejectionCode {
  if (target === "*") {
    return method === "OPTIONS" ? { path: "*", rawPath: "*", query: "" } : "invalid_target";
  }
  let rest = target;
  if (target.charCodeAt(0) !== 0x2f /* / */) {
    const scheme = ABSOLUTE_FORM.exec(target);
    if (scheme === null) return "invalid_target";
    rest = target.slice(scheme[0].length);
    if (rest === "" || rest.charCodeAt(0) === 0x3f /* ? */) rest = "/" + rest;
  }
  const q = rest.indexOf("?");
  const rawPath = q === -1 ? rest : rest.slice(0, q);
  const query = q === -1 ? "" : rest.slice(q + 1);
  const path = decodePath(rawPath);
  if (path === null) return "invalid_path_escape";
  return { path, rawPath, query };
}

/**
 * Percent-decodes a path as UTF-8, or returns null for a malformed escape,
 * invalid UTF-8, or an escaped NUL (which no file system or router wants).
 */
export function decodePath(raw: string): string | null {
  if (!raw.includes("%")) return raw; // the common case costs one scan
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null; // URIError: "%zz", "%e", or bytes that are not UTF-8
  }
  return decoded.includes("\0") ? null : decoded;
}
