/** Tests for the request a native handler receives (src/app/request.ts). */

import assert from "node:assert/strict";
import { RawRequest, type StreamingParts } from "../../src/app/request.ts";
import { parseHead, type RequestHead } from "../../src/protocol/head_parser.ts";
import { bytes } from "../fixtures/requests.ts";

const PEER = { hostname: "10.0.0.9", port: 5150 };

function head(text: string): RequestHead {
  const r = parseHead(bytes(text));
  if (r.kind !== "head") throw new Error(`fixture refused: ${JSON.stringify(r)}`);
  return r.head;
}

Deno.test("RawRequest carries the parsed head's method, target, path, query, version and headers", () => {
  const h = head("PATCH /a%20b/c?x=1&y=%32 HTTP/1.0\r\nHost: h\r\nX-Y: z\r\n\r\n");
  const req = new RawRequest(h, new Uint8Array(0), PEER, { id: "7" });
  assert.equal(req.method, "PATCH");
  assert.equal(req.target, "/a%20b/c?x=1&y=%32");
  assert.equal(req.path, "/a b/c");
  assert.equal(req.rawPath, "/a%20b/c");
  assert.equal(req.rawQuery, "x=1&y=%32");
  assert.equal(req.version, "HTTP/1.0");
  assert.equal(req.headers, h.headers);
  assert.equal(req.headers.get("x-y"), "z");
  assert.deepEqual(req.remoteAddr, PEER);
  assert.deepEqual(req.params, { id: "7" });
});

Deno.test("RawRequest.query parses the query by WHATWG rules on first use, then keeps it", () => {
  const req = new RawRequest(
    head("GET /s?q=a+b&q=%C3%A9&e HTTP/1.1\r\nHost: h\r\n\r\n"),
    new Uint8Array(0),
    PEER,
    {},
  );
  assert.deepEqual(req.query.getAll("q"), ["a b", "é"]);
  assert.equal(req.query.get("e"), "");
  assert.equal(req.query, req.query);
  const none = new RawRequest(
    head("GET /s HTTP/1.1\r\nHost: h\r\n\r\n"),
    new Uint8Array(0),
    PEER,
    {},
  );
  assert.equal(none.rawQuery, "");
  assert.equal([...none.query].length, 0);
});

Deno.test("RawRequest.text() decodes the body as UTF-8, invalid bytes as U+FFFD", () => {
  const h = head("POST / HTTP/1.1\r\nHost: h\r\n\r\n");
  const body = new Uint8Array([...new TextEncoder().encode("héllo "), 0xff]);
  const req = new RawRequest(h, body, PEER, {});
  assert.equal(req.body, body);
  assert.equal(req.text(), "héllo \ufffd");
  assert.equal(new RawRequest(h, new Uint8Array(0), PEER, {}).text(), "");
});

Deno.test("RawRequest off a streaming route has no body stream, signal or completed, and no refusal", () => {
  const req = new RawRequest(
    head("GET / HTTP/1.1\r\nHost: h\r\n\r\n"),
    new Uint8Array(0),
    PEER,
    {},
  );
  assert.equal(req.bodyStream, null);
  assert.equal(req.signal, null);
  assert.equal(req.completed, null);
  assert.equal(req.bodyRefused, false);
});

Deno.test("RawRequest on a streaming route reads its stream, signal, completed and refusal from the parts, live", () => {
  const stream = new ReadableStream<Uint8Array>();
  const controller = new AbortController();
  const completed = Promise.resolve();
  let refused = false;
  const parts: StreamingParts = {
    bodyStream: stream,
    signal: controller.signal,
    completed,
    get bodyRefused() {
      return refused;
    },
  };
  const h = head("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n");
  const req = new RawRequest(h, new Uint8Array(0), PEER, {}, parts);
  assert.equal(req.bodyStream, stream);
  assert.equal(req.signal, controller.signal);
  assert.equal(req.completed, completed);
  assert.equal(req.bodyRefused, false);
  refused = true;
  assert.equal(req.bodyRefused, true, "read when asked, not copied at construction");
});
