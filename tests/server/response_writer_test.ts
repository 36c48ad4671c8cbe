import assert from "node:assert/strict";
import { Output } from "../../src/io/output.ts";
import type { RawResponse, StreamBody } from "../../src/app/response.ts";
import { MAX_COLLECTED_BYTES } from "../../src/io/ready_chunks.ts";
import {
  StreamFailedEarly,
  type WriteOptions,
  writeResponse,
} from "../../src/server/response_writer.ts";
import { Router } from "../../src/app/router.ts";
import { SizedBody } from "../../src/io/sized_body.ts";
import { Latch, RawClient, startServer } from "../fixtures/harness.ts";

const DATE = "Thu, 01 Jan 2026 00:00:00 GMT";
const dec = new TextDecoder();
const bytes = (s: string) => new TextEncoder().encode(s);

/** A kept-alive HTTP/1.1 exchange, for tests that drive writeResponse themselves. */
const PLAIN_OPTIONS: WriteOptions = {
  keepAlive: true,
  omitBody: false,
  date: DATE,
  version: "HTTP/1.1",
  closingSignal: () => new AbortController().signal,
};

/** Writes one response through a real Output into memory; returns what went out. */
async function write(
  body: StreamBody,
  overrides: Partial<WriteOptions> & { status?: number; onStreaming?: () => void } = {},
): Promise<{ wire: string; reusable: boolean; asked: number }> {
  const out: string[] = [];
  const output = new Output({
    write(p) {
      out.push(dec.decode(p));
      return Promise.resolve(p.length);
    },
  }, 60_000);
  let asked = 0;
  const options: WriteOptions = {
    keepAlive: true,
    omitBody: false,
    date: DATE,
    version: "HTTP/1.1",
    closingSignal: () => {
      asked++;
      overrides.onStreaming?.(); // the writer found the producer waiting
      return new AbortController().signal;
    },
    ...overrides,
  };
  const res = { status: overrides.status ?? 200, headers: [], body } as RawResponse;
  try {
    const written = await writeResponse(output, res, options);
    await output.flush();
    return { wire: out.join(""), reusable: written.reusable, asked };
  } finally {
    output.dispose();
  }
}

/** A stream that yields `chunks` and then waits for `gate` before `after`. */
async function* waiting(chunks: string[], gate: Promise<void>, after: string[]) {
  for (const c of chunks) yield bytes(c);
  await gate;
  for (const c of after) yield bytes(c);
}

Deno.test("a fetch Response's stream (all ready) goes out with Content-Length, no watch", async () => {
  const { wire, reusable, asked } = await write(new Response("hello").body!);
  assert.match(wire, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(wire, /\r\ncontent-length: 5\r\n/i);
  assert.doesNotMatch(wire, /transfer-encoding/i);
  assert.ok(wire.endsWith("\r\n\r\nhello"));
  assert.equal(reusable, true);
  assert.equal(asked, 0, "a ready stream never asks for the closing signal");
});

Deno.test("ready chunks are joined; empty chunks among them are skipped", async () => {
  const { wire } = await write((async function* () {
    yield bytes("ab");
    yield new Uint8Array(0);
    yield bytes("cd");
  })());
  assert.match(wire, /content-length: 4\r\n/i);
  assert.ok(wire.endsWith("\r\n\r\nabcd"));
});

Deno.test("ready chunks are copied as they come: a producer that reuses its buffer sends each chunk as it was", async () => {
  const buffer = new Uint8Array(3);
  async function* reusing() {
    for (const text of ["abc", "def", "ghi"]) {
      buffer.set(bytes(text)); // the same array each time
      yield buffer;
    }
  }
  const { wire } = await write(reusing());
  assert.match(wire, /\r\ncontent-length: 9\r\n/i);
  assert.ok(wire.endsWith("\r\n\r\nabcdefghi"), JSON.stringify(wire));
});

Deno.test("a producer that waits gets chunked framing; what was ready goes first", async () => {
  const gate = Promise.withResolvers<void>();
  const { wire, reusable, asked } = await write(waiting(["one"], gate.promise, ["two"]), {
    onStreaming: () => gate.resolve(),
  });
  assert.match(wire, /transfer-encoding: chunked\r\n/i);
  assert.ok(wire.endsWith("\r\n\r\n3\r\none\r\n3\r\ntwo\r\n0\r\n\r\n"), wire);
  assert.equal(reusable, true);
  assert.equal(asked, 1, "a waiting stream asks for the closing signal once");
});

Deno.test("HTTP/1.0 and a waiting producer: the body ends when the connection does", async () => {
  const gate = Promise.withResolvers<void>();
  const { wire, reusable } = await write(waiting(["a"], gate.promise, ["b"]), {
    version: "HTTP/1.0",
    onStreaming: () => gate.resolve(),
  });
  assert.doesNotMatch(wire, /transfer-encoding|content-length/i);
  assert.ok(wire.endsWith("\r\n\r\nab"));
  assert.equal(reusable, false);
});

Deno.test("a chunk that is not bytes, before anything went out, fails early", async () => {
  await assert.rejects(
    write((async function* () {
      yield "text" as unknown as Uint8Array;
    })()),
    (e) => e instanceof StreamFailedEarly && e.cause instanceof TypeError,
  );
});

Deno.test("a producer that throws, or whose next() throws at once, fails early with its error", async () => {
  const boom = new Error("boom");
  await assert.rejects(
    write((async function* () {
      yield* [];
      throw boom;
    })()),
    (e) => e instanceof StreamFailedEarly && e.cause === boom,
  );
  const throwsAtOnce: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: () => {
        throw boom;
      },
    }),
  };
  await assert.rejects(
    write(throwsAtOnce),
    (e) => e instanceof StreamFailedEarly && e.cause === boom,
  );
});

