import assert from "node:assert/strict";
import type { RawResponse } from "../../src/app/response.ts";
import type { SerializeOptions } from "../../src/protocol/serializer.ts";
import {
  CONTINUE_BYTES,
  encodeHead,
  serializeResponse,
  SERVER_NAME,
} from "../../src/protocol/serializer.ts";
import { STATUS_TEXT } from "../../src/protocol/status.ts";

const DATE = "Thu, 01 Jan 1970 00:00:00 GMT";
const OPTS: SerializeOptions = { keepAlive: true, omitBody: false, date: DATE };

const latin1 = new TextDecoder("latin1");

/** The response split at the first CRLFCRLF: head lines and the raw body bytes. */
function split(bytes: Uint8Array): { statusLine: string; fields: string[]; body: Uint8Array } {
  let end = -1;
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
      end = i;
      break;
    }
  }
  assert.notEqual(end, -1, "no CRLFCRLF in the response");
  const lines = latin1.decode(bytes.subarray(0, end)).split("\r\n");
  return { statusLine: lines[0]!, fields: lines.slice(1), body: bytes.subarray(end + 4) };
}

/** Every value of `name` (case-insensitive) among the head's fields. */
function values(fields: string[], name: string): string[] {
  const out: string[] = [];
  for (const line of fields) {
    const colon = line.indexOf(":");
    if (line.slice(0, colon).toLowerCase() === name.toLowerCase()) {
      out.push(line.slice(colon + 1).trim());
    }
  }
  return out;
}

function serialize(res: RawResponse, opts: Partial<SerializeOptions> = {}) {
  return split(serializeResponse(res, { ...OPTS, ...opts }));
}

Deno.test("serializeResponse() writes the status line with the reason phrase from STATUS_TEXT", () => {
  assert.equal(serialize({ status: 200 }).statusLine, "HTTP/1.1 200 OK");
  const bytes = serializeResponse({ status: 200, body: "x" }, OPTS);
  assert.equal(latin1.decode(bytes.subarray(0, 17)), "HTTP/1.1 200 OK\r\n");
  for (const [code, reason] of Object.entries(STATUS_TEXT)) {
    if (Number(code) < 200) continue; // interim: refused, see below
    const res = { status: Number(code) } as RawResponse;
    assert.equal(serialize(res).statusLine, `HTTP/1.1 ${code} ${reason}`);
  }
});

Deno.test("serializeResponse() writes an empty reason for a status outside STATUS_TEXT", () => {
  const res = { status: 599 } as unknown as RawResponse;
  assert.equal(serialize(res).statusLine, "HTTP/1.1 599 ");
});

Deno.test("serializeResponse() rejects a status that is not a final one (200-599)", () => {
  // 1xx too: an interim status as a handler's answer would desync the client.
  for (const status of [99, 100, 101, 199, 600, 1000, 200.5, NaN, -200]) {
    assert.throws(
      () => serializeResponse({ status } as unknown as RawResponse, OPTS),
      TypeError,
      `status ${status}`,
    );
  }
});

Deno.test("serializeResponse() sets Content-Length to the UTF-8 byte length of a text body", () => {
  const { fields, body } = serialize({ status: 200, body: "héllo" });
  assert.deepEqual(values(fields, "content-length"), ["6"]);
  assert.deepEqual(body, new TextEncoder().encode("héllo"));
  assert.equal(new TextDecoder().decode(body), "héllo");
});

Deno.test("serializeResponse() sends a byte body exactly after the blank line", () => {
  const payload = new Uint8Array([0, 1, 2, 13, 10, 13, 10, 255]);
  const bytes = serializeResponse({ status: 200, body: payload }, OPTS);
  const { fields, body } = split(bytes);
  assert.deepEqual(values(fields, "content-length"), ["8"]);
  assert.deepEqual(body, payload);
  // The head ends with exactly one CRLFCRLF, then the body: nothing before or after it.
  const head = latin1.decode(bytes.subarray(0, bytes.length - payload.length));
  assert.ok(head.endsWith("\r\n\r\n"));
  assert.ok(!head.slice(0, -4).includes("\r\n\r\n"));
});

