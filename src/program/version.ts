/**
 * The program's version, as `--version` prints it; the same as deno.json's
 * `version` (a test keeps them equal), written here because a compiled
 * binary has no deno.json to read.
 *
 * @module
 */

/** rawhttp's version. */
export const VERSION = "0.1.0";
