/**
 * The settings table: each setting of the `rawhttp` program with its env var
 * (the CLI flag derives from it), unit, default, range and the reason for
 * that default. settings.ts reads and checks them; `--help`, the README and
 * docs/configuration.md list them (tests keep those lists equal to this one).
 *
 * @module
 */

import { type LimitName, LIMITS } from "../protocol/limits.ts";
import { DEFAULT_HOSTNAME, DEFAULT_PORT } from "../server/server.ts";
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from "../server/log.ts";

/** Every setting of the demo server, in the units its name says. */
export interface Config {
  host: string;
  port: number;
  listeners: number;
  numWorkers: number;
  maxQueue: number;
  maxConnections: number;
  clientTimeoutMs: number;
  idleTimeoutMs: number;
  bodyTimeoutMs: number;
  writeTimeoutMs: number;
  lingerTimeoutMs: number;
  shutdownTimeoutMs: number;
  drainDelayMs: number;
  metricsTimeoutMs: number;
  idleGcAfterMs: number;
  recvBufferBytes: number;
  maxRequestLineBytes: number;
  maxHeadBytes: number;
  maxHeaderCount: number;
  maxBodyBytes: number;
  maxRequestsPerConnection: number;
  wsMaxMessageBytes: number;
  wsMaxBufferedBytes: number;
  wsIdleTimeoutMs: number;
  wsCloseTimeoutMs: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  wwwDir: string;
  staticCacheControl: string;
  staticCompress: "off" | "on";
  requestIdHeader: "off" | "on";
  tlsCertFile: string;
  tlsKeyFile: string;
  unixSocket: string;
}

export type Kind = "text" | "port" | "count" | "bytes" | "duration" | "choice";

/** How one setting is named, read and bounded, and why its default is what it is. */
export interface Setting {
  readonly key: keyof Config;
  readonly env: string;
  /**
   * The setting's former env var, still read (and its flag), so a deployment
   * written for it keeps working; setting both is an error.
   */
  readonly formerly?: string;
  readonly kind: Kind;
  /** The default, in the setting's own unit (ms for durations, bytes for sizes). */
  readonly default: string | number;
  readonly min?: number;
  readonly max?: number;
  readonly choices?: readonly string[];
  /** Other spellings of choices, taken as the choice they name (`warn` for `warning`). */
  readonly aliases?: Readonly<Record<string, string>>;
  /** What it does and why the default. */
  readonly doc: string;
}

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const SECOND = 1000;
const HOUR = 3600 * SECOND;

/** A setting that is one of the library's limits: its default, range and reason are the limit's. */
function limit(key: LimitName, env: string, kind: "count" | "bytes" | "duration"): Setting {
  const { default: d, min, max, doc } = LIMITS[key];
  return { key, env, kind, default: d, min, max, doc };
}

/**
 * The settings, in the order `--help` and the README list them. Five keep the
 * names of the reference design: HOST, PORT, NUM_WORKERS, CLIENT_TIMEOUT and
 * RECV_BUFFER.
 */
