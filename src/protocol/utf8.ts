/**
 * An incremental UTF-8 validator: a small deterministic automaton whose state
 * is carried across chunks, so a text split anywhere (TCP reads, WebSocket
 * fragments) is checked in one pass without joining the pieces first.
 *
 * It accepts exactly the well-formed byte sequences of Unicode's Table 3-7
 * (RFC 3629 §4): no overlong forms, no surrogates (U+D800-DFFF), nothing
 * above U+10FFFF. The automaton is built from that table when the module
 * loads: one state per "what the next byte may be", and a 256-entry row of
 * next states per state, so each byte costs one table lookup.
 *
 * @example
 * ```ts
 * import { UTF8_ACCEPT, UTF8_REJECT, utf8Step } from "./utf8.ts";
 * const bytes = new TextEncoder().encode("é€😀");
 * let state = utf8Step(UTF8_ACCEPT, bytes, 0, 3); // cut inside "€"
 * state = utf8Step(state, bytes, 3, bytes.length);
 * state === UTF8_ACCEPT; // true: whole and well-formed
 * utf8Step(UTF8_ACCEPT, new Uint8Array([0xc0, 0x80]), 0, 2) === UTF8_REJECT; // overlong NUL
 * ```
 *
 * @module
 */

/** The state between whole characters: everything so far is well-formed. */
export const UTF8_ACCEPT = 0;
/** The state after an ill-formed byte; it never changes again. */
export const UTF8_REJECT = 1;

// The other states, named after what the next byte may be (Table 3-7).
/** One continuation byte (80..BF) ends the character. */
const TAIL1 = 2;
/** Two continuation bytes follow. */
const TAIL2 = 3;
/** Three continuation bytes follow (after F1..F3). */
const TAIL3 = 4;
/** After E0: A0..BF, so no overlong three-byte form. */
const E0 = 5;
/** After ED: 80..9F, so no surrogate. */
const ED = 6;
/** After F0: 90..BF, so no overlong four-byte form. */
const F0 = 7;
/** After F4: 80..8F, so nothing above U+10FFFF. */
const F4 = 8;
const STATES = 9;

/** `NEXT[state * 256 + byte]`: the state after `byte`. */
const NEXT = buildTable();

function buildTable(): Uint8Array {
  const t = new Uint8Array(STATES * 256).fill(UTF8_REJECT);
  const range = (state: number, from: number, to: number, next: number) => {
    for (let b = from; b <= to; b++) t[state * 256 + b] = next;
  };
  // Lead bytes, read in the ACCEPT state.
  range(UTF8_ACCEPT, 0x00, 0x7f, UTF8_ACCEPT);
  range(UTF8_ACCEPT, 0xc2, 0xdf, TAIL1); // C0, C1 would be overlong
  range(UTF8_ACCEPT, 0xe0, 0xe0, E0);
  range(UTF8_ACCEPT, 0xe1, 0xec, TAIL2);
  range(UTF8_ACCEPT, 0xed, 0xed, ED);
  range(UTF8_ACCEPT, 0xee, 0xef, TAIL2);
  range(UTF8_ACCEPT, 0xf0, 0xf0, F0);
  range(UTF8_ACCEPT, 0xf1, 0xf3, TAIL3);
  range(UTF8_ACCEPT, 0xf4, 0xf4, F4); // F5..FF would be above U+10FFFF
  // Continuation bytes.
  range(TAIL1, 0x80, 0xbf, UTF8_ACCEPT);
  range(TAIL2, 0x80, 0xbf, TAIL1);
  range(TAIL3, 0x80, 0xbf, TAIL2);
  range(E0, 0xa0, 0xbf, TAIL1);
  range(ED, 0x80, 0x9f, TAIL1);
  range(F0, 0x90, 0xbf, TAIL2);
  range(F4, 0x80, 0x8f, TAIL2);
  return t;
}

/**
 * Runs the automaton over `buf[start, end)` from `state` and returns the new
 * state: {@link UTF8_ACCEPT} if the bytes so far end on a whole character,
 * {@link UTF8_REJECT} once any byte was ill-formed (it stops there), another
 * value while a character is cut short (feed the rest to finish it).
 */
export function utf8Step(state: number, buf: Uint8Array, start: number, end: number): number {
  let s = state;
  let i = start;
  while (i < end) {
    if (s === UTF8_ACCEPT) {
      // ASCII runs are the common case: skip them without the table.
      while (i < end && buf[i]! < 0x80) i++;
      if (i === end) break;
    }
    s = NEXT[s * 256 + buf[i++]!]!;
    if (s === UTF8_REJECT) return UTF8_REJECT;
  }
  return s;
}

/** Whether all of `bytes` is well-formed UTF-8. */
export function isUtf8(bytes: Uint8Array): boolean {
  return utf8Step(UTF8_ACCEPT, bytes, 0, bytes.length) === UTF8_ACCEPT;
}

/**
 * The longest prefix of `bytes` of at most `max` bytes that does not cut a
 * character, for UTF-8 that is known to be well-formed (a continuation byte
 * is 10xxxxxx, so the cut moves back over those).
 */
export function utf8Prefix(bytes: Uint8Array, max: number): Uint8Array {
  if (bytes.length <= max) return bytes;
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}
