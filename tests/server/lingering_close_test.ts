import assert from "node:assert/strict";
import { closeLingering, type LingeringSocket } from "../../src/server/lingering_close.ts";

/** A socket whose client sends `pieces`, then closes (or, with `never`, keeps it open). */
class Peer implements LingeringSocket {
  readonly events: string[] = [];
  readonly #pieces: number[];
  readonly #forever = Promise.withResolvers<number | null>();
  constructor(pieces: number[], readonly closes = true) {
    this.#pieces = [...pieces];
  }
  read(p: Uint8Array): Promise<number | null> {
    const n = this.#pieces.shift();
    this.events.push(n === undefined ? (this.closes ? "eof" : "wait") : `read ${n}`);
    if (n !== undefined) return Promise.resolve(Math.min(n, p.length));
    return this.closes ? Promise.resolve(null) : this.#forever.promise;
  }
  closeWrite(): Promise<void> {
    this.events.push("closeWrite");
    return Promise.resolve();
  }
  close(): void {
    this.events.push("close");
    this.#forever.resolve(null);
  }
}

Deno.test("closeLingering() half-closes, discards until the client closes, then closes", async () => {
  const peer = new Peer([100, 5000]);
  await closeLingering(peer, 10_000);
  assert.deepEqual(peer.events, ["closeWrite", "read 100", "read 5000", "eof", "close"]);
});

Deno.test("closeLingering() closes after the timeout when the client never does", async () => {
  const peer = new Peer([], false);
  await closeLingering(peer, 30);
  assert.deepEqual(peer.events, ["closeWrite", "wait", "close"]);
});

Deno.test("closeLingering() with a timeout of 0 closes at once", async () => {
  const peer = new Peer([100]);
  await closeLingering(peer, 0);
  assert.deepEqual(peer.events, ["close"]);
});

Deno.test("closeLingering() closes even when the half-close fails (the client reset)", async () => {
  const peer = new Peer([]);
  peer.closeWrite = () => Promise.reject(new Deno.errors.NotConnected("gone"));
  await closeLingering(peer, 1000);
  assert.deepEqual(peer.events, ["close"]);
});
