import assert from "node:assert/strict";
import {
  type ByteSource,
  type FillOutcome,
  MAX_SPARE_BUFFERS,
  SocketReader,
  spareBuffers,
} from "../../src/io/reader.ts";
import { armedDeadlines, liveTickTimers } from "../../src/io/deadlines.ts";

/** A source whose reads the test completes by hand. */
class ManualSource implements ByteSource {
  readonly pending: Array<{ p: Uint8Array; resolve: (n: number | null) => void }> = [];
  read(p: Uint8Array): Promise<number | null> {
    return new Promise((resolve) => this.pending.push({ p, resolve }));
  }
  deliver(text: string): void {
    const next = this.pending.shift()!;
    const bytes = new TextEncoder().encode(text);
    next.p.set(bytes);
    next.resolve(bytes.length);
  }
}

Deno.test("SocketReader.fill() shares one read between concurrent fills and counts its bytes once (regression: echo desync)", async () => {
  const source = new ManualSource();
  const reader = new SocketReader(source, 64, 64);
  const watching = reader.watch(); // a read in flight, as while a handler runs
  const filling = reader.fill(Infinity); // the next head's read waits on the same read
  assert.equal(source.pending.length, 1, "only one socket read may be in flight");
  source.deliver("GET / HTTP/1.1\r\n");
  assert.equal(await watching, false); // data, not a close
  assert.equal(await filling, "data");
  assert.equal(reader.buffered, 16, "the bytes of one read were counted twice");
  assert.equal(
    new TextDecoder().decode(reader.buf.subarray(reader.start, reader.end)),
    "GET / HTTP/1.1\r\n",
  );
});

Deno.test("SocketReader.fill() after a timeout waits for the same read instead of starting another", async () => {
  const source = new ManualSource();
  const reader = new SocketReader(source, 64, 64);
  assert.equal(await reader.fill(performance.now() - 1), "timeout");
  const again = reader.fill(Infinity);
  assert.equal(source.pending.length, 1);
  source.deliver("abc");
  assert.equal(await again, "data");
  assert.equal(reader.buffered, 3);
});

Deno.test("SocketReader.fillThen() calls back with the read's outcome, sharing a read already in flight", async () => {
  const source = new ManualSource();
  const reader = new SocketReader(source, 64, 64);
  const watching = reader.watch(); // a read in flight, as after a streamed exchange
  const outcome = Promise.withResolvers<FillOutcome>();
  reader.fillThen(outcome.resolve, 60_000);
  assert.equal(source.pending.length, 1, "only one socket read may be in flight");
  assert.throws(() => reader.fillThen(() => {}, 60_000), /waiting already/);
  source.deliver("GET");
  assert.equal(await outcome.promise, "data");
  assert.equal(await watching, false);
  assert.equal(reader.buffered, 3, "the bytes of one read were counted twice");

  const closed = Promise.withResolvers<FillOutcome>();
  reader.fillThen(closed.resolve, 60_000); // after the first outcome, a second wait may begin
  assert.equal(source.pending.length, 1);
  source.pending.shift()!.resolve(null);
  assert.equal(await closed.promise, "eof");
  reader.dispose();
  assert.equal(armedDeadlines(), 0);
});

Deno.test("SocketReader.fillThen() calls back with timeout once its timeout passes, and its read lands for the next fill", async () => {
  const source = new ManualSource();
  const reader = new SocketReader(source, 64, 64);
  const started = performance.now();
  const outcome = Promise.withResolvers<FillOutcome>();
  reader.fillThen(outcome.resolve, 30);
  assert.equal(await outcome.promise, "timeout");
  assert.ok(performance.now() - started >= 30, "timed out early");
  const again = reader.fill(Infinity);
  assert.equal(source.pending.length, 1, "the timed-out read stays in flight, not a second one");
  source.deliver("abc");
  assert.equal(await again, "data");
  assert.equal(reader.buffered, 3);
  reader.dispose();
  assert.equal(armedDeadlines(), 0);
});

