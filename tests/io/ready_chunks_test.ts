import assert from "node:assert/strict";
import { ChunkSource, collectReady, RestOfStream } from "../../src/io/ready_chunks.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A stream that enqueues `chunks` at once, then waits for `release` before closing. */
function waitingStream(chunks: string[], release: Promise<string | null>): {
  stream: ReadableStream<Uint8Array>;
  cancelled: Promise<void>;
} {
  const cancelled = Promise.withResolvers<void>();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      for (const chunk of chunks) controller.enqueue(enc.encode(chunk));
      const last = await release;
      if (last !== null) controller.enqueue(enc.encode(last));
      controller.close();
    },
    cancel() {
      cancelled.resolve();
    },
  });
  return { stream, cancelled: cancelled.promise };
}

async function drain(iterator: AsyncIterator<unknown>): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const result = await iterator.next();
    if (result.done) return out;
    out.push(dec.decode(result.value as Uint8Array));
  }
}

Deno.test("a stream with every chunk ready is collected whole, empty chunks skipped", async () => {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of ["ab", "", "cd"]) controller.enqueue(enc.encode(chunk));
      controller.close();
    },
  });
  const collected = await collectReady(new ChunkSource(stream));
  assert.equal(collected.kind, "done");
  assert.equal(dec.decode(collected.kind === "done" ? collected.bytes : undefined), "abcd");
});

Deno.test("a fetch Response's body, and an async generator's, count as ready", async () => {
  const fromResponse = await collectReady(new ChunkSource(new Response("hello").body!));
  assert.equal(fromResponse.kind, "done");
  async function* parts() {
    yield enc.encode("he");
    yield enc.encode("llo");
  }
  const fromGenerator = await collectReady(new ChunkSource(parts()));
  assert.equal(fromGenerator.kind, "done");
  if (fromGenerator.kind === "done") assert.equal(dec.decode(fromGenerator.bytes), "hello");
});

Deno.test("a stream that waits is 'more': copies of the ready chunks and the pending read", async () => {
  const release = Promise.withResolvers<string | null>();
  const shared = enc.encode("one");
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(shared);
      await release.promise;
      controller.close();
    },
  });
  const collected = await collectReady(new ChunkSource(stream));
  assert.equal(collected.kind, "more");
  if (collected.kind !== "more") return;
  shared.fill(0x78); // the producer reuses its buffer: the collected copy keeps what was sent
  assert.deepEqual(collected.ready.map((c) => dec.decode(c)), ["one"]);
  assert.notEqual(collected.pending, null);
  release.resolve(null);
  assert.equal((await collected.pending!).done, true);
});

Deno.test("a failure before the end, or a chunk that is not bytes, is 'failed' with its error", async () => {
  const boom = new Error("boom");
  const failing = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(enc.encode("part"));
      controller.error(boom);
    },
  });
  const failed = await collectReady(new ChunkSource(failing));
  assert.deepEqual(failed, { kind: "failed", error: boom });
  const wrong = new ReadableStream<unknown>({
    start(controller) {
      controller.enqueue("text, not bytes");
    },
  });
  const typed = await collectReady(new ChunkSource(wrong as ReadableStream<Uint8Array>));
  assert.equal(typed.kind, "failed");
  assert.ok(typed.kind === "failed" && typed.error instanceof TypeError);
});

Deno.test("the rest of a stream gives the ready chunks, the pending read, then what follows", async () => {
  const release = Promise.withResolvers<string | null>();
  const { stream } = waitingStream(["a", "b"], release.promise);
  const source = new ChunkSource(stream);
  const collected = await collectReady(source);
  assert.equal(collected.kind, "more");
  if (collected.kind !== "more") return;
  const rest = new RestOfStream(source, collected);
  const drained = drain(rest);
  release.resolve("c");
  assert.deepEqual(await drained, ["a", "b", "c"]);
});

Deno.test("return() on the rest cancels the stream at once, though a read is pending", async () => {
  const never = new Promise<string | null>(() => {});
  const { stream, cancelled } = waitingStream(["a"], never);
  const source = new ChunkSource(stream);
  const collected = await collectReady(source);
  assert.equal(collected.kind, "more");
  if (collected.kind !== "more") return;
  const rest = new RestOfStream(source, collected);
  assert.equal(dec.decode((await rest.next()).value as Uint8Array), "a");
  const pending = rest.next(); // waits on the producer, which never sends
  assert.deepEqual(await rest.return(), { done: true, value: undefined });
  await cancelled; // reached only if the stream was cancelled
  assert.equal((await pending).done, true); // a cancelled stream's pending read ends
});

Deno.test("the rest of a failed stream fails at its first read with the producer's error", async () => {
  const boom = new Error("boom");
  const failing = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.error(boom);
    },
  });
  const source = new ChunkSource(failing);
  const collected = await collectReady(source);
  assert.equal(collected.kind, "failed");
  if (collected.kind !== "failed") return;
  const rest = new RestOfStream(source, collected);
  await assert.rejects(rest.next(), (error) => error === boom);
});
