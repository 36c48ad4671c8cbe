/**
 * The load benchmark's progress lines, on stderr so that stdout carries only
 * the report.
 *
 * @module
 */

const TEXT = new TextEncoder();

/** Prints `[bench] message` on stderr at once. */
export function progress(message: string): void {
  Deno.stderr.writeSync(TEXT.encode(`[bench] ${message}\n`));
}

/** An error's message, for a progress line or the report's "Skipped" list. */
export function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