Deno.test("serializeResponse() writes every head line ending in CRLF, no bare LF", () => {
  const bytes = serializeResponse(
    { status: 200, headers: { "X-A": "1" }, body: "ok" },
    OPTS,
  );
  const head = latin1.decode(bytes.subarray(0, bytes.length - 2));
  assert.equal(head.split("\n").length, head.split("\r\n").length);
});

Deno.test("serializeResponse() adds Date from the options and Server rawhttp", () => {
  const { fields } = serialize({ status: 200, body: "x" }, {
    date: "Sun, 06 Nov 1994 08:49:37 GMT",
  });
  assert.deepEqual(values(fields, "date"), ["Sun, 06 Nov 1994 08:49:37 GMT"]);
  assert.deepEqual(values(fields, "server"), [SERVER_NAME]);
  assert.equal(SERVER_NAME, "rawhttp");
});

Deno.test("serializeResponse() keeps a handler's own Server instead of adding rawhttp", () => {
  const { fields } = serialize({ status: 200, headers: { server: "mine/1.0" } });
  assert.deepEqual(values(fields, "server"), ["mine/1.0"]);
  const pairs = serialize({ status: 200, headers: [["SERVER", "other"]] });
  assert.deepEqual(values(pairs.fields, "server"), ["other"]);
});

Deno.test("serializeResponse() writes Connection: keep-alive or close from the options", () => {
  assert.deepEqual(values(serialize({ status: 200 }, { keepAlive: true }).fields, "connection"), [
    "keep-alive",
  ]);
  assert.deepEqual(values(serialize({ status: 200 }, { keepAlive: false }).fields, "connection"), [
    "close",
  ]);
});

Deno.test("serializeResponse() for HEAD (omitBody) keeps Content-Length but sends no body", () => {
  const bytes = serializeResponse(
    { status: 200, headers: { "content-type": "text/plain" }, body: "hello" },
    { ...OPTS, omitBody: true },
  );
  const { fields, body } = split(bytes);
  assert.deepEqual(values(fields, "content-length"), ["5"]);
  assert.deepEqual(values(fields, "content-type"), ["text/plain"]);
  assert.equal(body.length, 0);
  assert.ok(latin1.decode(bytes).endsWith("\r\n\r\n"));
});

Deno.test("serializeResponse() gives 204 and 304 no body and no Content-Length", () => {
  for (const status of [204, 304] as const) {
    // A body smuggled past the type checker is still dropped.
    const res = { status, body: "should not appear" } as unknown as RawResponse;
    const { fields, body } = serialize(res);
    assert.equal(body.length, 0, `status ${status}`);
    assert.deepEqual(values(fields, "content-length"), [], `status ${status}`);
    assert.deepEqual(values(fields, "content-type"), [], `status ${status}`);
  }
});

Deno.test("serializeResponse() keeps a 304's validators such as ETag", () => {
  const { fields } = serialize({ status: 304, headers: { etag: '"abc"' } });
  assert.deepEqual(values(fields, "etag"), ['"abc"']);
});

Deno.test("serializeResponse() sends Content-Length: 0 for an empty 200", () => {
  const { fields, body } = serialize({ status: 200 });
  assert.deepEqual(values(fields, "content-length"), ["0"]);
  assert.equal(body.length, 0);
  const empty = serialize({ status: 404, body: "" });
  assert.deepEqual(values(empty.fields, "content-length"), ["0"]);
});

Deno.test("serializeResponse() ignores a handler's Content-Length, Transfer-Encoding, Connection and Date", () => {
  const { fields, body } = serialize({
    status: 200,
    headers: {
      "Content-Length": "999",
      "Transfer-Encoding": "chunked",
      "connection": "upgrade",
      "DATE": "yesterday",
      "content-type": "text/plain",
    },
    body: "abc",
  });
  assert.deepEqual(values(fields, "content-length"), ["3"]);
  assert.deepEqual(values(fields, "transfer-encoding"), []);
  assert.deepEqual(values(fields, "connection"), ["keep-alive"]);
  assert.deepEqual(values(fields, "date"), [DATE]);
  assert.equal(new TextDecoder().decode(body), "abc");
});

