/**
 * A body whose length is known before it is read, produced in pieces: a
 * file read as the client takes it. It goes out with Content-Length, like
 * bytes, and each piece is read only once the one before it is written, so a
 * client that stops reading holds one piece, not the whole body.
 *
 * @module
 */

import { freeBytes } from "./output.ts";

/**
 * What one read of a file takes at most: the most a client that does not
 * read holds of it. 64 KiB: a socket write of that size fills a loopback
 * segment, and reading a 1 MiB file this way measured no cost beyond noise.
 */
export const FILE_PIECE_BYTES = 64 * 1024;

/** Files larger than this are sent as they are read; smaller ones are read whole. */
export const STREAMED_FILE_BYTES = 64 * 1024;

/**
 * A body of `length` bytes whose pieces `open()` gives. A piece is valid
 * until the next is asked for (the writer writes each before it asks again).
 */
export class SizedBody implements AsyncIterable<Uint8Array> {
  constructor(readonly length: number, readonly open: () => AsyncIterator<Uint8Array>) {}

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this.open();
  }
}

/**
 * `length` bytes of the file at `path` from byte `start` (0: the whole file
 * of `length` bytes when stat'ed; else a range of it) as a sized body. The
 * file is opened at the first read, not before: a response never written
 * (HEAD, a client gone) opens nothing.
 */
export function fileBody(path: string, length: number, start = 0): SizedBody {
  return new SizedBody(
    length,
    () => new FilePieces(path, Math.min(length, FILE_PIECE_BYTES), start),
  );
}

/**
 * Reads a file in pieces into one reused buffer. Not a generator: return()
 * must close the file at once.
 */
class FilePieces implements AsyncIterator<Uint8Array> {
  readonly #path: string;
  readonly #pieceBytes: number;
  readonly #start: number;
  #file: Deno.FsFile | null = null;
  #buffer: Uint8Array | null = null;
  #done = false;

  constructor(path: string, pieceBytes: number, start: number) {
    this.#path = path;
    this.#pieceBytes = Math.max(1, pieceBytes);
    this.#start = start;
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    if (this.#done) return { done: true, value: undefined };
    try {
      if (this.#file === null) {
        this.#file = await Deno.open(this.#path, { read: true });
        if (this.#start > 0 && !this.#done) {
          await this.#file.seek(this.#start, Deno.SeekMode.Start);
        }
        if (this.#done) { // returned while opening
          this.#close();
          return { done: true, value: undefined };
        }
      }
      this.#buffer ??= new Uint8Array(this.#pieceBytes);
      const n = await this.#file.read(this.#buffer);
      if (n === null) {
        this.#close();
        return { done: true, value: undefined };
      }
      return { done: false, value: this.#buffer.subarray(0, n) };
    } catch (error) {
      this.#close();
      throw error;
    }
  }

  return(): Promise<IteratorResult<Uint8Array>> {
    this.#close();
    return Promise.resolve({ done: true, value: undefined });
  }

  #close(): void {
    this.#done = true;
    const file = this.#file;
    this.#file = null;
    // Freed now, not at the next garbage collection: a piece is valid only
    // until the next call, and the writer calls once its write has settled.
    const buffer = this.#buffer;
    this.#buffer = null;
    if (buffer !== null) freeBytes(buffer);
    try {
      file?.close();
    } catch {
      // closed already
    }
  }
}
