/**
 * Micro-benchmarks of the response serialiser (`deno task bench:micro`):
 * the benchmark's small text response and a small JSON response.
 *
 * @module
 */

import { json, type RawResponse, text } from "../src/app/response.ts";
import { type SerializeOptions, serializeResponse } from "../src/protocol/serializer.ts";

const OPTIONS: SerializeOptions = {
  keepAlive: true,
  omitBody: false,
  date: "Sat, 21 Nov 2026 00:00:00 GMT",
};

const HELLO: RawResponse = text("Hello, world!\n");
const USER = { id: 42, name: "Ada Lovelace", email: "ada@example.com", roles: ["admin", "dev"] };
const JSON_RESPONSE: RawResponse = json(USER);

Deno.bench({
  name: "small text response (prebuilt)",
  group: "text",
  baseline: true,
  fn() {
    serializeResponse(HELLO, OPTIONS);
  },
});

Deno.bench({
  name: "small text response, text() + serialise",
  group: "text",
  fn() {
    serializeResponse(text("Hello, world!\n"), OPTIONS);
  },
});

Deno.bench({
  name: "JSON response (prebuilt)",
  group: "json",
  baseline: true,
  fn() {
    serializeResponse(JSON_RESPONSE, OPTIONS);
  },
});

Deno.bench({
  name: "JSON response, json() + serialise",
  group: "json",
  fn() {
    serializeResponse(json(USER), OPTIONS);
  },
});
