/**
 * Logging through LogTape: the categories the server logs under, and the sink.
 *
 * Library code only calls `getLogger`; nothing is printed until an
 * application calls {@link setupLogging} (LogTape drops records when it is not
 * configured), so using rawhttp as a library never writes to your console
 * uninvited. The sink that writes to stdout is log_sink.ts.
 *
 * @module
 */

import {
  configure,
  getLogger,
  getTextFormatter,
  type Logger,
  type Sink,
  type TextFormatter,
} from "./_logtape.ts";
import { stdoutSink, writeLine } from "./log_sink.ts";

/** A log level, as LogTape names it. */
export type LogLevel = "debug" | "info" | "warning" | "error";
/** The log levels LOG_LEVEL accepts. */
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warning", "error"];
/** A log line format: text for people, json for log shippers. */
export type LogFormat = "text" | "json";
/** The formats LOG_FORMAT accepts. */
export const LOG_FORMATS: readonly LogFormat[] = ["text", "json"];

/** Server lifecycle: listening, shutdown, accept errors. */
export const serverLog: Logger = getLogger(["rawhttp", "server"]);
/** One line per request: method, path, status, bytes, duration, peer. */
export const accessLog: Logger = getLogger(["rawhttp", "access"]);
/** Connection-level events: timeouts, resets, refused requests' details. */
export const connectionLog: Logger = getLogger(["rawhttp", "connection"]);
/** Errors thrown by handlers, with their stacks. */
export const handlerLog: Logger = getLogger(["rawhttp", "handler"]);

/**
 * Says what the server is doing to whoever started it, as `Deno.serve`
 * prints "Listening on …": through the log when it takes the server's info
 * lines (so a JSON log stays JSON), else as a plain line on stderr, where
 * `Deno.serve` prints it.
 */
export function announce(message: string): void {
  // The text itself as the template (braces doubled), so no formatter quotes it as a value.
  if (serverLog.isEnabledFor("info")) {
    serverLog.info(message.replaceAll("{", "{{").replaceAll("}", "}}"));
  } else writeLine(message, "stderr");
}

/** A text or JSON-lines formatter for `format`. */
export function formatterFor(format: LogFormat): TextFormatter {
  return format === "json"
    ? jsonLines
    : getTextFormatter({ timestamp: "date-time-timezone", category: ".", value: "bare" });
}

/** LogTape's JSON-lines fields, with the level names it gives them. */
const JSON_LEVELS: Record<string, string> = {
  trace: "TRACE",
  debug: "DEBUG",
  info: "INFO",
  warning: "WARN",
  error: "ERROR",
  fatal: "FATAL",
};

/** A value as the text format shows it: a string as it is, anything else inspected. */
function bare(value: unknown): string {
  return typeof value === "string" ? value : Deno.inspect(value);
}

/**
 * One JSON object per line, with LogTape's fields (`@timestamp`, `level`,
 * `message`, `logger`, `properties`), but the message rendered with bare
 * values as the text format has them: LogTape's own quotes string values
 * (`listening on "http://…"`), which a log search then has to match.
 */
const jsonLines: TextFormatter = (record) =>
  JSON.stringify({
    "@timestamp": new Date(record.timestamp).toISOString(),
    level: JSON_LEVELS[record.level] ?? record.level.toUpperCase(),
    message: record.message.map((part, i) => i % 2 === 0 ? part : bare(part)).join(""),
    logger: record.category.join("."),
    properties: record.properties,
  }, jsonValue) + "\n";

/** What JSON.stringify writes for a property: errors with their message and stack, bigints as text. */
function jsonValue(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  return typeof value === "bigint" ? value.toString() : value;
}

/**
 * Configures LogTape for the `rawhttp` categories at `level` in `format`,
 * writing to stdout. Call it once, at program start.
 *
 * @example
 * ```ts ignore
 * await setupLogging("info", "json"); // one JSON object per line on stdout
 * ```
 */
export async function setupLogging(level: LogLevel, format: LogFormat): Promise<void> {
  await configureLogging(level, stdoutSink(formatterFor(format)));
}

/** {@link setupLogging} with any LogTape sink (tests capture records with one). */
export async function configureLogging(level: LogLevel, sink: Sink): Promise<void> {
  await configure({
    reset: true,
    sinks: { out: sink },
    loggers: [
      { category: ["rawhttp"], lowestLevel: level, sinks: ["out"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["out"] },
    ],
  });
}
