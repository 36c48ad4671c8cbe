/**
 * The OpenTelemetry API, imported here by its full npm specifier rather than
 * the bare name deno.json maps, for the reason `_logtape.ts` gives: `mod.ts`
 * must work when another project imports it by path or URL. The version is
 * pinned and matches deno.json's map and deno.lock.
 *
 * Only telemetry.ts loads it, with a dynamic import and only when an
 * OpenTelemetry SDK is registered (`OTEL_DENO=true`): a process without
 * OpenTelemetry never loads it.
 *
 * @module
 */

export * from "npm:@opentelemetry/api@1.10.0";