Deno.test("a producer that fails after the head went out: no last chunk, and not reusable", async () => {
  const gate = Promise.withResolvers<void>();
  const body = (async function* () {
    yield bytes("part");
    await gate.promise;
    throw new Error("late failure");
  })();
  const { wire, reusable } = await write(body, { onStreaming: () => gate.resolve() });
  assert.ok(wire.endsWith("4\r\npart\r\n"), wire);
  assert.equal(reusable, false);
});

Deno.test("a 204 or 304 with a stream body: the stream is cancelled and no body is sent", async () => {
  for (const status of [204, 304]) {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      cancel() {
        cancelled = true;
      },
    });
    const { wire } = await write(body, { status });
    assert.ok(wire.endsWith("\r\n\r\n"));
    assert.doesNotMatch(wire, /content-length: [1-9]|transfer-encoding/i);
    assert.equal(cancelled, true);
  }
});

Deno.test("HEAD with a waiting producer: the head alone, and the connection stays usable", async () => {
  const gate = Promise.withResolvers<void>(); // never opened: HEAD must not wait on it
  const { wire, reusable } = await write(waiting([], gate.promise, ["x"]), { omitBody: true });
  assert.ok(wire.endsWith("\r\n\r\n"));
  assert.doesNotMatch(wire, /transfer-encoding/i);
  assert.equal(reusable, true);
});

Deno.test("one ready chunk gets Content-Length at any size (a fetch Response of one array)", async () => {
  for (const size of [MAX_COLLECTED_BYTES - 1, MAX_COLLECTED_BYTES, 1024 * 1024 + 1]) {
    const { wire } = await write(new Response(new Uint8Array(size).fill(0x61)).body!);
    assert.match(wire, new RegExp(`content-length: ${size}\r\n`, "i"));
    assert.equal(wire.slice(wire.indexOf("\r\n\r\n") + 4), "a".repeat(size));
  }
});

Deno.test("ready chunks past MAX_COLLECTED_BYTES go chunked, each read only once the one before is written", async () => {
  const piece = MAX_COLLECTED_BYTES / 2;
  const pieces = 8;
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (pulled++ < pieces) c.enqueue(new Uint8Array(piece).fill(0x61));
      else c.close();
    },
  }, { highWaterMark: 0 });
  // A sink that takes nothing until told: the client does not read.
  const gates: Array<() => void> = [];
  const out: string[] = [];
  const output = new Output({
    write(p) {
      out.push(dec.decode(p));
      return new Promise<number>((resolve) => gates.push(() => resolve(p.length)));
    },
  }, 60_000);
  const res = { status: 200, headers: [], body: stream } as RawResponse;
  const written = writeResponse(output, res, PLAIN_OPTIONS);
  for (let i = 0; i < 50 && gates.length === 0; i++) await new Promise((r) => setTimeout(r, 1));
  // MAX_COLLECTED_BYTES and one chunk more were read; nothing else while the write waits.
  const before = pulled;
  assert.ok(before <= MAX_COLLECTED_BYTES / piece + 2, `pulled ${before}`);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(pulled, before);
  while (gates.length > 0 || pulled <= pieces) {
    const gate = gates.shift();
    if (gate === undefined) await new Promise((r) => setTimeout(r, 1));
    else gate();
    await new Promise((r) => setTimeout(r, 0));
  }
  await written;
  const flushed = output.flush();
  for (let i = 0; i < 20; i++) {
    gates.shift()?.();
    await new Promise((r) => setTimeout(r, 0));
  }
  await flushed;
  output.dispose();
  const wire = out.join("");
  assert.match(wire, /transfer-encoding: chunked\r\n/i);
  assert.ok(wire.endsWith("\r\n0\r\n\r\n"));
  assert.equal(wire.split("a".repeat(piece)).length - 1, pieces);
});

/**
 * A stream that sends one event, then fails when `fail()` is called: `cancelled`
 * resolves if it is cancelled, `errored` once it has failed.
 */
