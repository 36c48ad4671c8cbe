/**
 * LogTape, the one package src/ uses, imported here by its full npm
 * specifier rather than the bare name deno.json maps: `mod.ts` must work
 * when another project imports it by path or URL, where our import map does
 * not apply (a bare "@logtape/logtape" there is "not a dependency"). The
 * version is pinned and matches deno.json's map and deno.lock, so tests,
 * which use the bare name, get this same copy (LogTape's configuration is
 * per copy).
 *
 * @module
 */

export * from "npm:@logtape/logtape@2.4.2";
