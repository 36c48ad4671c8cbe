/**
 * Tests for body framing (src/protocol/framing.ts): Content-Length, Transfer-Encoding
 * and every ambiguous combination that could smuggle a request (RFC 9112 §6).
 */

import assert from "node:assert/strict";
import { type RejectionCode, REJECTIONS } from "../../src/protocol/rejections.ts";
import { bodyFraming, type Framing } from "../../src/protocol/framing.ts";
import { parseHead, type RequestHead } from "../../src/protocol/head_parser.ts";
import { bytes } from "../fixtures/requests.ts";

/** Parses a head with the given field lines (Host is added for HTTP/1.1). */
function head(fields: string[], version = "HTTP/1.1"): RequestHead {
  const host = version === "HTTP/1.1" ? "Host: a\r\n" : "";
  const text = `POST /upload ${version}\r\n${host}${fields.map((f) => f + "\r\n").join("")}\r\n`;
  const r = parseHead(bytes(text));
  assert.equal(r.kind, "head", `fixture did not parse: ${JSON.stringify(r)}`);
  return (r as Extract<typeof r, { kind: "head" }>).head;
}

function framing(fields: string[], version?: string): Framing | RejectionCode {
  return bodyFraming(head(fields, version));
}

Deno.test("bodyFraming() gives no body when neither Content-Length nor Transfer-Encoding is sent", () => {
  assert.deepEqual(framing([]), { kind: "none" });
  assert.deepEqual(framing([], "HTTP/1.0"), { kind: "none" });
  assert.deepEqual(framing(["X-Content-Length: 5"]), { kind: "none" });
});

Deno.test("bodyFraming() reads a Content-Length as a byte count", () => {
  assert.deepEqual(framing(["Content-Length: 5"]), { kind: "length", length: 5 });
  assert.deepEqual(framing(["content-length: 1048576"]), { kind: "length", length: 1048576 });
  assert.deepEqual(framing(["Content-Length: 5"], "HTTP/1.0"), { kind: "length", length: 5 });
});

Deno.test("bodyFraming() treats Content-Length: 0 as no body", () => {
  assert.deepEqual(framing(["Content-Length: 0"]), { kind: "none" });
  assert.deepEqual(framing(["Content-Length: 000"]), { kind: "none" });
});

Deno.test("bodyFraming() accepts leading zeros and OWS the parser already trimmed", () => {
  assert.deepEqual(framing(["Content-Length: 007"]), { kind: "length", length: 7 });
  assert.deepEqual(framing(["Content-Length:   5 \t"]), { kind: "length", length: 5 });
});

Deno.test("bodyFraming() accepts 15 digits, the most it reads, and refuses 16", () => {
  assert.deepEqual(framing(["Content-Length: 999999999999999"]), {
    kind: "length",
    length: 999_999_999_999_999,
  });
  assert.equal(framing(["Content-Length: 1000000000000000"]), "invalid_content_length");
  assert.equal(framing(["Content-Length: 0000000000000001"]), "invalid_content_length");
  assert.equal(framing(["Content-Length: 99999999999999999999"]), "invalid_content_length");
});

const BAD_LENGTHS: [string, string[]][] = [
  ["a repeated Content-Length with the same value", ["Content-Length: 5", "Content-Length: 5"]],
  ["a repeated Content-Length with different values", ["Content-Length: 5", "Content-Length: 6"]],
  ["a Content-Length list", ["Content-Length: 5, 5"]],
  ["a Content-Length list without a space", ["Content-Length: 5,5"]],
  ["a plus sign", ["Content-Length: +5"]],
  ["a minus sign", ["Content-Length: -1"]],
  ["a space inside the digits", ["Content-Length: 5 0"]],
  ["a hex value", ["Content-Length: 0x10"]],
  ["a decimal point", ["Content-Length: 5.0"]],
  ["an exponent", ["Content-Length: 1e3"]],
  ["an empty value", ["Content-Length:"]],
  ["a non-ASCII digit", ["Content-Length: \xb9"]],
];