function failsLater() {
  const failNow = Promise.withResolvers<void>();
  const cancelled = Promise.withResolvers<void>();
  const errored = Promise.withResolvers<void>();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(bytes("data: one\n\n"));
      await failNow.promise;
      controller.error(new Error("producer failed late"));
      errored.resolve();
    },
    cancel() {
      cancelled.resolve();
    },
  });
  return {
    stream,
    fail: () => failNow.resolve(),
    cancelled: cancelled.promise,
    errored: errored.promise,
  };
}

Deno.test("a waiting stream whose head is invalid: a TypeError, the stream cancelled, its later failure handled", async () => {
  const producer = failsLater();
  const output = new Output({ write: (p) => Promise.resolve(p.length) }, 60_000);
  const res = { status: 200, headers: [["x-bad", "a\x01b"]], body: producer.stream } as RawResponse;
  await assert.rejects(writeResponse(output, res, PLAIN_OPTIONS), TypeError);
  await producer.cancelled; // reached only if the writer cancelled the stream
  producer.fail(); // unhandled, its failure would end the test run
  output.dispose();
});

Deno.test("a producer that fails while the head is being written: no unhandled rejection, the body cut", async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    unhandled.push(event.reason);
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  try {
    const writing = Promise.withResolvers<void>();
    const release = Promise.withResolvers<void>();
    const producer = failsLater();
    const output = new Output({
      async write(p) {
        writing.resolve();
        await release.promise; // the head's write is slow
        return p.length;
      },
    }, 60_000);
    const response = { status: 200, body: producer.stream } as RawResponse;
    const written = writeResponse(output, response, PLAIN_OPTIONS);
    await writing.promise;
    producer.fail();
    await producer.errored;
    // One event-loop turn: Deno reports a rejection still unhandled at its end.
    await new Promise((resolve) => setTimeout(resolve, 0));
    release.resolve();
    assert.equal((await written).reusable, false);
    assert.deepEqual(unhandled, []);
    output.dispose();
  } finally {
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
  }
});

// Through a live server: what the writer does with generator bodies.

Deno.test("HEAD to an async-generator body answers at once, without waiting for the generator (was: waited for its first yield)", async () => {
  const latch = new Latch();
  const router = new Router().get("/events", () => ({
    status: 200,
    headers: { "Content-Type": "text/plain" },
    body: (async function* () {
      await latch.wait();
      yield new TextEncoder().encode("late");
    })(),
  }));
  await using s = startServer({}, router);
  using client = await RawClient.connect(s.port);
  await client.write("HEAD /events HTTP/1.1\r\nHost: t\r\n\r\n");
  const res = await client.response(true); // arrives while the generator still waits
  assert.equal(res.status, 200);
  latch.open();
});

Deno.test("a producer that reuses its buffer still sends each chunk as it was (was: chunks aliased)", async () => {
  const shared = new Uint8Array(6);
  const router = new Router().get("/words", () => ({
    status: 200,
    body: (async function* () {
      for (const word of ["alpha\n", "bravo\n", "charl\n"]) {
        shared.set(new TextEncoder().encode(word));
        yield shared;
      }
    })(),
  }));
  await using s = startServer({}, router);
  const res = await fetch(`http://127.0.0.1:${s.port}/words`);
  assert.equal(await res.text(), "alpha\nbravo\ncharl\n");
});

Deno.test("Written.body counts the body's bytes alone: no head, no chunk framing, none to HEAD or 204", async () => {
  const sent = async (res: RawResponse, options: Partial<WriteOptions> = {}) => {
    const output = new Output({ write: (p) => Promise.resolve(p.length) }, 60_000);
    try {
      const written = await writeResponse(output, res, { ...PLAIN_OPTIONS, ...options });
      await output.flush();
      return [written.body, written.bytes > written.body];
    } finally {
      output.dispose();
    }
  };
  const big = new Uint8Array(100_000);
  assert.deepEqual(await sent({ status: 200, body: "héllo" }), [6, true]); // UTF-8 bytes
  assert.deepEqual(await sent({ status: 200, body: big }), [100_000, true]); // kept apart
  assert.deepEqual(await sent({ status: 200, body: "hello" }, { omitBody: true }), [0, true]);
  assert.deepEqual(await sent({ status: 204 }), [0, true]);
  let gate!: () => void;
  const opened = new Promise<void>((resolve) => gate = resolve);
  const chunked = waiting(["ab", "cde"], opened, ["fghij"]);
  const streamed = sent({ status: 200, body: chunked }, {
    closingSignal: () => (gate(), new AbortController().signal),
  });
  assert.deepEqual(await streamed, [10, true]);
  const sized = new SizedBody(7, async function* () {
    yield bytes("abc");
    yield bytes("defg");
  });
  assert.deepEqual(await sent({ status: 200, body: sized }), [7, true]);
});