Deno.test("serializeResponse() invents no Content-Type, as Deno.serve does (regression: octet-stream made pages downloads)", () => {
  assert.deepEqual(values(serialize({ status: 200, body: "x" }).fields, "content-type"), []);
  assert.deepEqual(values(serialize({ status: 200, body: "" }).fields, "content-type"), []);
  assert.deepEqual(values(serialize({ status: 200 }).fields, "content-type"), []);
  const own = serialize({ status: 200, headers: { "CONTENT-TYPE": "text/csv" }, body: "a,b" });
  assert.deepEqual(values(own.fields, "content-type"), ["text/csv"]);
});

Deno.test("serializeResponse() keeps the handler's header names and order as given", () => {
  const { fields } = serialize({
    status: 200,
    headers: [["X-First", "1"], ["x-second", "2"], ["X-Third", "3"]],
  });
  const custom = fields.filter((l) => l.toLowerCase().startsWith("x-"));
  assert.deepEqual(custom, ["X-First: 1", "x-second: 2", "X-Third: 3"]);
});

Deno.test("serializeResponse() writes repeated Set-Cookie from header pairs", () => {
  const { fields } = serialize({
    status: 200,
    headers: [["Set-Cookie", "a=1; Path=/"], ["Set-Cookie", "b=2"]],
  });
  assert.deepEqual(values(fields, "set-cookie"), ["a=1; Path=/", "b=2"]);
});

Deno.test("serializeResponse() throws TypeError for a header name that is not a token", () => {
  for (const name of ["X Bad", "", "X:Y", "X\r\nY", "Naïve", "X\u0000", "(x)", "a@b"]) {
    assert.throws(
      () => serializeResponse({ status: 200, headers: { [name]: "v" } }, OPTS),
      TypeError,
      JSON.stringify(name),
    );
  }
});

Deno.test("serializeResponse() throws TypeError for CR, LF, NUL or a char above U+00FF in a value (response splitting)", () => {
  const bad = [
    "a\r\nSet-Cookie: evil=1",
    "a\rb",
    "a\nb",
    "a\u0000b",
    "\u0100",
    // Low bytes that would be valid alone: only the > U+00FF check refuses these.
    "\u0141", // Ł, low byte 0x41 "A"
    "\u20ac", // €, low byte 0xAC (obs-text)
    "snow \u2603",
    "emoji \u{1F600}",
    "del \u007f",
    "bell \u0007",
  ];
  for (const value of bad) {
    assert.throws(
      () => serializeResponse({ status: 200, headers: { "X-Val": value } }, OPTS),
      TypeError,
      JSON.stringify(value),
    );
    assert.throws(
      () => serializeResponse({ status: 200, headers: [["X-Val", value]] }, OPTS),
      TypeError,
      JSON.stringify(value),
    );
  }
});

Deno.test("serializeResponse() checks even server-owned header fields it then ignores", () => {
  assert.throws(
    () => serializeResponse({ status: 200, headers: { "Content-Length": "1\r\nX: y" } }, OPTS),
    TypeError,
  );
});

Deno.test("serializeResponse() accepts tab, space and visible characters in a value", () => {
  const { fields } = serialize({ status: 200, headers: { "X-Ok": "a\tb c!~" } });
  assert.deepEqual(values(fields, "x-ok"), ["a\tb c!~"]);
});

Deno.test("serializeResponse() writes a latin1 value character as one byte (é is 0xE9)", () => {
  const bytes = serializeResponse({ status: 200, headers: { "X-Name": "caf\u00e9" } }, OPTS);
  const needle = [0x63, 0x61, 0x66, 0xe9, 0x0d, 0x0a]; // "caf" 0xE9 CR LF
  let at = -1;
  for (let i = 0; i + needle.length <= bytes.length; i++) {
    if (needle.every((b, j) => bytes[i + j] === b)) {
      at = i;
      break;
    }
  }
  assert.notEqual(at, -1, "expected the single byte 0xE9 after 'caf'");
  // Not UTF-8: the two-byte form C3 A9 must not appear.
  assert.ok(!bytes.some((b, i) => b === 0xc3 && bytes[i + 1] === 0xa9));
});