for (const [name, fields] of BAD_LENGTHS) {
  Deno.test(`bodyFraming() rejects ${name} with invalid_content_length (400)`, () => {
    assert.equal(framing(fields), "invalid_content_length");
    assert.equal(REJECTIONS.invalid_content_length.status, 400);
  });
}

Deno.test("bodyFraming() rejects Content-Length with Transfer-Encoding as conflicting_framing (400)", () => {
  assert.equal(
    framing(["Content-Length: 5", "Transfer-Encoding: chunked"]),
    "conflicting_framing",
  );
  // In either order, and even when the Content-Length is itself malformed.
  assert.equal(
    framing(["Transfer-Encoding: chunked", "Content-Length: 5"]),
    "conflicting_framing",
  );
  assert.equal(framing(["Transfer-Encoding: chunked", "Content-Length: x"]), "conflicting_framing");
  assert.equal(REJECTIONS.conflicting_framing.status, 400);
});

Deno.test("bodyFraming() reads Transfer-Encoding: chunked in any letter case", () => {
  for (const value of ["chunked", "Chunked", "CHUNKED", "  chunked  "]) {
    assert.deepEqual(framing([`Transfer-Encoding: ${value}`]), { kind: "chunked" }, value);
  }
});

Deno.test("bodyFraming() answers a coding before chunked with unsupported_transfer_encoding (501)", () => {
  assert.equal(framing(["Transfer-Encoding: gzip, chunked"]), "unsupported_transfer_encoding");
  assert.equal(framing(["Transfer-Encoding: deflate,chunked"]), "unsupported_transfer_encoding");
  // Two field lines make one list (RFC 9110 §5.3).
  assert.equal(
    framing(["Transfer-Encoding: gzip", "Transfer-Encoding: chunked"]),
    "unsupported_transfer_encoding",
  );
  assert.equal(REJECTIONS.unsupported_transfer_encoding.status, 501);
});

const BAD_CODINGS: [string, string[]][] = [
  ["gzip alone (chunked must be final)", ["Transfer-Encoding: gzip"]],
  ["chunked before gzip", ["Transfer-Encoding: chunked, gzip"]],
  ["chunked twice", ["Transfer-Encoding: chunked, chunked"]],
  ["chunked twice on two lines", ["Transfer-Encoding: chunked", "Transfer-Encoding: chunked"]],
  ["chunked twice after another coding", ["Transfer-Encoding: gzip, chunked, chunked"]],
  ["chunked then gzip on two lines", ["Transfer-Encoding: chunked", "Transfer-Encoding: gzip"]],
  ["identity", ["Transfer-Encoding: identity"]],
  ["an empty value", ["Transfer-Encoding:"]],
  ["an empty list member", ["Transfer-Encoding: , chunked"]],
  ["a trailing comma", ["Transfer-Encoding: chunked,"]],
  ["chunked with a parameter", ["Transfer-Encoding: chunked;q=1"]],
  ["a look-alike coding", ["Transfer-Encoding: xchunked"]],
];

for (const [name, fields] of BAD_CODINGS) {
  Deno.test(`bodyFraming() rejects Transfer-Encoding with ${name} as invalid_transfer_encoding (400)`, () => {
    assert.equal(framing(fields), "invalid_transfer_encoding");
    assert.equal(REJECTIONS.invalid_transfer_encoding.status, 400);
  });
}

Deno.test("bodyFraming() rejects Transfer-Encoding in HTTP/1.0 (400)", () => {
  assert.equal(framing(["Transfer-Encoding: chunked"], "HTTP/1.0"), "invalid_transfer_encoding");
  // Checked before the CL + TE conflict: either way the request is refused as 400.
  assert.equal(
    framing(["Transfer-Encoding: chunked", "Content-Length: 5"], "HTTP/1.0"),
    "invalid_transfer_encoding",
  );
});

Deno.test("bodyFraming() does not depend on the method", () => {
  for (const method of ["GET", "HEAD", "DELETE", "OPTIONS"]) {
    const r = parseHead(bytes(`${method} / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n`));
    assert.equal(r.kind, "head");
    if (r.kind === "head") assert.deepEqual(bodyFraming(r.head), { kind: "length", length: 3 });
  }
});
