/**
 * `fetch-floor`: not a server anyone would run, but a yardstick for
 * `rawhttp-fetch`. It is rawhttp's native path plus only what any fetch
 * adapter built on public APIs must do per request: call the shared fetch
 * handler (given a bare object with `url`, `method` and `arrayBuffer()`, which
 * costs nothing to build), read the `Response`'s headers with `forEach`, and
 * read its body through `response.body`'s reader. No `Request`, no signal, no
 * probe, no streaming.
 *
 * `Deno.serve` reads a `Response`'s body from the runtime's internal slots
 * instead, so it builds no stream and encodes no string; the difference
 * between this server and `deno-serve` is what that is worth, and the
 * difference between `rawhttp-fetch` and this server is the adapter's own cost.
 *
 * Not in the default set: `deno task bench --servers fetch-floor,rawhttp-fetch,deno-serve --only keep-alive`.
 *
 * @module
 */

import { type RawResponse, Router } from "../../mod.ts";
import { joinBytes } from "../../src/io/output.ts";
import { fetchHandler } from "./common.ts";
import { serveNative } from "./native.ts";

const router = new Router().fallback(async (raw): Promise<RawResponse> => {
  const request = {
    url: `http://${raw.headers.get("host") ?? "localhost"}${raw.target}`,
    method: raw.method,
    arrayBuffer: () => Promise.resolve(raw.body.slice().buffer),
  } as unknown as Request;
  const response = await fetchHandler(request);
  const headers: Array<[string, string]> = [];
  response.headers.forEach((value, name) => {
    headers.push([name, value]);
  });
  if (response.body === null) return { status: response.status, headers } as RawResponse;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    chunks.push(read.value);
    length += read.value.length;
  }
  const body = joinBytes(chunks, length);
  return { status: response.status, headers, body } as RawResponse;
});

await serveNative(router);
