/**
 * `serve()`'s fetch handler probing the `Response` body in the handler's
 * frame and handing bytes over (src/fetch/adapter.ts, `servedFetchHandler()`)
 * against the body read whole with `arrayBuffer()`
 * (tests/reference/fetch_body.ts): random responses (no body, a string,
 * bytes, a Blob, JSON, form parameters, a stream of several chunks that are
 * ready or come later, empty ones among them, past the 64 KiB the probe
 * collects, ending, failing or giving something that is not bytes) from
 * handlers that answer at once, later, throw or return no Response, must give
 * the same status, header fields and body bytes, and fail where the
 * reference fails. The optimised side's body is read as the response writer
 * reads it: the bytes, or the rest of the stream, chunk by chunk.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { type FetchHandler, servedFetchHandler } from "../../src/fetch/adapter.ts";
import type { RawRequest } from "../../src/app/request.ts";
import { makeRequest } from "../fixtures/request.ts";
import { firstDifference, referenceBody } from "../reference/byte_arrays.ts";
import { type ReferenceAnswer, referenceServedFetchHandler } from "../reference/fetch_body.ts";

/** Bytes: usually short, sometimes past the 64 KiB the probe collects. */
const bytes = fc.oneof(
  { weight: 6, arbitrary: fc.uint8Array({ maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 30_000, max: 70_000 }).map((n) =>
      new Uint8Array(n).map((_, i) => i * 7)
    ),
  },
);

const chunk = fc.record({ bytes, later: fc.boolean() });

/** A Response body, described: streams most often, as they vary most. */
const body = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: "none" as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("string" as const),
      text: fc.string({ unit: "grapheme" }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("bytes" as const), bytes }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("blob" as const),
      bytes,
      type: fc.constantFrom("", "text/plain", "application/octet-stream"),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("json" as const),
      value: fc.jsonValue({ maxDepth: 2 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("params" as const),
      pairs: fc.array(fc.tuple(fc.string(), fc.string()), { maxLength: 3 }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("stream" as const),
      chunks: fc.array(chunk, { maxLength: 5 }),
      end: fc.constantFrom("close", "close", "error", "not bytes"),
    }),
  },
);

type Body = typeof body extends fc.Arbitrary<infer B> ? B : never;

const answer = fc.record({
  body,
  status: fc.constantFrom(200, 201, 404, 500),
  cookies: fc.array(fc.constantFrom("a=1", "b=2"), { maxLength: 2 }),
  handler: fc.constantFrom("at once", "at once", "at once", "later", "throws", "no Response"),
});

type Answer = typeof answer extends fc.Arbitrary<infer A> ? A : never;

/** Some microtask turns: more than the probe waits for a chunk it counts as ready. */
async function later(): Promise<void> {
  for (let i = 0; i < 40; i++) await null;
}

/** A stream of `chunks`, each enqueued when pulled (after a wait for a later one), then its end. */
function streamOf(b: Extract<Body, { kind: "stream" }>): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = b.chunks[i++];
      if (next === undefined) {
        if (b.end === "close") controller.close();
        else if (b.end === "error") controller.error(new Error("producer failed"));
        else controller.enqueue("not bytes" as unknown as Uint8Array);
        return;
      }
      if (next.later) await later();
      controller.enqueue(next.bytes.slice());
    },
  }, { highWaterMark: 0 });
}

/** A new Response as `a` describes it. */
function responseOf(a: Answer): Response {
  const headers = new Headers(a.cookies.map((c): [string, string] => ["Set-Cookie", c]));
  const init = { status: a.status, headers };
  const b = a.body;
  switch (b.kind) {
    case "none":
      return new Response(null, init);
    case "string":
      return new Response(b.text, init);
    case "bytes":
      return new Response(b.bytes.slice(), init);
    case "blob":
      return new Response(new Blob([b.bytes.slice()], { type: b.type }), init);
    case "json":
      return Response.json(b.value, init);
    case "params":
      return new Response(new URLSearchParams(b.pairs), init);
    case "stream":
      return new Response(streamOf(b), init);
  }
}

/** The fetch handler `a` describes. */
function handlerOf(a: Answer): FetchHandler {
  return () => {
    switch (a.handler) {
      case "at once":
        return responseOf(a);
      case "later":
        return later().then(() => responseOf(a));
      case "throws":
        throw new Error("handler failed");
      case "no Response":
        return { status: 200 } as unknown as Response;
    }
  };
}

/** What servedFetchHandler() answers, with its body read as the response writer reads it. */
async function served(handler: FetchHandler, raw: RawRequest): Promise<ReferenceAnswer> {
  const res = await servedFetchHandler(handler)(raw);
  const status = res.status;
  const headers = res.headers as Array<[string, string]>;
  const b = res.body;
  if (b === undefined) return { status, headers, body: null };
  // A copy at once: collected bytes are carved from a shared slab.
  if (b instanceof Uint8Array) return { status, headers, body: b.slice() };
  assert.ok(typeof b === "object" && Symbol.asyncIterator in b, "bytes or the rest of a stream");
  const rest = (b as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const parts: Uint8Array[] = [];
  try {
    for (;;) {
      const r = await rest.next();
      if (r.done) break;
      if (!(r.value instanceof Uint8Array)) return { status, headers, body: "failed" };
      parts.push(r.value.slice());
    }
  } catch {
    return { status, headers, body: "failed" };
  }
  return { status, headers, body: referenceBody(parts) };
}

Deno.test("servedFetchHandler() answers the reference's status, fields and body bytes, and fails where it fails, for random responses", async () => {
  const raw = makeRequest("GET", "/x");
  await fc.assert(
    fc.asyncProperty(answer, async (a) => {
      const mine = await served(handlerOf(a), raw);
      const theirs = await referenceServedFetchHandler(handlerOf(a))(raw);
      assert.equal(mine.status, theirs.status);
      assert.deepEqual(mine.headers, theirs.headers);
      if (mine.body instanceof Uint8Array && theirs.body instanceof Uint8Array) {
        assert.equal(firstDifference(mine.body, theirs.body), -1, "first differing byte");
      } else {
        assert.deepEqual(mine.body, theirs.body);
      }
    }),
    { numRuns: 200 },
  );
});
