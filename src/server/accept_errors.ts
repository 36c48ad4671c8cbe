/**
 * What an error from `listener.accept()` says: about one connection, about
 * the process's resources, or about the listener itself.
 *
 * Linux's accept(2) hands back errors that belong to the connection being
 * accepted, not to the listener: "Linux accept() passes already-pending
 * network errors on the new socket as an error code from accept() ...
 * the application should ... treat them like EAGAIN by retrying". Deno adds
 * one of its own: it reads the peer's address right after accept, which
 * fails with ENOTCONN when the client has reset already. A client that
 * connects and resets at once produces one of these per connection, so
 * backing off on them would let any client stop the server from accepting
 * (60 resets once kept it unreachable for 53 s). Only a lack of resources
 * (file descriptors, buffers, memory) says the next accept will fail the same
 * way until something is freed: that, and only that, calls for a pause.
 *
 * @example
 * ```ts
 * import { acceptErrorKind } from "./accept_errors.ts";
 * acceptErrorKind(Object.assign(new Error("reset"), { code: "ECONNRESET" })); // "connection"
 * acceptErrorKind(Object.assign(new Error("too many"), { code: "EMFILE" })); // "resources"
 * ```
 *
 * @module
 */

/**
 * - `connection`: one connection failed before it was ours; accept the next at once.
 * - `resources`: out of file descriptors, buffers or memory; pause before the next accept.
 * - `closed`: the listener was closed; stop accepting.
 * - `unknown`: anything else; pause, as for resources, so an unforeseen error cannot spin a core.
 */
export type AcceptErrorKind = "connection" | "resources" | "closed" | "unknown";

/** Errors about the one connection being accepted (accept(2) on Linux, and Deno's peer-address read). */
const CONNECTION_CODES: ReadonlySet<string> = new Set([
  "ECONNABORTED",
  "ECONNRESET",
  "ENOTCONN",
  "EPROTO",
  "EPERM", // a firewall rule refused this connection
  "ENETDOWN",
  "ENOPROTOOPT",
  "EHOSTDOWN",
  "ENONET",
  "EHOSTUNREACH",
  "EOPNOTSUPP",
  "ENETUNREACH",
  "ETIMEDOUT",
  "EINTR",
  "EAGAIN",
]);

/** Errors that say the process (or the system) is out of something a socket needs. */
const RESOURCE_CODES: ReadonlySet<string> = new Set(["EMFILE", "ENFILE", "ENOBUFS", "ENOMEM"]);

/** Classifies an error thrown by `Deno.Listener.accept()`. */
export function acceptErrorKind(error: unknown): AcceptErrorKind {
  if (error instanceof Deno.errors.BadResource) return "closed";
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string") {
    if (CONNECTION_CODES.has(code)) return "connection";
    if (RESOURCE_CODES.has(code)) return "resources";
  }
  // Deno's own classes, for an error without a code.
  if (
    error instanceof Deno.errors.NotConnected || error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.ConnectionAborted || error instanceof Deno.errors.Interrupted
  ) {
    return "connection";
  }
  return "unknown";
}
