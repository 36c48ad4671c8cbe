/** Tests for a connection's streams in flight (src/server/streams.ts). */

import assert from "node:assert/strict";
import { Streams } from "../../src/server/streams.ts";
import { Output } from "../../src/io/output.ts";
import { SocketReader } from "../../src/io/reader.ts";
import { exchangeOf } from "../fixtures/exchange.ts";

const GET = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

/** Streams over a socket that ends at once (EOF), writing into memory; counts closes. */
function streamsOf(writeError: Error | null = null) {
  const reader = new SocketReader({ read: () => Promise.resolve(null) }, 64, 64);
  const output = new Output({
    write: (p) => writeError === null ? Promise.resolve(p.length) : Promise.reject(writeError),
  }, 60_000);
  const connection = {
    closes: 0,
    close() {
      this.closes++;
    },
  };
  return { streams: new Streams(reader, output, connection), connection, output };
}

Deno.test("Streams.closingSignal() is made on first use, the same after, and aborts when the socket closes", () => {
  const { streams, output } = streamsOf();
  try {
    const signal = streams.closingSignal();
    assert.equal(streams.closingSignal(), signal);
    assert.equal(signal.aborted, false);
    streams.closed();
    assert.equal(signal.aborted, true);
    assert.ok(signal.reason instanceof DOMException);
    assert.equal((signal.reason as DOMException).name, "AbortError");
  } finally {
    output.dispose();
  }
});

Deno.test("Streams.closingSignal() asked after the socket closed is aborted already", () => {
  const { streams, output } = streamsOf();
  try {
    streams.closed();
    assert.equal(streams.closingSignal().aborted, true);
  } finally {
    output.dispose();
  }
});

Deno.test("Streams.end() delivers the streaming request's parts, or fails them with the error", async () => {
  const { streams, output } = streamsOf();
  try {
    const delivered = streams.start(exchangeOf(GET).body);
    streams.end();
    await delivered.completed;
    const failed = streams.start(exchangeOf(GET).body);
    const error = new Error("cut");
    streams.end(error);
    await assert.rejects(failed.completed, (e: unknown) => e === error);
    assert.equal(failed.signal.aborted, true);
    streams.end(new Error("no parts in progress: nothing to end"));
  } finally {
    output.dispose();
  }
});

Deno.test("Streams.closed() fails the parts in progress with an AbortError", async () => {
  const { streams, output } = streamsOf();
  try {
    const parts = streams.start(exchangeOf(GET).body);
    streams.closed();
    await assert.rejects(
      parts.completed,
      (e: unknown) => e instanceof DOMException && e.name === "AbortError",
    );
  } finally {
    output.dispose();
  }
});

Deno.test("Streams closes the connection when a watched client is seen leaving (EOF)", async () => {
  const { streams, connection, output } = streamsOf();
  try {
    const parts = streams.start(exchangeOf(GET).body);
    void parts.signal; // asking for the signal starts the watch (the GET's body is read)
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(connection.closes, 1);
  } finally {
    output.dispose();
  }
});

Deno.test("Streams.write() says it is writing only while the stream is written", async () => {
  const { streams, output } = streamsOf();
  try {
    assert.equal(streams.writing, false);
    let during: boolean | null = null;
    const body = (async function* () {
      during = streams.writing;
      yield new Uint8Array([1]);
    })();
    const written = await streams.write({ status: 200, body }, exchangeOf(GET));
    assert.equal(written?.status, 200);
    assert.equal(during, true);
    assert.equal(streams.writing, false);
  } finally {
    output.dispose();
  }
});

Deno.test("Streams.write() fails the parts in progress on a socket error, and throws it", async () => {
  const gone = new Deno.errors.BrokenPipe("gone");
  const { streams, output } = streamsOf(gone);
  try {
    const parts = streams.start(exchangeOf(GET).body);
    const body = (async function* () {
      yield new Uint8Array(1);
      await new Promise((r) => setTimeout(r, 1));
      yield new Uint8Array(1);
    })();
    await assert.rejects(
      streams.write({ status: 200, body }, exchangeOf(GET)),
      (e: unknown) => e === gone,
    );
    await assert.rejects(parts.completed, (e: unknown) => e === gone);
    assert.equal(streams.writing, false);
  } finally {
    output.dispose();
  }
});