Deno.test("SocketReader.fillThen() on a disposed reader calls back with eof, never before it returns", async () => {
  const reader = new SocketReader(new ManualSource(), 64, 64);
  reader.dispose();
  let outcome: FillOutcome | null = null;
  const called = new Promise<void>((resolve) =>
    reader.fillThen((o) => {
      outcome = o;
      resolve();
    }, 60_000)
  );
  assert.equal(outcome, null, "called back before the caller was ready");
  await called;
  assert.equal(outcome, "eof");
});

Deno.test("SocketReader.watch() resolves true when the peer closes", async () => {
  const reader = new SocketReader({ read: () => Promise.resolve(null) }, 64, 64);
  assert.equal(await reader.watch(), true);
});

Deno.test("SocketReader grows to its maximum for a large head and shrinks back once empty", async () => {
  let n = 0;
  const reader = new SocketReader(
    {
      read: (p) => {
        p.fill(0x61);
        n++;
        return Promise.resolve(p.length);
      },
    },
    16,
    64,
  );
  while ((await reader.fill(Infinity)) === "data") { /* until full */ }
  assert.equal(reader.buffered, 64);
  assert.equal(await reader.fill(Infinity), "full");
  reader.consume(64);
  assert.equal(reader.buf.length, 16);
  assert.equal(n, 3); // 16 bytes, then 16 more into 32, then 32 more into 64
});

Deno.test("SocketReader.fill(): two fills with deadlines at once both see the one read land", async () => {
  const source = new ManualSource();
  const reader = new SocketReader(source, 64, 64);
  const first = reader.fill(performance.now() + 60_000);
  const second = reader.fill(performance.now() + 60_000); // the rare second waiter
  assert.equal(source.pending.length, 1);
  source.deliver("xy");
  assert.deepEqual(await Promise.all([first, second]), ["data", "data"]);
  assert.equal(reader.buffered, 2);
  reader.dispose();
  assert.equal(armedDeadlines(), 0, "a deadline outlived its reader");
});

/** After a timed-out fill: `next`, the next fill, waits on the same read and counts its bytes once. */
async function nextFillTakesTheSameRead(
  source: ManualSource,
  reader: SocketReader,
  next: Promise<FillOutcome>,
): Promise<void> {
  assert.equal(source.pending.length, 1, "a second read started after the timeout");
  source.deliver("abc");
  assert.equal(await next, "data");
  assert.equal(reader.buffered, 3);
  reader.dispose();
  assert.equal(armedDeadlines(), 0, "a deadline outlived its reader");
  assert.equal(liveTickTimers(), 0);
}

Deno.test("SocketReader.fill(): a timed-out fill's read wakes the next fill with a deadline, and dispose() leaves nothing armed", async () => {
  const source = new ManualSource();
  const reader = new SocketReader(source, 64, 64);
  assert.equal(await reader.fill(performance.now() - 1), "timeout");
  await nextFillTakesTheSameRead(source, reader, reader.fill(performance.now() + 60_000));
});

Deno.test("SocketReader.fillWithin() times out no earlier than its timeout, and its read lands for the next fill", async () => {
  const source = new ManualSource();
  const reader = new SocketReader(source, 64, 64);
  const started = performance.now();
  assert.equal(await reader.fillWithin(30), "timeout");
  assert.ok(performance.now() - started >= 30, "timed out early");
  await nextFillTakesTheSameRead(source, reader, reader.fillWithin(60_000));
});

Deno.test("SocketReader.fill(): a read that fails wakes its waiter with eof", async () => {
  const reader = new SocketReader(
    { read: () => Promise.reject(new Deno.errors.ConnectionReset("reset")) },
    64,
    64,
  );
  assert.equal(await reader.fill(performance.now() + 60_000), "eof");
  reader.dispose();
  assert.equal(armedDeadlines(), 0);
});

