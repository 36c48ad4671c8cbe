/**
 * Settings: one table with each setting's env var, CLI flag, unit, default and
 * the reason for that default; parsed from the environment and the command line.
 *
 * Values are checked when the program starts. A bad one is an error value with
 * a one-line message, never an exception, so `main.ts` can print it and exit.
 * Durations take `ms` or `s` (a bare number is seconds: `CLIENT_TIMEOUT=5`,
 * `CLIENT_TIMEOUT=500ms`); sizes take `KiB` or `MiB` (a bare number is bytes).
 *
 * @module
 */

import { type LimitName, LIMITS, type Limits } from "../protocol/limits.ts";
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

type Kind = "text" | "port" | "count" | "bytes" | "duration" | "choice";

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

const KiB = 1024;
const MiB = 1024 * KiB;
const SECOND = 1000;
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

/** The library's limits among the settings: what `Server.listen` takes of them. */
export function limitsOf(config: Config): Limits {
  const limits = {} as Record<LimitName, number>;
  for (const name of Object.keys(LIMITS) as LimitName[]) limits[name] = config[name];
  return limits;
}

/** The CLI flag of a setting: `PORT` → `--port`, `NUM_WORKERS` → `--num-workers`. */
export function flagOf(setting: Setting): string {
  return flagFor(setting.env);
}

function flagFor(env: string): string {
  return "--" + env.toLowerCase().replaceAll("_", "-");
}

/** What {@link loadConfig} found. */
export type ConfigResult =
  | { readonly kind: "config"; readonly config: Config }
  | { readonly kind: "help" }
  | { readonly kind: "version" }
  | { readonly kind: "error"; readonly message: string };

/** The defaults, as a Config. */
export function defaultConfig(): Config {
  const config: Record<string, unknown> = {};
  for (const s of SETTINGS) config[s.key] = s.default;
  return config as unknown as Config;
}

/**
 * Reads settings from `env`, then from `args` (flags win), and checks them.
 *
 * @example
 * ```ts
 * import { loadConfig } from "./settings.ts";
 * const r = loadConfig({ PORT: "9000" }, ["--num-workers", "4"]);
 * if (r.kind === "config") r.config.port; // 9000
 * loadConfig({ PORT: "abc" }, []).kind; // "error"
 * ```
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  args: readonly string[],
): ConfigResult {
  const raw = new Map<Setting, { value: string; from: string }>();
  /** A setting given different values under its name and its former name: an error unless a flag settles it. */
  const envConflicts = new Map<Setting, string>();
  for (const s of SETTINGS) {
    for (const name of s.formerly === undefined ? [s.env] : [s.env, s.formerly]) {
      const value = env[name];
      if (value === undefined) continue;
      const before = raw.get(s);
      if (before !== undefined && before.value !== value) {
        envConflicts.set(s, `set ${before.from} or ${name}, not both (they differ)`);
      }
      if (before === undefined) raw.set(s, { value, from: name });
    }
  }
  const flagged = new Map<Setting, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--help" || arg === "-h") return { kind: "help" };
    if (arg === "--version" || arg === "-V") return { kind: "version" };
    const eq = arg.indexOf("=");
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const setting = SETTINGS.find((s) =>
      flagOf(s) === flag || (s.formerly !== undefined && flagFor(s.formerly) === flag)
    );
    if (setting === undefined) {
      return { kind: "error", message: `unknown argument "${arg}" (try --help)` };
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else value = args[++i];
    if (value === undefined) return { kind: "error", message: `${flag} needs a value` };
    const other = flagged.get(setting);
    if (other !== undefined && other !== flag) {
      return { kind: "error", message: `give ${other} or ${flag}, not both` };
    }
    flagged.set(setting, flag);
    raw.set(setting, { value, from: flag });
  }
  for (const [setting, message] of envConflicts) {
    if (!flagged.has(setting)) return { kind: "error", message };
  }
  const config = defaultConfig() as unknown as Record<string, unknown>;
  for (const [setting, { value, from }] of raw) {
    const parsed = parseValue(setting, value.trim());
    if (typeof parsed === "object") {
      return { kind: "error", message: `invalid ${from}="${value}": ${parsed.error}` };
    }
    config[setting.key] = parsed;
  }
  const checked = config as unknown as Config;
  const transport = transportProblem(checked);
  if (transport !== null) return { kind: "error", message: transport };
  if (checked.maxRequestLineBytes > checked.maxHeadBytes) {
    return {
      kind: "error",
      message: "MAX_REQUEST_LINE_BYTES must not exceed MAX_HEADER_BYTES",
    };
  }
  return { kind: "config", config: checked };
}

/** What is wrong with the listener settings taken together, or null. */
function transportProblem(config: Config): string | null {
  if ((config.tlsCertFile === "") !== (config.tlsKeyFile === "")) {
    return "TLS needs both TLS_CERT_FILE and TLS_KEY_FILE";
  }
  if (config.unixSocket !== "" && config.tlsCertFile !== "") {
    return "UNIX_SOCKET and TLS cannot go together (TLS is for TCP)";
  }
  if (config.unixSocket !== "" && config.listeners > 1) {
    return "UNIX_SOCKET takes one listener: a socket path cannot be shared with SO_REUSEPORT";
  }
  return null;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s)?$/;
const SIZE = /^(\d+)(KiB|MiB)?$/;

function parseValue(s: Setting, value: string): string | number | { error: string } {
  switch (s.kind) {
    case "text":
      return value;
    case "choice": {
      const choice = s.aliases?.[value] ?? value;
      return s.choices!.includes(choice)
        ? choice
        : { error: `expected one of ${s.choices!.join(", ")}` };
    }
    case "port":
    case "count":
      return inRange(s, /^\d+$/.test(value) ? Number(value) : NaN, "an integer");
    case "bytes": {
      const m = SIZE.exec(value);
      const n = m === null ? NaN : Number(m[1]) * (m[2] === "MiB" ? MiB : m[2] ? KiB : 1);
      return inRange(s, n, "a size in bytes (or with KiB/MiB)");
    }
    case "duration": {
      const m = DURATION.exec(value);
      const n = m === null ? NaN : Math.round(Number(m[1]) * (m[2] === "ms" ? 1 : SECOND));
      return inRange(s, n, "a duration in seconds (or with ms/s)");
    }
  }
}

function inRange(s: Setting, n: number, what: string): number | { error: string } {
  const min = s.min ?? 0;
  const max = s.max ?? Number.MAX_SAFE_INTEGER;
  if (Number.isNaN(n) || n < min || n > max) {
    const unit = s.kind === "duration" ? " ms" : s.kind === "bytes" ? " bytes" : "";
    return { error: `expected ${what} from ${min} to ${max}${unit}` };
  }
  return n;
}

/** The `--help` text, generated from {@link SETTINGS}. */
export function usage(): string {
  const lines = [
    "Usage: rawhttp [--flag value ...]   (each flag also reads from its env var)",
    "",
  ];
  for (const s of SETTINGS) {
    const def = s.kind === "duration"
      ? `${s.default}ms`
      : s.kind === "bytes"
      ? `${s.default} bytes`
      : JSON.stringify(s.default);
    const former = s.formerly === undefined
      ? ""
      : ` (formerly ${s.formerly}, ${flagFor(s.formerly)})`;
    lines.push(`  ${flagOf(s).padEnd(32)} ${s.env}, default ${def}${former}`);
    lines.push(`      ${s.doc}`);
  }
  return lines.join("\n") + "\n";
}