for (
  const [what, body, expected] of [
    ["a short text body", "hello", "hello"],
    ["a UTF-8 text body", "h\u00e9llo", "h\u00e9llo"],
    ["a bytes body", new TextEncoder().encode("hello"), "hello"],
  ] as const
) {
  Deno.test(`serializeResponse() with obs-text in the head keeps ${what} intact after it`, () => {
    const bytes = serializeResponse(
      { status: 200, headers: { "X-Name": "caf\u00e9" }, body },
      OPTS,
    );
    const end = bytes.findIndex((b, i) =>
      b === 0x0d && bytes[i + 1] === 0x0a && bytes[i + 2] === 0x0d && bytes[i + 3] === 0x0a
    ) + 4;
    const head = [...bytes.subarray(0, end)].map((b) =>
      String.fromCharCode(b)
    ).join("");
    assert.match(head, /\r\nX-Name: caf\u00e9\r\n/); // one byte, 0xE9
    const length = new TextEncoder().encode(expected).length;
    assert.match(head, new RegExp(`\r\nContent-Length: ${length}\r\n`));
    assert.equal(new TextDecoder().decode(bytes.subarray(end)), expected);
    assert.equal(bytes.length, end + length);
  });
}

Deno.test("serializeResponse() stays right past the field-line cache's bound (many distinct values)", () => {
  for (let i = 0; i < 3000; i++) {
    const { fields } = serialize({ status: 200, headers: { "X-Id": `v${i}`, "X-Same": "same" } });
    assert.deepEqual(values(fields, "x-id"), [`v${i}`]);
    assert.deepEqual(values(fields, "x-same"), ["same"]);
  }
});

Deno.test("serializeResponse() refuses a bad value every time, even after good ones for that name", () => {
  serialize({ status: 200, headers: { "X-Name": "good" } });
  for (let i = 0; i < 3; i++) {
    assert.throws(
      () => serializeResponse({ status: 200, headers: { "X-Name": "bad\r\nX-Evil: 1" } }, OPTS),
      TypeError,
    );
  }
  const { fields } = serialize({ status: 200, headers: { "X-Name": "good" } });
  assert.deepEqual(values(fields, "x-name"), ["good"]);
});

Deno.test("serializeResponse() writes values just below, at and above the cached length alike", () => {
  for (const n of [255, 256, 257, 5000]) {
    const value = "v".repeat(n);
    for (let i = 0; i < 2; i++) {
      const { fields } = serialize({ status: 200, headers: { "X-Long": value } });
      assert.deepEqual(values(fields, "x-long"), [value]);
    }
  }
});

Deno.test("serializeResponse() honours Connection: close from a cached line, and not keep-alive", () => {
  for (let i = 0; i < 2; i++) {
    const closing = serialize({ status: 200, headers: { "Connection": "close" } });
    assert.deepEqual(values(closing.fields, "connection"), ["close"]);
    const keeping = serialize({ status: 200, headers: { "Connection": "keep-alive, x" } });
    assert.deepEqual(values(keeping.fields, "connection"), ["keep-alive"]);
  }
});

Deno.test("serializeResponse() writes each head whole in runs of alike heads and between different ones", () => {
  // Alike heads reuse the last head's joined prefix: every change in a piece
  // before Content-Length (status, a value, the date, a field's presence, the
  // framing) must show, and the prefix must never leak into another head.
  const expected = (status: string, fields: string[], length: number | null, close = false) => [
    `HTTP/1.1 ${status}`,
    ...fields,
    "Server: rawhttp",
    `Date: ${DATE}`,
    ...(length === null ? [] : [`Content-Length: ${length}`]),
    `Connection: ${close ? "close" : "keep-alive"}`,
  ];
  const cases: Array<[RawResponse, Partial<SerializeOptions>, string[]]> = [
    [{ status: 200, headers: { "X-A": "1" }, body: "hi" }, {}, expected("200 OK", ["X-A: 1"], 2)],
    [
      { status: 200, headers: { "X-A": "1" }, body: "hello" },
      {},
      expected("200 OK", ["X-A: 1"], 5),
    ],
    [
      { status: 200, headers: { "X-A": "2" }, body: "hello" },
      {},
      expected("200 OK", ["X-A: 2"], 5),
    ],
    [
      { status: 404, headers: { "X-A": "2" }, body: "hello" },
      {},
      expected("404 Not Found", ["X-A: 2"], 5),
    ],
    [{ status: 404, headers: { "X-A": "2" } }, {}, expected("404 Not Found", ["X-A: 2"], 0)],
    [
      { status: 404, headers: { "X-A": "2" } },
      { keepAlive: false },
      expected("404 Not Found", ["X-A: 2"], 0, true),
    ],
    [{ status: 204, headers: { "X-A": "2" } }, {}, expected("204 No Content", ["X-A: 2"], null)],
    [
      { status: 200, headers: [["X-A", "2"], ["X-B", "3"]] },
      {},
      expected("200 OK", ["X-A: 2", "X-B: 3"], 0),
    ],
    [
      { status: 200, headers: [["X-B", "3"], ["X-A", "2"]] },
      {},
      expected("200 OK", ["X-B: 3", "X-A: 2"], 0),
    ],
  ];
  for (let round = 0; round < 3; round++) {
    for (const [response, options, lines] of cases) {
      for (let repeat = 0; repeat < 3; repeat++) {
        const { statusLine, fields } = serialize(response, options);
        assert.deepEqual([statusLine, ...fields], lines);
      }
    }
  }
  const later = "Thu, 01 Jan 1970 00:00:01 GMT";
  const { fields } = serialize({ status: 200, headers: { "X-A": "1" } }, { date: later });
  assert.deepEqual(values(fields, "date"), [later]);
});

