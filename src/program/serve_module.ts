/**
 * Serves a module written for `deno serve` (`export default { fetch }`) with
 * rawhttp's `serve()`, in one command:
 *
 * ```sh
 * deno task serve app.ts                 # 0.0.0.0:8000, as deno serve
 * deno task serve --port 9000 app.ts
 * ```
 *
 * Flags: `--port N`, `--host H` (`--hostname`), as `deno serve` takes them.
 * SIGINT or SIGTERM shuts the server down gracefully. Exit codes: 0 after a
 * graceful shutdown, 1 when the module cannot be served, 2 for bad arguments.
 *
 * @module
 */

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { serve } from "../fetch/serve.ts";
import type { FetchHandler } from "../fetch/adapter.ts";

/** What `deno serve` takes from a module's default export. */
interface ServeDefaultExport {
  readonly fetch: FetchHandler;
  readonly onListen?: (addr: Deno.NetAddr) => void;
}

/** The module and the address from the command line, or what is wrong with it. */
export function parseArgs(args: readonly string[]):
  | { readonly module: string; readonly port: number; readonly hostname: string }
  | { readonly error: string } {
  let port = 8000;
  let hostname = "0.0.0.0";
  let module: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.startsWith("--") ? arg.split("=", 2) : [arg, undefined];
    if (flag === "--port" || flag === "--host" || flag === "--hostname") {
      const value = inline ?? args[++i];
      if (value === undefined) return { error: `${flag} needs a value` };
      if (flag === "--port") {
        port = Number(value);
        if (!/^\d+$/.test(value) || port > 65535) return { error: `invalid --port "${value}"` };
      } else hostname = value;
    } else if (arg.startsWith("-")) return { error: `unknown flag "${arg}"` };
    else if (module !== null) return { error: "one module only" };
    else module = arg;
  }
  if (module === null) return { error: "usage: serve_module.ts [--port N] [--host H] module.ts" };
  return { module, port, hostname };
}

/** The module's default export, checked: an object with a `fetch` function. */
export function defaultExportOf(mod: Record<string, unknown>): ServeDefaultExport | string {
  const exported = mod.default as Partial<ServeDefaultExport> | undefined;
  if (typeof exported !== "object" || exported === null) {
    return "the module has no default export (deno serve needs export default { fetch })";
  }
  if (typeof exported.fetch !== "function") return "its default export has no fetch() function";
  return exported as ServeDefaultExport;
}

/** The URL to import for a module path given on the command line (a URL stays as it is). */
function moduleUrl(path: string): string {
  if (/^(file|https?):/.test(path)) return path;
  return pathToFileURL(resolve(Deno.cwd(), path)).href;
}

function fail(message: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`serve_module: ${message}\n`));
}

async function main(): Promise<number> {
  const parsed = parseArgs(Deno.args);
  if ("error" in parsed) {
    fail(parsed.error);
    return 2;
  }
  const app = defaultExportOf(await import(moduleUrl(parsed.module)));
  if (typeof app === "string") {
    fail(app);
    return 1;
  }
  const controller = new AbortController();
  const server = serve({
    port: parsed.port,
    hostname: parsed.hostname,
    signal: controller.signal,
    ...(app.onListen !== undefined ? { onListen: app.onListen } : {}),
  }, (req, info) => app.fetch(req, info));
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => controller.abort());
  }
  await server.finished;
  return 0;
}

if (import.meta.main) Deno.exit(await main());