Deno.test("SocketReader.fill() after dispose() leaves no deadline armed (regression: a body read after close armed the watchdog until BODY_TIMEOUT)", async () => {
  // A closed socket's reads fail at once.
  const reader = new SocketReader(
    { read: () => Promise.reject(new Deno.errors.BadResource("closed")) },
    64,
    64,
  );
  reader.dispose(); // the connection closed
  assert.equal(await reader.fill(performance.now() + 60_000), "eof");
  assert.equal(armedDeadlines(), 0, "a deadline outlived its reader's close");
  assert.equal(liveTickTimers(), 0);

  // A read in flight at close, waited on with a deadline, then failing.
  const source = new ManualSource();
  const watched = new SocketReader(source, 64, 64);
  const watching = watched.watch();
  watched.dispose();
  const filling = watched.fill(performance.now() + 60_000);
  source.pending.shift()!.resolve(null);
  assert.equal(await filling, "eof");
  assert.equal(await watching, true);
  assert.equal(armedDeadlines(), 0, "a deadline outlived its reader's close");
});

/** Takes every spare read buffer, so a test starts with none. */
function drainSpares(): void {
  while (spareBuffers() > 0) new SocketReader(new ManualSource(), 64, 64);
}

Deno.test("SocketReader.dispose() gives its buffer, zeroed, to the next reader of that size", async () => {
  drainSpares();
  const source = new ManualSource();
  const first = new SocketReader(source, 64, 64);
  const fill = first.fill(Infinity);
  source.deliver("secret request bytes");
  assert.equal(await fill, "data");
  const used = first.buf;
  first.dispose();
  assert.equal(spareBuffers(), 1);
  assert.equal(first.buf.length, 0, "a disposed reader still holds the buffer");
  assert.equal(first.buffered, 0);
  assert.equal(await first.fill(Infinity), "eof");
  assert.equal(source.pending.length, 0, "a disposed reader read again");

  const second = new SocketReader(new ManualSource(), 64, 64);
  assert.equal(second.buf, used, "the spare was not reused");
  assert.ok(second.buf.every((b) => b === 0), "a client's bytes survived into the next connection");
  assert.equal(spareBuffers(), 0);

  // A spare of another size is dropped, not handed out.
  second.dispose();
  const other = new SocketReader(new ManualSource(), 128, 128);
  assert.equal(other.buf.length, 128);
  assert.notEqual(other.buf, used);
  assert.equal(spareBuffers(), 0);
});

Deno.test("SocketReader.dispose() keeps no buffer a read in flight may still write into", async () => {
  drainSpares();
  const source = new ManualSource();
  const reader = new SocketReader(source, 64, 64);
  const watching = reader.watch(); // a read in flight at close
  reader.dispose();
  assert.equal(spareBuffers(), 0, "a buffer with a read in flight became a spare");
  const next = new SocketReader(new ManualSource(), 64, 64);
  source.deliver("late"); // the abandoned read lands in its own buffer only
  assert.equal(await watching, false);
  assert.ok(next.buf.every((b) => b === 0), "a late read wrote into another reader's buffer");
  assert.notEqual(next.buf, reader.buf);
});

Deno.test("SocketReader keeps at most MAX_SPARE_BUFFERS spares (just below, at, just above)", () => {
  drainSpares();
  const readers = Array.from(
    { length: MAX_SPARE_BUFFERS + 1 },
    () => new SocketReader(new ManualSource(), 64, 64),
  );
  for (let i = 0; i < MAX_SPARE_BUFFERS - 1; i++) readers[i]!.dispose();
  assert.equal(spareBuffers(), MAX_SPARE_BUFFERS - 1);
  readers[MAX_SPARE_BUFFERS - 1]!.dispose();
  assert.equal(spareBuffers(), MAX_SPARE_BUFFERS);
  readers[MAX_SPARE_BUFFERS]!.dispose();
  assert.equal(spareBuffers(), MAX_SPARE_BUFFERS, "spares grew past their bound");
  drainSpares();
});
