/** Tests for writing a handler's response as the connection must (src/server/answer_writer.ts). */

import assert from "node:assert/strict";
import { discard, isStreamed, writeFixed, writeStreamed } from "../../src/server/answer_writer.ts";
import { Output } from "../../src/io/output.ts";
import type { RawResponse } from "../../src/app/response.ts";
import { capturingLogs } from "../fixtures/logs.ts";
import { exchangeOf } from "../fixtures/exchange.ts";

const GET = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
const dec = new TextDecoder();

/** An Output into memory, and what went out so far as text. */
function memoryOutput(fail: Error | null = null) {
  const out: string[] = [];
  const output = new Output({
    write(p) {
      if (fail !== null) return Promise.reject(fail);
      out.push(dec.decode(p));
      return Promise.resolve(p.length);
    },
  }, 60_000);
  return {
    output,
    wire: async () => {
      await output.flush();
      return out.join("");
    },
  };
}

/** A stream body whose producer fails before its first chunk. */
function failing(): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error("producer broke")) }),
  };
}

Deno.test("isStreamed() is true only for a response whose body is a stream", () => {
  assert.equal(isStreamed({ status: 200, body: new ReadableStream() }), true);
  assert.equal(isStreamed({ status: 200, body: failing() }), true);
  assert.equal(isStreamed({ status: 200, body: "text" }), false);
  assert.equal(isStreamed({ status: 200, body: new Uint8Array(1) }), false);
  assert.equal(isStreamed({ status: 204 }), false);
});

Deno.test("writeFixed() queues a valid response at once and reports its status and bytes", async () => {
  const { output, wire } = memoryOutput();
  try {
    const written = writeFixed(output, { status: 200, body: "hi" }, exchangeOf(GET));
    assert.equal(written.status, 200);
    assert.equal(written.reusable, true);
    const text = await wire();
    assert.equal(written.bytes, text.length);
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nhi$/);
  } finally {
    output.dispose();
  }
});

Deno.test("writeFixed() answers a response with an invalid head as a logged 500", async () => {
  await capturingLogs("error", async (records) => {
    const { output, wire } = memoryOutput();
    try {
      const bad = { status: 200, headers: { "X-Split": "a\r\nInjected: 1" }, body: "x" };
      const written = writeFixed(output, bad as RawResponse, exchangeOf(GET));
      assert.equal(written.status, 500);
      const text = await wire();
      assert.match(text, /^HTTP\/1\.1 500 Internal Server Error\r\n/);
      assert.doesNotMatch(text, /Injected/);
      assert.equal(records.length, 1);
      assert.match(String(records[0]!.rawMessage), /^invalid response to \{method\} \{path\}/);
    } finally {
      output.dispose();
    }
  });
});

Deno.test("writeStreamed() writes a stream body and reports the status that went out", async () => {
  const { output, wire } = memoryOutput();
  try {
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode("streamed"));
        c.close();
      },
    });
    const written = await writeStreamed(output, { status: 201, body }, exchangeOf(GET), () => {});
    assert.ok(written !== null);
    assert.equal(written.status, 201);
    assert.match(await wire(), /streamed/);
  } finally {
    output.dispose();
  }
});

Deno.test("writeStreamed() answers a logged 500 when the stream fails before its first byte", async () => {
  await capturingLogs("error", async (records) => {
    const { output, wire } = memoryOutput();
    try {
      const written = await writeStreamed(
        output,
        { status: 200, body: failing() },
        exchangeOf(GET),
        () => {},
      );
      assert.equal(written?.status, 500);
      assert.match(await wire(), /^HTTP\/1\.1 500 Internal Server Error\r\n/);
      assert.match(String(records[0]?.rawMessage), /^response stream for/);
    } finally {
      output.dispose();
    }
  });
});

Deno.test("writeStreamed() hands back null when the stream failed on a request body that was refused", async () => {
  await capturingLogs("error", async (records) => {
    const { output, wire } = memoryOutput();
    try {
      const exchange = exchangeOf("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n");
      exchange.body.stop(); // the body is refused (shutting_down)
      assert.notEqual(exchange.body.failure, null);
      const written = await writeStreamed(
        output,
        { status: 200, body: failing() },
        exchange,
        () => {},
      );
      assert.equal(written, null);
      assert.equal(await wire(), "", "nothing went out: the body's refusal answers");
      assert.equal(records.length, 0);
    } finally {
      output.dispose();
    }
  });
});

Deno.test("writeStreamed() rethrows a socket error instead of answering", async () => {
  const gone = new Deno.errors.ConnectionReset("peer gone");
  const { output } = memoryOutput(gone);
  try {
    // A stream that waits on its producer is written as it comes, not queued.
    const body = (async function* () {
      yield new Uint8Array(10);
      await new Promise((r) => setTimeout(r, 1));
      yield new Uint8Array(10);
    })();
    await assert.rejects(
      writeStreamed(output, { status: 200, body }, exchangeOf(GET), () => {}),
      (e: unknown) => e === gone,
    );
  } finally {
    output.dispose();
  }
});

Deno.test("writeStreamed() starts the close watch when the stream waits on its producer after the body was read", async () => {
  const { output } = memoryOutput();
  try {
    let watched = 0;
    let release!: () => void;
    const waiting = new Promise<void>((r) => release = r);
    const body = (async function* () {
      yield new Uint8Array([0x61]);
      await waiting;
      yield new Uint8Array([0x62]);
    })();
    const writing = writeStreamed(output, { status: 200, body }, exchangeOf(GET), () => {
      watched++;
    });
    await new Promise((r) => setTimeout(r, 5));
    release();
    await writing;
    assert.equal(watched, 1);
  } finally {
    output.dispose();
  }
});

Deno.test("discard() cancels a stream body that will not be sent, and leaves others alone", async () => {
  let cancelled: unknown = "not cancelled";
  const stream = new ReadableStream<Uint8Array>({
    cancel(reason) {
      cancelled = reason;
    },
  });
  discard({ status: 200, body: stream });
  await new Promise((r) => setTimeout(r, 0));
  assert.notEqual(cancelled, "not cancelled");
  // A locked stream's reader ends it; discard() does not touch it.
  const locked = new ReadableStream<Uint8Array>();
  const reader = locked.getReader();
  discard({ status: 200, body: locked });
  assert.equal(locked.locked, true);
  reader.releaseLock();
  // Fixed bodies and none: nothing to do, nothing thrown.
  discard({ status: 200, body: "text" });
  discard({ status: 204 });
});

Deno.test("discard() returns an async iterable body's iterator", async () => {
  let returned = false;
  const body = {
    [Symbol.asyncIterator]() {
      return {
        next: () => Promise.resolve({ done: false as const, value: new Uint8Array(1) }),
        return: () => {
          returned = true;
          return Promise.resolve({ done: true as const, value: undefined });
        },
      };
    },
  };
  discard({ status: 200, body });
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(returned, true);
});
