/**
 * The container's HEALTHCHECK probe: exits 0 when `GET /health` answers 200
 * with `"status":"ok"`, 1 otherwise. Needs no curl in the image.
 *
 * ```sh
 * deno run --allow-net --allow-env=HOST,PORT,HEALTHCHECK_TIMEOUT_MS src/program/healthcheck.ts
 * deno run --allow-net --allow-env=HOST,PORT,HEALTHCHECK_TIMEOUT_MS src/program/healthcheck.ts --port 9000
 * ```
 *
 * It finds the server where the server itself listens: HOST and PORT from
 * the environment, overridden by `--host` and `--port` flags, read by the
 * program's own settings table (so a bad value is refused the same way, and
 * the server's other flags may be passed too). A wildcard address (0.0.0.0,
 * ::, or none) is asked on the loopback of its family. It gives up after
 * HEALTHCHECK_TIMEOUT_MS (default 2000), below Docker's default 30 s timeout.
 *
 * @module
 */

import { loadConfig } from "./settings.ts";

/** Asks `url` and says whether the server is healthy. Never throws. */
export async function probe(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.text();
    return res.status === 200 && JSON.parse(body).status === "ok";
  } catch {
    return false;
  }
}

/**
 * The `/health` URL of a server listening on `host`:`port`.
 *
 * @example
 * ```ts
 * import { healthUrl } from "./healthcheck.ts";
 * healthUrl("0.0.0.0", 8080); // "http://127.0.0.1:8080/health"
 * healthUrl("::", 8080); // "http://[::1]:8080/health"
 * healthUrl("10.0.0.5", 80); // "http://10.0.0.5:80/health"
 * ```
 */
export function healthUrl(host: string, port: number): string {
  const address = host === "" || host === "0.0.0.0"
    ? "127.0.0.1"
    : host === "::" || host === "[::]"
    ? "[::1]"
    : host.includes(":") && !host.startsWith("[")
    ? `[${host}]`
    : host;
  return `http://${address}:${port}/health`;
}

if (import.meta.main) {
  const env = (name: string) => Deno.env.get(name) || undefined;
  const loaded = loadConfig({ HOST: env("HOST"), PORT: env("PORT") }, Deno.args);
  if (loaded.kind !== "config") {
    Deno.stderr.writeSync(
      new TextEncoder().encode(
        `healthcheck: ${
          loaded.kind === "error" ? loaded.message : "usage: see src/program/main.ts --help"
        }\n`,
      ),
    );
    Deno.exit(2);
  }
  const timeoutMs = Number(env("HEALTHCHECK_TIMEOUT_MS") ?? "2000");
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    Deno.stderr.writeSync(
      new TextEncoder().encode(
        "healthcheck: HEALTHCHECK_TIMEOUT_MS must be a whole number of ms\n",
      ),
    );
    Deno.exit(2);
  }
  const { host, port } = loaded.config;
  Deno.exit(await probe(healthUrl(host, port), timeoutMs) ? 0 : 1);
}