Deno.test("serializeResponse() gives a repeated text response its last bytes again, and any change shows", () => {
  const headers: Record<string, string> = { "Content-Type": "text/plain" };
  const text = (bytes: Uint8Array) => latin1.decode(bytes);
  const first = serializeResponse({ status: 200, headers, body: "hello" }, OPTS);
  const again = serializeResponse({ status: 200, headers, body: "hello" }, OPTS);
  const third = serializeResponse({ status: 200, headers, body: "hello" }, OPTS);
  assert.equal(text(again), text(first));
  assert.equal(third, again, "an equal response was encoded anew");
  const expected = (type: string, body: string, close = false, date = DATE) =>
    `HTTP/1.1 200 OK\r\nContent-Type: ${type}\r\nServer: rawhttp\r\nDate: ${date}\r\n` +
    `Content-Length: ${body.length}\r\nConnection: ${
      close ? "close" : "keep-alive"
    }\r\n\r\n${body}`;
  assert.equal(text(third), expected("text/plain", "hello"));
  // The same headers object, changed in place: the memo must not answer.
  headers["Content-Type"] = "text/html";
  assert.equal(
    text(serializeResponse({ status: 200, headers, body: "hello" }, OPTS)),
    expected("text/html", "hello"),
  );
  assert.equal(
    text(serializeResponse({ status: 200, headers, body: "hello" }, OPTS)),
    expected("text/html", "hello"),
  );
  // Another text of the same length, then the close, then the next second.
  assert.equal(
    text(serializeResponse({ status: 200, headers, body: "world" }, OPTS)),
    expected("text/html", "world"),
  );
  assert.equal(
    text(serializeResponse({ status: 200, headers, body: "world" }, { ...OPTS, keepAlive: false })),
    expected("text/html", "world", true),
  );
  const later = "Thu, 01 Jan 1970 00:00:01 GMT";
  serializeResponse({ status: 200, headers, body: "world" }, { ...OPTS, date: later });
  assert.equal(
    text(serializeResponse({ status: 200, headers, body: "world" }, { ...OPTS, date: later })),
    expected("text/html", "world", false, later),
  );
  // HEAD: the same head without the body.
  const head = serializeResponse({ status: 200, headers, body: "world" }, {
    ...OPTS,
    omitBody: true,
  });
  assert.equal(text(head), expected("text/html", "world").slice(0, -"world".length));
  // A byte body counts by its bytes: another array with the same bytes gets
  // the same answer, and an array changed in place a new one.
  const bytes = new TextEncoder().encode("abc");
  serializeResponse({ status: 200, headers, body: bytes }, OPTS);
  const fromBytes = serializeResponse({ status: 200, headers, body: bytes }, OPTS);
  const sameBytes = serializeResponse({ status: 200, headers, body: bytes.slice() }, OPTS);
  assert.equal(sameBytes, fromBytes, "equal bytes were encoded anew");
  assert.ok(text(sameBytes).endsWith("\r\n\r\nabc"));
  bytes[2] = 0x78;
  assert.ok(
    text(serializeResponse({ status: 200, headers, body: bytes }, OPTS)).endsWith("\r\n\r\nabx"),
  );
  // Text after bytes (and bytes after text) with the same characters: each as it is.
  assert.ok(text(serializeResponse({ status: 200, headers, body: "abx" }, OPTS)).endsWith("abx"));
  assert.ok(
    text(serializeResponse({ status: 200, headers, body: bytes }, OPTS)).endsWith("\r\n\r\nabx"),
  );
});

