/**
 * The chunked transfer coding decoder (RFC 9112 §7.1): a byte-at-a-time state
 * machine that resumes across reads, like the head parser.
 *
 * ```
 * chunked-body = *chunk last-chunk trailer-section CRLF
 * chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 * last-chunk   = 1*("0") [ chunk-ext ] CRLF
 * ```
 *
 * Every part is bounded: the data by the body limit (checked on the size line,
 * before the data is read), chunk extensions and trailers by the head limits.
 * Extensions are checked for valid characters and otherwise ignored; trailer
 * fields are parsed like header fields and discarded, as RFC 9110 §6.5.1
 * allows for fields a recipient does not know how to merge.
 *
 * @module
 */

import { CR, FIELD_VALUE, HEX_VALUE, LF } from "./chars.ts";
import type { RejectionCode } from "./rejections.ts";
import { parseFieldLine } from "./_field_lines.ts";

/** The limits of one chunked body. */
export interface ChunkedLimits {
  /** Most decoded data bytes; more gets 413. */
  readonly maxBodyBytes: number;
  /** Most bytes of chunk extensions and trailer lines together; more gets 400. */
  readonly maxMetadataBytes: number;
  /** Most trailer field lines. */
  readonly maxTrailerCount: number;
}

const enum State {
  /** chunk-size: hex digits */
  Size,
  /** chunk-ext, up to CR */
  Extension,
  /** the LF after the size line's CR */
  SizeLf,
  /** chunk-data */
  Data,
  /** the CR after chunk-data */
  DataCr,
  /** the LF after chunk-data */
  DataLf,
  /** a trailer field line or the final empty line */
  Trailer,
  Done,
}

/** One decode step: how many bytes were consumed, or why the body is refused. */
export type DecodeResult = number | RejectionCode;

/**
 * Decodes one chunked body incrementally.
 *
 * @example
 * ```ts
 * import { ChunkedDecoder } from "./chunked.ts";
 * const d = new ChunkedDecoder({ maxBodyBytes: 1024, maxMetadataBytes: 1024, maxTrailerCount: 10 });
 * const bytes = new TextEncoder().encode("3\r\nabc\r\n0\r\n\r\n");
 * const parts: Uint8Array[] = [];
 * d.decode(bytes, 0, bytes.length, (p) => parts.push(p.slice())); // 13
 * d.done; // true
 * ```
 */
export class ChunkedDecoder {
  readonly #limits: ChunkedLimits;
  #state = State.Size;
  #digits = 0;
  #size = 0;
  #remaining = 0;
  #total = 0;
  #metadata = 0;
  /** Whether the current size line's extension has reached its first ";". */
  #extensionOpened = false;
  #trailers = 0;
  /** The current trailer line, carried across reads (trailers are rare and short). */
  #line: number[] = [];

  constructor(limits: ChunkedLimits) {
    this.#limits = limits;
  }

  /** Whether the last chunk and the trailer section have been read. */
  get done(): boolean {
    return this.#state === State.Done;
  }

  /** Decoded data bytes so far. */
  get total(): number {
    return this.#total;
  }

  /**
   * Decodes from `buf[start, end)`, passing each run of data to `onData` (a view
   * into `buf`: copy it before `buf` is reused). Stops after the last CRLF of the
   * body, so bytes of a pipelined next request are left unconsumed.
   */
  decode(
    buf: Uint8Array,
    start: number,
    end: number,
    onData: (data: Uint8Array) => void,
  ): DecodeResult {
    const limits = this.#limits;
    let i = start;
    while (i < end && this.#state !== State.Done) {
      const b = buf[i]!;
      switch (this.#state) {
        case State.Size: {
          const v = HEX_VALUE[b]!;
          if (v !== 255) {
            // Leading zeros are allowed but bounded, so "000…" cannot run forever.
            if (++this.#digits > 16) return "invalid_chunk";
            this.#size = this.#size * 16 + v;
            // Refuse before reading the data: the size alone tells it is too large.
            if (this.#total + this.#size > limits.maxBodyBytes) return "body_too_large";
            i++;
            break;
          }
          if (this.#digits === 0) return "invalid_chunk";
          this.#state = State.Extension;
          break; // re-read b as the first byte of the extension or the CR
        }
        case State.Extension: {
          if (b === CR) {
            this.#state = State.SizeLf;
          } else {
            // chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ) (RFC 9112 §7.1.1):
            // before its first ";" only whitespace may stand, and no control bytes anywhere.
            if (FIELD_VALUE[b] === 0) return "invalid_chunk";
            if (!this.#extensionOpened) {
              if (b === 0x3b) this.#extensionOpened = true;
              else if (b !== 0x20 && b !== 0x09) return "invalid_chunk";
            }
            if (++this.#metadata > limits.maxMetadataBytes) return "invalid_chunk";
          }
          i++;
          break;
        }
        case State.SizeLf: {
          if (b !== LF) return "invalid_chunk";
          i++;
          this.#remaining = this.#size;
          this.#total += this.#size;
          this.#state = this.#size === 0 ? State.Trailer : State.Data;
          this.#size = 0;
          this.#digits = 0;
          this.#extensionOpened = false;
          break;
        }
        case State.Data: {
          const n = Math.min(this.#remaining, end - i);
          onData(buf.subarray(i, i + n));
          this.#remaining -= n;
          i += n;
          if (this.#remaining === 0) this.#state = State.DataCr;
          break;
        }
        case State.DataCr: {
          if (b !== CR) return "invalid_chunk";
          this.#state = State.DataLf;
          i++;
          break;
        }
        case State.DataLf: {
          if (b !== LF) return "invalid_chunk";
          this.#state = State.Size;
          i++;
          break;
        }
        case State.Trailer: {
          i++;
          if (++this.#metadata > limits.maxMetadataBytes) return "invalid_chunk";
          if (b !== LF) {
            this.#line.push(b);
            break;
          }
          const line = this.#line;
          if (line.at(-1) !== CR) return "invalid_chunk"; // bare LF
          this.#line = [];
          if (line.length === 1) {
            this.#state = State.Done; // the empty line ends the body
            break;
          }
          const bytes = Uint8Array.from(line);
          if (bytes.indexOf(CR) !== bytes.length - 1) return "invalid_chunk"; // bare CR
          const field = parseFieldLine(bytes, 0, bytes.length - 1);
          if (typeof field === "string") return "invalid_chunk";
          if (++this.#trailers > limits.maxTrailerCount) return "invalid_chunk";
          break;
        }
      }
    }
    return i - start;
  }
}
