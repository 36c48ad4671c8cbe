/** Tests for the fetch-style handler adapter (src/fetch/adapter.ts). */

import assert from "node:assert/strict";
import {
  defaultOnError,
  fetchHandler,
  fromResponse,
  servedFetchHandler,
  type ServeHandlerInfo,
} from "../../src/fetch/adapter.ts";
import type { RawResponse } from "../../src/app/response.ts";
import type { StreamingParts } from "../../src/app/request.ts";
import { capturingLogs } from "../fixtures/logs.ts";
import { makeRequest } from "../fixtures/request.ts";

/** The response's stream body read whole, as text. */
async function streamText(res: RawResponse): Promise<string> {
  const body = res.body;
  assert.ok(body instanceof ReadableStream, "a stream body");
  return await new Response(body).text();
}

Deno.test("fetchHandler() gives the handler a Request with the URL, method and headers, and the peer in info", async () => {
  let seen: { url: string; method: string; accept: string | null; addr: Deno.NetAddr } | null =
    null;
  const handler = fetchHandler((req, info) => {
    seen = {
      url: req.url,
      method: req.method,
      accept: req.headers.get("accept"),
      addr: info.remoteAddr,
    };
    return new Response(null, { status: 204 });
  });
  const res = await handler(
    makeRequest("DELETE", "/x?y=1", { host: "h.example:81", headers: [["Accept", "a/b"]] }),
  );
  assert.equal(res.status, 204);
  assert.deepEqual(seen, {
    url: "http://h.example:81/x?y=1",
    method: "DELETE",
    accept: "a/b",
    addr: { transport: "tcp", hostname: "127.0.0.1", port: 40000 },
  });
});

Deno.test("fetchHandler() answers the Response's status, each Set-Cookie on its own, and its body as a stream", async () => {
  const headers = new Headers([["Set-Cookie", "a=1"], ["Set-Cookie", "b=2"], ["X-A", "v"]]);
  const res = await fetchHandler(() => new Response("hello", { status: 201, headers }))(
    makeRequest("GET", "/"),
  );
  assert.equal(res.status, 201);
  assert.deepEqual(res.headers, [
    ["content-type", "text/plain;charset=UTF-8"],
    ["set-cookie", "a=1"],
    ["set-cookie", "b=2"],
    ["x-a", "v"],
  ]);
  assert.equal(await streamText(res), "hello");
});

Deno.test("servedFetchHandler() collects a body that is all ready into bytes", async () => {
  const res = await servedFetchHandler(() => Response.json({ ok: true }))(makeRequest("GET", "/"));
  assert.equal(res.status, 200);
  assert.ok(res.body instanceof Uint8Array, "collected");
  assert.equal(new TextDecoder().decode(res.body), '{"ok":true}');
});

Deno.test("servedFetchHandler() passes on a body that waits as the rest of its stream, first chunk kept", async () => {
  let push!: (text: string) => void;
  let end!: () => void;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode("first "));
      push = (t) => c.enqueue(new TextEncoder().encode(t));
      end = () => c.close();
    },
  });
  const res = await servedFetchHandler(() => new Response(stream))(makeRequest("GET", "/"));
  const body = res.body;
  assert.ok(body !== undefined && !(body instanceof Uint8Array) && typeof body !== "string");
  push("second");
  end();
  const parts: string[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    parts.push(new TextDecoder().decode(chunk));
  }
  assert.equal(parts.join(""), "first second");
});

Deno.test("servedFetchHandler() answers a Response without a body with no body", async () => {
  const res = await servedFetchHandler(() => new Response(null, { status: 304 }))(
    makeRequest("GET", "/"),
  );
  assert.deepEqual(res, { status: 304, headers: [] });
});

Deno.test("fetchHandler() refuses a Host the URL parser refuses as invalid_host (400), the handler not run", async () => {
  let ran = false;
  const res = await fetchHandler(() => {
    ran = true;
    return new Response("x");
  })(makeRequest("GET", "/", { host: "a%zz" }));
  assert.equal(ran, false);
  assert.equal(res.status, 400);
  assert.equal(res.body, "Bad Request: malformed Host header\n");
});

