/**
 * Byte classes from the ABNF of RFC 9110 and RFC 9112, as 256-entry tables.
 *
 * The parser scans `Uint8Array`s; looking a byte up in a table is one load,
 * cheaper and clearer than a chain of range comparisons.
 *
 * @module
 */

function table(test: (byte: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let b = 0; b < 256; b++) t[b] = test(b) ? 1 : 0;
  return t;
}

const TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

/** tchar (RFC 9110 §5.6.2): the characters of a token, such as a method or a field name. */
export const TOKEN: Uint8Array = table((b) =>
  (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) ||
  TCHAR_SYMBOLS.includes(String.fromCharCode(b))
);

/**
 * field-vchar plus SP and HTAB (RFC 9110 §5.5): what may stand in a field value.
 * VCHAR is 0x21-0x7E and obs-text is 0x80-0xFF; CR, LF, NUL and the other
 * controls are not in it.
 */
export const FIELD_VALUE: Uint8Array = table((b) =>
  b === 0x09 || b === 0x20 || (b >= 0x21 && b <= 0x7e) || b >= 0x80
);

/**
 * What may stand in a request-target (RFC 9112 §3.2): visible ASCII except `#`,
 * which starts a fragment that a client never sends (RFC 9110 §4.2.5).
 */
export const TARGET: Uint8Array = table((b) => b >= 0x21 && b <= 0x7e && b !== 0x23);

/** HEXDIG (RFC 5234 Appendix B.1), as the value of the digit, or 255 if not one. */
export const HEX_VALUE: Uint8Array = (() => {
  const t = new Uint8Array(256).fill(255);
  for (let b = 0; b < 256; b++) {
    if (b >= 0x30 && b <= 0x39) t[b] = b - 0x30;
    else if (b >= 0x41 && b <= 0x46) t[b] = b - 0x41 + 10;
    else if (b >= 0x61 && b <= 0x66) t[b] = b - 0x61 + 10;
  }
  return t;
})();

/** Named bytes of the grammar. */
/** Whether `b` is an ASCII digit (RFC 5234 DIGIT). */
export function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

export const CR = 0x0d;
export const LF = 0x0a;
export const SP = 0x20;
export const HTAB = 0x09;
export const COLON = 0x3a;

/** Decodes bytes as latin1 (one char per byte), which is how HTTP field text is read. */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  // fromCharCode over a subarray is the fastest decode for short ASCII runs;
  // chunked so a long value cannot overflow the call stack with arguments.
  let out = "";
  for (let i = start; i < end; i += 4096) {
    out += String.fromCharCode.apply(
      null,
      bytes.subarray(i, Math.min(end, i + 4096)) as unknown as number[],
    );
  }
  return out;
}
