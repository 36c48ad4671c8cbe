/**
 * Settings: the table of settings_table.ts (each setting's env var, CLI flag,
 * unit, default and reason), read from the environment and the command line.
 *
 * Values are checked when the program starts. A bad one is an error value with
 * a one-line message, never an exception, so `main.ts` can print it and exit.
 * Durations take `ms` or `s` (a bare number is seconds: `CLIENT_TIMEOUT=5`,
 * `CLIENT_TIMEOUT=500ms`); sizes take `KiB` or `MiB` (a bare number is bytes).
 *
 * @module
 */

import { type LimitName, LIMITS, type Limits } from "../protocol/limits.ts";
import { type Config, KiB, MiB, SECOND, type Setting, SETTINGS } from "./settings_table.ts";

export { type Config, type Setting, SETTINGS };

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
