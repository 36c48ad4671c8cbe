/**
 * The container's HEALTHCHECK probe: exits 0 when `GET /health` answers 200
 * with `"status":"ok"`, 1 otherwise. Needs no curl in the image.
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 --allow-env=PORT src/healthcheck.ts
 * ```
 *
 * It reads PORT (default 8080) and asks 127.0.0.1, and gives up after
 * HEALTHCHECK_TIMEOUT_MS (default 2000), below Docker's default 30 s timeout.
 *
 * @module
 */

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

if (import.meta.main) {
  const port = Deno.env.get("PORT") || "8080";
  const timeoutMs = Number(Deno.env.get("HEALTHCHECK_TIMEOUT_MS") || "2000");
  Deno.exit(await probe(`http://127.0.0.1:${port}/health`, timeoutMs) ? 0 : 1);
}
