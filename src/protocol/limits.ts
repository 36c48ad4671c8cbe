/**
 * The library's limits: every bound and timeout a {@link Server} enforces, with
 * its unit, default, allowed range and the reason for the default (as Go's
 * `http.Server` documents its fields). `Server.listen` options override them
 * field by field; the program's settings table maps env vars and flags onto
 * the same fields, so the two can never disagree.
 *
 * @module
 */

/** The unit a limit is counted in: its field name ends with it (`…Ms`, `…Bytes`). */
export type LimitUnit = "ms" | "bytes" | "count";

/** One limit: its unit, default, range and why the default is what it is. */
export interface LimitSpec {
  /** What the value counts: milliseconds, bytes or things (connections, fields, requests). */
  readonly unit: LimitUnit;
  /** The value a server uses when it is given none. */
  readonly default: number;
  /** The smallest value accepted (inclusive). */
  readonly min: number;
  /** The largest value accepted (inclusive). */
  readonly max: number;
  /** What it bounds and why the default. */
  readonly doc: string;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const SECOND = 1000;
const HOUR = 3600 * SECOND;

/** Every limit, by the name of its `Server.listen` option. */
export const LIMITS = {
  numWorkers: {
    unit: "count",
    default: 10,
    min: 1,
    max: 100_000,
    doc:
      "Handlers that may run at once (pool permits) in each listener; the reference's 10 threads.",
  },
  maxQueue: {
    unit: "count",
    default: 128,
    min: 0,
    max: 1_000_000,
    doc: "Requests that may wait for a free worker; more get 503 + Retry-After. " +
      "128, the classic listen backlog: beyond it waiting costs more than a retry.",
  },
  maxConnections: {
    unit: "count",
    default: 10_000,
    min: 1,
    max: 1_000_000,
    doc: "Open connections; more get 503 and are closed. Measured, an idle " +
      "keep-alive connection costs about 21 KiB of RSS (Deno.serve: 19 KiB), so " +
      "10,000 fit in about 210 MiB; the cap keeps a flood from exhausting memory and fds.",
  },
  clientTimeoutMs: {
    unit: "ms",
    default: 5 * SECOND,
    min: 1,
    max: HOUR,
    doc: "Time to send a whole request head (from accept, or from the first byte " +
      "on a reused connection); then 408 and close. 5 s: the reference's value, " +
      "ample for any real client, short enough that slowloris cannot hold sockets.",
  },
  idleTimeoutMs: {
    unit: "ms",
    default: 65 * SECOND,
    min: 1,
    max: HOUR,
    doc: "Time a kept-alive connection may wait for its next request. 65 s, as " +
      "Node 26: longer than the 60 s of common load balancers, so the proxy closes " +
      "idle pooled connections first and never races a request against our close.",
  },
  bodyTimeoutMs: {
    unit: "ms",
    default: 30 * SECOND,
    min: 0,
    max: 24 * HOUR,
    doc: "Time to receive a whole request body; then 408 and close. 30 s moves the " +
      "1 MiB default body at 35 KB/s, slower than any mobile link that works at all. " +
      "0 is off (serve()'s default, as Deno.serve: a streamed upload of any size or length).",
  },
  writeTimeoutMs: {
    unit: "ms",
    default: 30 * SECOND,
    min: 1,
    max: HOUR,
    doc: "Time one response write may take; a client that stops reading is then " +
      "dropped instead of holding its connection forever.",
  },
  lingerTimeoutMs: {
    unit: "ms",
    default: 2 * SECOND,
    min: 0,
    max: HOUR,
    doc: "Whenever the server closes a connection the client may still be sending on " +
      "(a refusal, an unread upload, Connection: close it chose, shutdown), how long it " +
      "discards that input after its answer before closing, so the client reads the answer " +
      "instead of a TCP reset. 2 s: enough for a body in flight; nginx's lingering_timeout is 5 s.",
  },
  shutdownTimeoutMs: {
    unit: "ms",
    default: 8 * SECOND,
    min: 0,
    max: HOUR,
    doc: "On SIGTERM/SIGINT, the whole shutdown: requests in flight may finish until " +
      "its last tenth (at most LINGER_TIMEOUT); what is still unanswered then gets 503 and " +
      "that time to read it. 8 s: done before `docker stop` sends SIGKILL at 10 s.",
  },
  recvBufferBytes: {
    unit: "bytes",
    default: 4 * KiB,
    min: 256,
    max: 1 * MiB,
    doc: "Initial read buffer per connection; grows to the head limit only when a " +
      "request needs it, and shrinks back. 4 KiB holds a typical browser head in " +
      "one read; measured, it adds about 2.4 KiB per idle connection to RSS.",
  },
  maxRequestLineBytes: {
    unit: "bytes",
    default: 8 * KiB,
    min: 16,
    max: 1 * MiB,
    doc: "Longest request line; longer gets 414. RFC 9112 §3 asks for at least " +
      "8000 octets; nginx's buffer is 8 KiB.",
  },
  maxHeadBytes: {
    unit: "bytes",
    default: 16 * KiB,
    min: 64,
    max: 16 * MiB,
    doc: "Largest request head (request line and all fields); larger gets 431. " +
      "16 KiB, as Node: room for big cookies, a small bound per connection.",
  },
  maxHeaderCount: {
    unit: "count",
    default: 100,
    min: 1,
    max: 100_000,
    doc: "Most header lines (and chunked trailer lines); more gets 431. Browsers " +
      "send 10-30; 100 is Apache's LimitRequestFields.",
  },
  maxBodyBytes: {
    unit: "bytes",
    default: 1 * MiB,
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    doc: "Largest request body, Content-Length or chunked; larger gets 413 before " +
      "the excess is read. 1 MiB, as nginx's client_max_body_size; serve() has no limit " +
      "(Number.MAX_SAFE_INTEGER), as Deno.serve, since its bodies stream.",
  },
  maxRequestsPerConnection: {
    unit: "count",
    default: 1000,
    min: 1,
    max: 1_000_000_000,
    doc: "Requests served on one connection before it is closed; spreads load " +
      "after scaling out. 1000, as nginx's keepalive_requests.",
  },

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

/** The name of one limit, such as `"clientTimeoutMs"`. */
export type LimitName = keyof typeof LIMITS;

/** A value for every limit, in the unit its name says. */
export type Limits = { [K in LimitName]: number };

/** Every limit at its default. */
export function defaultLimits(): Limits {
  const limits = {} as Record<LimitName, number>;
  for (const name of Object.keys(LIMITS) as LimitName[]) limits[name] = LIMITS[name].default;
  return limits;
}

/**
 * Checks `value` against the range of limit `name`; throws a RangeError that
 * names the option, so a caller learns at once instead of, say, a timeout past
 * 2^31 ms that the timer silently turns into 1 ms. Durations may be fractional;
 * sizes and counts are integers.
 */
export function checkLimit(name: LimitName, value: unknown): void {
  const { min, max, unit } = LIMITS[name];
  const whole = unit !== "ms";
  if (
    typeof value !== "number" || !Number.isFinite(value) || (whole && !Number.isInteger(value)) ||
    value < min || value > max
  ) {
    throw new RangeError(
      `${name} must be ${whole ? "an integer" : "a number"} from ${min} to ${max}`,
    );
  }
}