Deno.test("fetchHandler() hands a thrown error to onError and answers what it returns", async () => {
  const boom = new Error("boom");
  let got: unknown = null;
  const res = await fetchHandler(
    () => {
      throw boom;
    },
    (error) => {
      got = error;
      return new Response("sorry", { status: 502 });
    },
  )(makeRequest("GET", "/"));
  assert.equal(got, boom);
  assert.equal(res.status, 502);
  assert.equal(await streamText(res), "sorry");
});

Deno.test("fetchHandler() answers a logged 500 when the handler returns no Response or onError fails", async () => {
  await capturingLogs("error", async (records) => {
    const notResponse = fetchHandler((() => ({ status: 200 })) as unknown as () => Response);
    const a = await notResponse(makeRequest("GET", "/"));
    assert.equal(a.status, 500);
    assert.equal(await streamText(a), "Internal Server Error");
    const badOnError = fetchHandler(() => Promise.reject(new Error("x")), () => {
      throw new Error("onError too");
    });
    assert.equal((await badOnError(makeRequest("GET", "/"))).status, 500);
    const notResponseOnError = fetchHandler(
      () => Promise.reject(new Error("x")),
      (() => "text") as unknown as () => Response,
    );
    assert.equal((await notResponseOnError(makeRequest("GET", "/"))).status, 500);
    const messages = records.map((r) => String(r.message.join("")));
    assert.equal(
      messages.filter((m) => m.startsWith("fetch handler threw")).length,
      3,
      messages.join("\n"),
    );
  });
});

Deno.test("defaultOnError() answers a bare plain-text 500", async () => {
  await capturingLogs("error", async (records) => {
    const res = defaultOnError(new Error("secret detail"));
    assert.equal(res.status, 500);
    assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(await res.text(), "Internal Server Error", "the error is not echoed");
    assert.equal(records.length, 1);
  });
});

function streamingParts(overrides: Partial<StreamingParts>): StreamingParts {
  return {
    bodyStream: null,
    signal: new AbortController().signal,
    completed: Promise.resolve(),
    bodyRefused: false,
    ...overrides,
  };
}

Deno.test("fetchHandler() answers a quiet 500 without body when the handler failed on a refused request body", async () => {
  await capturingLogs("error", async (records) => {
    const res = await fetchHandler(() => {
      throw new Error("body too large");
    })(makeRequest("POST", "/", { streaming: streamingParts({ bodyRefused: true }) }));
    assert.deepEqual(res, { status: 500, headers: [] });
    assert.equal(records.length, 0, "the client's fault, logged at debug only");
  });
});

Deno.test("fetchHandler() info.completed resolves when the response was written, rejects Interrupted when not", async () => {
  let info: ServeHandlerInfo | null = null;
  const handler = fetchHandler((_req, i) => {
    info = i;
    return new Response(null);
  });
  await handler(makeRequest("GET", "/", { streaming: streamingParts({}) }));
  await (info as ServeHandlerInfo | null)!.completed;
  const failed = Promise.reject(new Error("reset"));
  failed.catch(() => {});
  await handler(makeRequest("GET", "/", { streaming: streamingParts({ completed: failed }) }));
  await assert.rejects((info as ServeHandlerInfo | null)!.completed, Deno.errors.Interrupted);
  // Off a streaming route there is nothing to wait for.
  await handler(makeRequest("GET", "/"));
  await (info as ServeHandlerInfo | null)!.completed;
});

Deno.test("fromResponse() keeps the status and headers, and a null body as none", () => {
  assert.deepEqual(fromResponse(new Response(null, { status: 404, headers: { "X-A": "1" } })), {
    status: 404,
    headers: [["x-a", "1"]],
  });
  const withBody = fromResponse(new Response("b"));
  assert.ok(withBody.body instanceof ReadableStream);
});
