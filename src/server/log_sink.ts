/**
 * The log sink: where formatted log records leave the process, one line each
 * on stdout. The only place in src/ that writes to stdout (and, for
 * `serve()`'s "Listening on" line without logging, to stderr).
 *
 * @module
 */

import type { LogRecord, Sink, TextFormatter } from "./_logtape.ts";

const UTF8 = new TextEncoder();

/** A sink that writes each record, formatted by `format`, to stdout as one line. */
export function stdoutSink(format: TextFormatter): Sink {
  return (record: LogRecord) => writeLine(format(record).trimEnd());
}

/**
 * Writes `text` and a newline to stdout whole (a write may take part of it).
 * A stdout that is gone (a closed pipe) loses the line rather than failing
 * the code that logged it.
 */
export function writeLine(text: string, to: "stdout" | "stderr" = "stdout"): void {
  const bytes = UTF8.encode(text + "\n");
  const out = to === "stdout" ? Deno.stdout : Deno.stderr;
  try {
    for (let at = 0; at < bytes.length;) at += out.writeSync(bytes.subarray(at));
  } catch {
    // stdout closed: nowhere to write
  }
}
