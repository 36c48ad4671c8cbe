/**
 * Micro-benchmarks of the fetch handler's `Request` (`deno task
 * bench:micro`), each trick of the optimisation register against its plain
 * path (the `baseline` of its group; tests/reference/fetch_request.ts states
 * the behaviour compared): the lazy `Request` (`toRequest()`), against a real
 * `new Request(...)` built at once, both read for url, method and one header;
 * and the last request's URL remembered, against a URL parse per request
 * (two requests taken in turn, so the memo never holds).
 *
 * @module
 */

import { toRequest } from "../src/fetch/fetch_request.ts";
import { makeRequest } from "../tests/fixtures/request.ts";
import { referenceToRequest } from "../tests/reference/fetch_request.ts";

const HEADERS: Array<[string, string]> = [["User-Agent", "bench"], ["Accept", "*/*"]];
const raw = makeRequest("GET", "/users/7?tab=posts", { host: "127.0.0.1:8080", headers: HEADERS });
const other = makeRequest("GET", "/users/8?tab=posts", {
  host: "127.0.0.1:8080",
  headers: HEADERS,
});

let sink = "";

Deno.bench({
  name: "request: reference, a real Request built at once (new Request(url, init))",
  group: "request",
  baseline: true,
  fn() {
    const req = referenceToRequest(raw);
    sink = req.url + req.method + req.headers.get("accept");
  },
});
Deno.bench({
  name: "request: optimised, the lazy Request (toRequest)",
  group: "request",
  fn() {
    const req = toRequest(raw);
    sink = req.url + req.method + req.headers.get("accept");
  },
});

let turn = 0;
Deno.bench({
  name: "url: reference, the URL parsed per request (toRequest, two requests in turn)",
  group: "url",
  baseline: true,
  fn() {
    sink = toRequest(++turn & 1 ? raw : other).url;
  },
});
Deno.bench({
  name: "url: optimised, the last request's URL remembered (toRequest, the same Host and target)",
  group: "url",
  fn() {
    sink = toRequest(++turn & 1 ? raw : raw).url;
  },
});

globalThis.addEventListener("unload", () => {
  if (sink === "") console.log(""); // keeps `sink` read
});
