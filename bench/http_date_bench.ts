/**
 * Micro-benchmark of the `Date` cache (`deno task bench:micro`): the value
 * kept until a timer ends its second (`currentHttpDate()`), against the
 * plain path of formatting the clock for every response (`httpDate(Date.now())`,
 * the baseline; tests/reference/http_date.ts states the value compared).
 *
 * @module
 */

import { currentHttpDate, httpDate } from "../src/protocol/http_date.ts";
import { referenceHttpDate } from "../tests/reference/http_date.ts";

let sink = "";

Deno.bench({
  name: "date: reference, formatted for every response (httpDate(Date.now()))",
  group: "date",
  baseline: true,
  fn() {
    sink = httpDate(Date.now());
  },
});
Deno.bench({
  name: "date: reference, built from its parts (referenceHttpDate(Date.now()))",
  group: "date",
  fn() {
    sink = referenceHttpDate(Date.now());
  },
});
Deno.bench({
  name: "date: optimised, kept for its second (currentHttpDate())",
  group: "date",
  fn() {
    sink = currentHttpDate();
  },
});

globalThis.addEventListener("unload", () => {
  if (sink === "") console.log(""); // keeps `sink` read
});
