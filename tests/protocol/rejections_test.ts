/** Tests for the refusal table and rejection() of src/protocol/rejections.ts. */

import assert from "node:assert/strict";
import { rejection, type RejectionCode, REJECTIONS } from "../../src/protocol/rejections.ts";
import { STATUS_TEXT } from "../../src/protocol/status.ts";

/** Every refusal code with the status RFC 9110/9112 give it, spelled out so a change shows. */
const EXPECTED_STATUS: Record<RejectionCode, number> = {
  invalid_method: 400,
  unknown_method: 501,
  invalid_target: 400,
  invalid_path_escape: 400,
  uri_too_long: 414,
  invalid_version: 400,
  unsupported_version: 505,
  invalid_request_line: 400,
  bare_lf: 400,
  bare_cr: 400,
  invalid_header_name: 400,
  space_before_colon: 400,
  missing_colon: 400,
  obs_fold: 400,
  invalid_header_value: 400,
  head_too_large: 431,
  too_many_headers: 431,
  missing_host: 400,
  duplicate_host: 400,
  invalid_host: 400,
  invalid_content_length: 400,
  conflicting_framing: 400,
  invalid_transfer_encoding: 400,
  unsupported_transfer_encoding: 501,
  invalid_chunk: 400,
  body_too_large: 413,
  incomplete_body: 400,
  unsupported_expectation: 417,
  header_timeout: 408,
  body_timeout: 408,
  overloaded: 503,
  too_many_connections: 503,
  shutting_down: 503,
  handler_error: 500,
};

const CODES = Object.keys(REJECTIONS) as RejectionCode[];

Deno.test("REJECTIONS holds exactly the known codes, each with its status", () => {
  assert.deepEqual(CODES.toSorted(), Object.keys(EXPECTED_STATUS).toSorted());
  for (const code of CODES) assert.equal(REJECTIONS[code].status, EXPECTED_STATUS[code], code);
});

Deno.test("REJECTIONS texts open with their status's reason phrase and are one line of printable ASCII", () => {
  for (const code of CODES) {
    const { status, text } = REJECTIONS[code];
    assert.ok(text.startsWith(STATUS_TEXT[status]), `${code}: ${JSON.stringify(text)}`);
    assert.match(text, /^[\x20-\x7e]+$/, code);
  }
});

Deno.test("REJECTIONS gives each code its own text, so refusals that share a status are told apart", () => {
  const texts = CODES.map((code) => REJECTIONS[code].text);
  assert.equal(new Set(texts).size, texts.length, "each code has its own text");
});

Deno.test("rejection() answers the code's status and fixed text, as UTF-8 plain text, for every code", () => {
  for (const code of CODES) {
    assert.deepEqual(rejection(code), {
      status: REJECTIONS[code].status,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
      body: REJECTIONS[code].text + "\n",
    }, code);
  }
});

Deno.test("rejection() merges the given headers after Content-Type, and a given Content-Type wins", () => {
  assert.deepEqual(rejection("overloaded", { "Retry-After": "1" }).headers, {
    "Content-Type": "text/plain; charset=utf-8",
    "Retry-After": "1",
  });
  assert.deepEqual(
    rejection("handler_error", { "Content-Type": "text/html", Connection: "close" }).headers,
    { "Content-Type": "text/html", Connection: "close" },
  );
});

Deno.test("rejection() never echoes input: its body is the same whatever headers are given", () => {
  const plain = rejection("invalid_header_value").body;
  const withHeaders = rejection("invalid_header_value", { "X-Sent": "<script>\r\nHost: evil" });
  assert.equal(withHeaders.body, plain);
  assert.equal(plain, "Bad Request: invalid character in header value\n");
  // Each call builds its own headers object: a caller adding to one leaves the next alone.
  const a = rejection("missing_host");
  const b = rejection("missing_host");
  assert.notEqual(a.headers, b.headers);
});
