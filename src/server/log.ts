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
  getJsonLinesFormatter,
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
    ? getJsonLinesFormatter({ categorySeparator: "." })
    : getTextFormatter({ timestamp: "date-time-timezone", category: ".", value: "bare" });
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
