/**
 * The container's HEALTHCHECK probe: exits 0 when `GET /health` answers 200
 * with `"status":"ok"`, 1 otherwise. Needs no curl in the image.
 *
 * ```sh
 * deno run --allow-net --allow-read --allow-write --allow-env=HOST,PORT,TLS_CERT_FILE,TLS_KEY_FILE,UNIX_SOCKET,HEALTHCHECK_TIMEOUT_MS src/program/healthcheck.ts
 * ```
 *
 * It finds the server where the server itself listens: HOST and PORT (or
 * UNIX_SOCKET) from the environment, overridden by the same flags, read by
 * the program's own settings table (so a bad value is refused the same way,
 * and the server's other flags may be passed too). A wildcard address
 * (0.0.0.0, ::, or none) is asked on the loopback of its family. With TLS it
 * asks https://localhost, trusting the certificate in TLS_CERT_FILE: a
 * self-signed one (not marked as a CA) that names localhost; for one a CA
 * signed, append the CA's certificate to that file. A Unix
 * socket needs read and write permission to connect. It gives up after
 * HEALTHCHECK_TIMEOUT_MS (default 2000), below Docker's default 30 s timeout.
 *
 * @module
 */

import { loadConfig } from "./settings.ts";

/** Asks `url` (through `client`, for TLS or a Unix socket) and says whether the server is healthy. Never throws. */
export async function probe(
  url: string,
  timeoutMs: number,
  client?: Deno.HttpClient,
): Promise<boolean> {
  try {
    const res = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      ...(client !== undefined ? { client } : {}),
    });
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
export function healthUrl(host: string, port: number, scheme: "http" | "https" = "http"): string {
  if (scheme === "https" && ["", "0.0.0.0", "::", "[::]", "127.0.0.1"].includes(host)) {
    return `https://localhost:${port}/health`; // the name a certificate names
  }
  const address = host === "" || host === "0.0.0.0"
    ? "127.0.0.1"
    : host === "::" || host === "[::]"
    ? "[::1]"
    : host.includes(":") && !host.startsWith("[")
    ? `[${host}]`
    : host;
  return `${scheme}://${address}:${port}/health`;
}

if (import.meta.main) {
  const env = (name: string) => Deno.env.get(name) || undefined;
  const names = ["HOST", "PORT", "TLS_CERT_FILE", "TLS_KEY_FILE", "UNIX_SOCKET"];
  const loaded = loadConfig(Object.fromEntries(names.map((n) => [n, env(n)])), Deno.args);
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
  const { host, port, tlsCertFile, unixSocket } = loaded.config;
  const tls = tlsCertFile !== "";
  const client = unixSocket !== ""
    ? Deno.createHttpClient({ proxy: { transport: "unix", path: unixSocket } })
    : tls
    ? Deno.createHttpClient({ caCerts: [Deno.readTextFileSync(tlsCertFile)] })
    : undefined;
  const url = unixSocket !== ""
    ? "http://localhost/health"
    : healthUrl(host, port, tls ? "https" : "http");
  Deno.exit(await probe(url, timeoutMs, client) ? 0 : 1);
}