Deno.test("CONTINUE_BYTES is the interim 100 response with no fields", () => {
  assert.equal(new TextDecoder().decode(CONTINUE_BYTES), "HTTP/1.1 100 Continue\r\n\r\n");
});

Deno.test("RawResponse types forbid a body on 204 (compile-time check)", () => {
  // @ts-expect-error: a 204 response has no body field in its type.
  const bad: RawResponse = { status: 204, body: "x" };
  // At run time the serialiser drops it anyway.
  assert.equal(serialize(bad).body.length, 0);
  const ok: RawResponse = { status: 204 };
  assert.equal(serialize(ok).statusLine, "HTTP/1.1 204 No Content");
});

Deno.test("serializeResponse() stays right when a header getter serializes a response of its own (re-entry)", () => {
  const inner: RawResponse = { status: 404, headers: { "X-Inner": "1", "X-B": "b" }, body: "no" };
  let nestedBytes: Uint8Array | null = null;
  const headers = {
    "X-First": "1",
    get "X-Second"() {
      nestedBytes = serializeResponse(inner, OPTS);
      return "2";
    },
    "X-Third": "3",
  };
  const outer = split(serializeResponse({ status: 200, headers, body: "hello" }, OPTS));
  assert.equal(outer.statusLine, "HTTP/1.1 200 OK");
  assert.deepEqual(outer.fields.slice(0, 3), ["X-First: 1", "X-Second: 2", "X-Third: 3"]);
  assert.equal(latin1.decode(outer.body), "hello");
  const nested = split(nestedBytes!);
  assert.equal(nested.statusLine, "HTTP/1.1 404 Not Found");
  assert.deepEqual(nested.fields.slice(0, 2), ["X-Inner: 1", "X-B: b"]);
  // and the shared state is sound afterwards
  assert.deepEqual(split(serializeResponse(inner, OPTS)).fields, nested.fields);
});

Deno.test("serializeResponse() turns whatever a handler's getter throws into a TypeError (answered 500)", () => {
  const boom = new RangeError("boom");
  const throwingHeaders = {
    get "X-A"(): string {
      throw boom;
    },
  };
  const throwingBody = {
    status: 200,
    get body(): string {
      throw boom;
    },
  } as RawResponse;
  for (const res of [{ status: 200, headers: throwingHeaders } as RawResponse, throwingBody]) {
    assert.throws(
      () => serializeResponse(res, OPTS),
      (e: unknown) => e instanceof TypeError && e.cause === boom,
    );
  }
  assert.equal(
    split(serializeResponse({ status: 200, body: "ok" }, OPTS)).statusLine,
    "HTTP/1.1 200 OK",
  );
});

Deno.test("serializeResponse() refuses a header value or name that is not a string (toString could split the response)", () => {
  const sneaky = { toString: () => "x\r\nInjected: yes" };
  const cases = [
    { "X-A": sneaky },
    { "X-A": 5 },
    [[sneaky, "v"]],
  ] as unknown as RawResponse["headers"][];
  for (const headers of cases) {
    assert.throws(
      () => serializeResponse({ status: 200, headers } as RawResponse, OPTS),
      /response header names and values must be strings/,
    );
  }
});

Deno.test("serializeResponse() refuses a Headers object as headers, as a fetch Response from a native route has: its fields would all be lost", () => {
  const fromFetch = new Response("hi", { headers: { "X-A": "1" } });
  // its body is a stream: the writer sends it, laying out the head with encodeHead()
  assert.throws(
    () => encodeHead(fromFetch as unknown as RawResponse, OPTS, "chunked"),
    /response headers are a Headers object \(a fetch Response from a native route\?\)/,
  );
  const headers = new Headers({ "X-A": "1" });
  assert.throws(
    () => serializeResponse({ status: 200, headers } as unknown as RawResponse, OPTS),
    TypeError,
  );
  // an empty object is no fields, as before
  assert.equal(
    split(serializeResponse({ status: 200, headers: {} }, OPTS)).statusLine,
    "HTTP/1.1 200 OK",
  );
});
