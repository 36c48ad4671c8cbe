/**
 * Micro-benchmarks of the abort signals made on first use (`deno task
 * bench:micro`), for the usual case where no one asks for them: a
 * connection's streams made and closed (`Streams`, src/server/streams.ts),
 * against a closing signal made with the connection and aborted at its close
 * (tests/reference/abort_signals.ts, the baseline); and a streaming
 * request's parts made and delivered (`Streaming`, src/server/streaming.ts),
 * against a signal made with the request. The optimised side is the whole
 * class, the reference only its signal: the difference is the signal's cost
 * at least.
 *
 * @module
 */

import { Streams } from "../src/server/streams.ts";
import { Streaming } from "../src/server/streaming.ts";
import type { SocketReader } from "../src/io/reader.ts";
import type { Output } from "../src/io/output.ts";
import { EagerClosingSignal, EagerStreamingSignal } from "../tests/reference/abort_signals.ts";

// Never used while no stream runs: closed() and done() touch neither.
const reader = {} as SocketReader;
const output = {} as Output;
const connection = { close() {} };
const watch = () => {};
let sink: object | null = null;

Deno.bench({
  name: "connection made and closed: reference, its closing signal made at once",
  group: "connection made and closed",
  baseline: true,
  fn() {
    const signal = new EagerClosingSignal();
    signal.closed();
    sink = signal;
  },
});
Deno.bench({
  name: "connection made and closed: optimised, its closing signal on first use (Streams)",
  group: "connection made and closed",
  fn() {
    const streams = new Streams(reader, output, connection);
    streams.closed();
    sink = streams;
  },
});

Deno.bench({
  name: "streaming request made and delivered: reference, its signal made at once",
  group: "streaming request made and delivered",
  baseline: true,
  fn() {
    const signal = new EagerStreamingSignal();
    signal.done();
    sink = signal;
  },
});
Deno.bench({
  name: "streaming request made and delivered: optimised, its signal on first use (Streaming)",
  group: "streaming request made and delivered",
  fn() {
    const streaming = new Streaming(null, watch);
    streaming.done();
    sink = streaming;
  },
});

globalThis.addEventListener("unload", () => {
  if (sink === undefined) console.log(""); // keeps `sink` read
});
