/**
 * Micro-benchmarks of `serve()`'s handling of a fetch handler's `Response`
 * body (`deno task bench:micro`): the body probed in the handler's frame and
 * handed over as bytes (`servedFetchHandler()`, src/fetch/adapter.ts),
 * against the body read whole with `await response.arrayBuffer()`
 * (tests/reference/fetch_body.ts, the baseline). Both build the handler's
 * `Request` with the adapter's own `toRequest()`, so only the body's path
 * differs (and the reference's plainer handler info).
 *
 * @module
 */

import { servedFetchHandler } from "../src/fetch/adapter.ts";
import { toRequest } from "../src/fetch/fetch_request.ts";
import { makeRequest } from "../tests/fixtures/request.ts";
import { referenceServedFetchHandler } from "../tests/reference/fetch_body.ts";

const HELLO = "Hello, world!\n";
const raw = makeRequest("GET", "/", { host: "127.0.0.1:8080" });
const chunks = ["Hello, ", "world", "!\n"].map((s) => new TextEncoder().encode(s));

/** A stream of three chunks, all ready. */
function threeChunks(): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
}

let sink = 0;

for (
  const [group, make] of [
    ["text Response", () => new Response(HELLO)],
    ["stream of 3 ready chunks", () => new Response(threeChunks())],
  ] as const
) {
  const reference = referenceServedFetchHandler(make, toRequest);
  const optimised = servedFetchHandler(make);
  Deno.bench({
    name: `${group}: reference, read whole (arrayBuffer)`,
    group,
    baseline: true,
    async fn() {
      sink += (await reference(raw)).status;
    },
  });
  Deno.bench({
    name: `${group}: optimised, probed in the handler's frame (servedFetchHandler)`,
    group,
    async fn() {
      sink += (await optimised(raw)).status;
    },
  });
}

globalThis.addEventListener("unload", () => {
  if (sink < 0) console.log(""); // keeps `sink` read
});