export const SETTINGS: readonly Setting[] = [
  {
    key: "host",
    env: "HOST",
    kind: "text",
    default: DEFAULT_HOSTNAME,
    doc: "Address to listen on; all interfaces, as a container needs.",
  },
  {
    key: "port",
    env: "PORT",
    kind: "port",
    default: DEFAULT_PORT,
    min: 0,
    max: 65535,
    doc: "TCP port; 0 picks a free one (tests use it). 8080 needs no root.",
  },
  {
    key: "tlsCertFile",
    env: "TLS_CERT_FILE",
    kind: "text",
    default: "",
    doc: "PEM certificate chain file; with TLS_KEY_FILE the server speaks HTTPS (ALPN http/1.1). " +
      "Empty: plain HTTP, as behind a proxy that ends TLS.",
  },
  {
    key: "tlsKeyFile",
    env: "TLS_KEY_FILE",
    kind: "text",
    default: "",
    doc: "PEM private key file (RSA, EC or PKCS#8) for TLS_CERT_FILE.",
  },
  {
    key: "unixSocket",
    env: "UNIX_SOCKET",
    kind: "text",
    default: "",
    doc: "Listen on this Unix socket path instead of HOST and PORT (one listener; a stale " +
      "socket file is replaced). Empty: TCP.",
  },
  {
    key: "listeners",
    env: "LISTENERS",
    formerly: "WORKERS",
    kind: "count",
    default: 1,
    min: 1,
    max: 256,
    doc:
      "Listener threads (Web Workers sharing the port with SO_REUSEPORT, Linux), each a whole server; one per core to use them all.",
  },
  limit("numWorkers", "NUM_WORKERS", "count"),
  limit("clientTimeoutMs", "CLIENT_TIMEOUT", "duration"),
  limit("recvBufferBytes", "RECV_BUFFER", "bytes"),
  limit("maxQueue", "MAX_QUEUE", "count"),
  limit("maxConnections", "MAX_CONNECTIONS", "count"),
  limit("idleTimeoutMs", "IDLE_TIMEOUT", "duration"),
  limit("bodyTimeoutMs", "BODY_TIMEOUT", "duration"),
  limit("writeTimeoutMs", "WRITE_TIMEOUT", "duration"),
  limit("lingerTimeoutMs", "LINGER_TIMEOUT", "duration"),
  limit("shutdownTimeoutMs", "SHUTDOWN_TIMEOUT", "duration"),
  {
    key: "drainDelayMs",
    env: "DRAIN_DELAY",
    kind: "duration",
    default: 0,
    min: 0,
    max: 10 * 60 * SECOND,
    doc: "After SIGTERM, how long to go on serving while /ready answers 503, before new " +
      "connections are refused and SHUTDOWN_TIMEOUT's drain begins, so a load balancer stops " +
      "routing here first (Kubernetes: more than its endpoints take to update, 5-10 s). 0: at " +
      "once, since docker stop's 10 s before SIGKILL leave room only for SHUTDOWN_TIMEOUT.",
  },
  limit("maxRequestLineBytes", "MAX_REQUEST_LINE_BYTES", "bytes"),
  limit("maxHeadBytes", "MAX_HEADER_BYTES", "bytes"),
  limit("maxHeaderCount", "MAX_HEADER_COUNT", "count"),
  limit("maxBodyBytes", "MAX_BODY_BYTES", "bytes"),
  limit("maxRequestsPerConnection", "MAX_REQUESTS_PER_CONNECTION", "count"),
  limit("wsMaxMessageBytes", "WS_MAX_MESSAGE_BYTES", "bytes"),
  limit("wsMaxBufferedBytes", "WS_MAX_BUFFERED_BYTES", "bytes"),
  limit("wsIdleTimeoutMs", "WS_IDLE_TIMEOUT", "duration"),
  limit("wsCloseTimeoutMs", "WS_CLOSE_TIMEOUT", "duration"),
  {
    key: "metricsTimeoutMs",
    env: "METRICS_TIMEOUT",
    kind: "duration",
    default: 1 * SECOND,
    min: 1,
    max: 60 * SECOND,
    doc: "With LISTENERS above 1, how long /metrics waits for every listener's figures; " +
      "then it answers with those that came and names the rest in missing_listeners. " +
      "1 s: a listener answers in well under a millisecond unless its thread is stuck, " +
      "and a scraper's own timeout (Prometheus: 10 s) is far longer.",
  },
  {
    key: "idleGcAfterMs",
    env: "IDLE_GC_AFTER",
    kind: "duration",
    default: 2 * SECOND,
    min: 0,
    max: HOUR,
    doc: "How long a listener must be quiet (under 10 connections and requests a second) " +
      "before it asks V8 for a memory-reducing collection, if its heap grew by 16 MiB since " +
      "the last, so memory a burst took is given back; V8 alone keeps it until it next " +
      "allocates. 2 s: past the pauses between a client's requests; one collection takes " +
      "15-40 ms. Needs --v8-flags=--expose-gc, which deno task start, the binary and the " +
      "image pass; 0 is off.",
  },
  {
    key: "logLevel",
    env: "LOG_LEVEL",
    kind: "choice",
    default: "info",
    choices: LOG_LEVELS,
    aliases: { warn: "warning" },
    doc:
      "Lowest level logged; info includes one access line per request. warn is taken as warning.",
  },
  {
    key: "logFormat",
    env: "LOG_FORMAT",
    kind: "choice",
    default: "text",
    choices: LOG_FORMATS,
    doc: "text for people, json for one JSON object per line (log shippers).",
  },
  {
    key: "requestIdHeader",
    env: "REQUEST_ID_HEADER",
    kind: "choice",
    default: "off",
    choices: ["off", "on"],
    doc: "on: every response carries X-Request-Id, the id of its access line (the client's, " +
      "when well-formed, else one made here). Off by default: it costs about 2.3 µs a request, " +
      "since a response head can then never be reused.",
  },
  {
    key: "staticCacheControl",
    env: "STATIC_CACHE_CONTROL",
    kind: "text",
    default: "no-cache",
    doc: "The Cache-Control of static files (/about, /static/*). no-cache: a browser revalidates " +
      "each time (a 304 when unchanged), so a new deploy shows at once; set max-age for files " +
      "whose names change with their content.",
  },
  {
    key: "staticCompress",
    env: "STATIC_COMPRESS",
    kind: "choice",
    default: "off",
    choices: ["off", "on"],
    doc: "on: static text files of 1 KiB and more are sent compressed (br or gzip, as the " +
      "client accepts) when no .br/.gz sibling exists. Off by default, as nginx and Deno.serve: " +
      "it costs CPU on every download; precompressed siblings cost none.",
  },
  {
    key: "wwwDir",
    env: "WWW_DIR",
    kind: "text",
    default: "",
    doc: "Folder of static files (/about, /static/*); empty means the www/ shipped " +
      "beside src/ (inside the binary when compiled).",
  },
];
