/**
 * Tests for the request plan (src/server/request_plan.ts): what a head alone
 * decides about framing, `Expect` and keep-alive, without a socket.
 */

import assert from "node:assert/strict";
import { parseHead, type RequestHead } from "../../src/protocol/head_parser.ts";
import { clientKeepsAlive, planRequest, RequestPlan } from "../../src/server/request_plan.ts";
import { bytes } from "../fixtures/requests.ts";

const LIMITS = { maxRequestsPerConnection: 100 };

/** Parses a request head with the given field lines (Host is added for HTTP/1.1). */
function head(fields: string[], version = "HTTP/1.1", method = "POST"): RequestHead {
  const host = version === "HTTP/1.1" ? "Host: a\r\n" : "";
  const text = `${method} /up ${version}\r\n${host}${fields.map((f) => f + "\r\n").join("")}\r\n`;
  const r = parseHead(bytes(text));
  assert.equal(r.kind, "head", `fixture did not parse: ${JSON.stringify(r)}`);
  return (r as Extract<typeof r, { kind: "head" }>).head;
}

/** The plan for a head with `fields`, the first request of its connection. */
function plan(fields: string[], version?: string, served = 1): RequestPlan {
  const p = planRequest(head(fields, version), served, LIMITS);
  assert.ok(p instanceof RequestPlan, `refused: ${String(p)}`);
  return p;
}

Deno.test("planRequest() frames the body from the head: none, a length, or chunked", () => {
  assert.deepEqual(plan([]).framing, { kind: "none" });
  assert.deepEqual(plan(["Content-Length: 0"]).framing, { kind: "none" });
  assert.deepEqual(plan(["Content-Length: 5"]).framing, { kind: "length", length: 5 });
  assert.deepEqual(plan(["Transfer-Encoding: chunked"]).framing, { kind: "chunked" });
});

Deno.test("planRequest() refuses a framing that cannot be trusted, before looking at Expect", () => {
  const both = head(["Content-Length: 5", "Transfer-Encoding: chunked", "Expect: x"]);
  assert.equal(planRequest(both, 1, LIMITS), "conflicting_framing");
  assert.equal(planRequest(head(["Content-Length: 5, 5"]), 1, LIMITS), "invalid_content_length");
  assert.equal(
    planRequest(head(["Transfer-Encoding: gzip, chunked"]), 1, LIMITS),
    "unsupported_transfer_encoding",
  );
});

Deno.test("planRequest() waits for 100-continue only on an HTTP/1.1 request with a body", () => {
  assert.equal(plan(["Expect: 100-continue", "Content-Length: 5"]).wantsContinue, true);
  assert.equal(plan(["Expect: 100-Continue", "Content-Length: 5"]).wantsContinue, true);
  assert.equal(plan(["Expect: 100-continue", "Transfer-Encoding: chunked"]).wantsContinue, true);
  assert.equal(plan(["Expect: 100-continue"]).wantsContinue, false, "no body: nothing to wait for");
  assert.equal(plan(["Content-Length: 5"]).wantsContinue, false);
  assert.equal(
    plan(["Expect: 100-continue", "Content-Length: 5"], "HTTP/1.0").wantsContinue,
    false,
    "an HTTP/1.0 client's expectation is ignored",
  );
});

Deno.test("planRequest() refuses any other expectation with 417, from HTTP/1.1 clients only", () => {
  assert.equal(planRequest(head(["Expect: x-magic"]), 1, LIMITS), "unsupported_expectation");
  assert.equal(
    planRequest(head(["Expect: 100-continue, x-magic", "Content-Length: 1"]), 1, LIMITS),
    "unsupported_expectation",
  );
  assert.ok(planRequest(head(["Expect: x-magic"], "HTTP/1.0"), 1, LIMITS) instanceof RequestPlan);
});

Deno.test("planRequest() keeps HTTP/1.1 alive unless the client says close (RFC 9112 §9.3)", () => {
  for (
    const [fields, kept] of [
      [[], true],
      [["Connection: keep-alive"], true],
      [["Connection: close"], false],
      [["Connection: Close"], false],
      [["Connection: upgrade, close"], false],
      [["Connection: closed"], true],
    ] as const
  ) {
    const p = plan([...fields]);
    assert.equal(p.keepAlive, kept, fields.join());
    assert.equal(p.clientKeepsAlive, kept, fields.join());
  }
});

Deno.test("planRequest() keeps HTTP/1.0 alive only when the client asks for keep-alive", () => {
  assert.equal(plan([], "HTTP/1.0").keepAlive, false);
  assert.equal(plan(["Connection: close"], "HTTP/1.0").keepAlive, false);
  assert.equal(plan(["Connection: Keep-Alive"], "HTTP/1.0").keepAlive, true);
  assert.equal(plan(["Connection: keep-alive"], "HTTP/1.0").clientKeepsAlive, true);
});

Deno.test("MAX_REQUESTS_PER_CONNECTION: below it the connection is kept, at it the last request closes", () => {
  const max = LIMITS.maxRequestsPerConnection;
  assert.equal(plan([], "HTTP/1.1", max - 1).keepAlive, true);
  const last = plan([], "HTTP/1.1", max);
  assert.equal(last.keepAlive, false, "the last allowed request says close");
  assert.equal(last.clientKeepsAlive, true, "the client meant to go on: the close lingers");
  assert.equal(plan([], "HTTP/1.1", max + 1).keepAlive, false);
  assert.equal(plan(["Content-Length: 1"], "HTTP/1.1", max).keepAlive, false);
  const one = planRequest(head([]), 1, { maxRequestsPerConnection: 1 });
  assert.ok(one instanceof RequestPlan && !one.keepAlive && one.clientKeepsAlive);
});

Deno.test("planRequest() makes no plan for a request without a body: it reuses one made once", () => {
  assert.equal(plan([]), plan(["Connection: keep-alive"]));
  assert.equal(plan([]), plan(["Content-Length: 0"]));
  assert.notEqual(plan([]), plan(["Connection: close"]));
  assert.notEqual(plan(["Content-Length: 1"]), plan(["Content-Length: 1"]));
});

Deno.test("clientKeepsAlive() reads the Connection tokens by version", () => {
  assert.equal(clientKeepsAlive(head([], "HTTP/1.1", "GET")), true);
  assert.equal(clientKeepsAlive(head(["Connection: close"], "HTTP/1.1", "GET")), false);
  assert.equal(clientKeepsAlive(head([], "HTTP/1.0", "GET")), false);
  assert.equal(clientKeepsAlive(head(["Connection: keep-alive"], "HTTP/1.0", "GET")), true);
});
