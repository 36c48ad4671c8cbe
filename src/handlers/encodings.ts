/**
 * Which precompressed siblings a client takes, from its Accept-Encoding
 * (RFC 9110 §12.5.3): codings with a q-value above 0, `*` standing for any
 * coding not named, in the server's order of preference (br, then gzip);
 * and whether it takes a coding the static handler compresses with.
 *
 * @module
 */

/** A coding we may find precompressed beside a file, and the sibling's suffix. */
export interface Sibling {
  readonly coding: "br" | "gzip";
  readonly suffix: ".br" | ".gz";
}

/** br first: smaller than gzip at the same cost to the client. */
const SIBLINGS: readonly Sibling[] = [
  { coding: "br", suffix: ".br" },
  { coding: "gzip", suffix: ".gz" },
];

/** The siblings `header` accepts, best first (none for an absent header: identity only). */
export function acceptedSiblings(header: string | null): Sibling[] {
  if (header === null) return [];
  const q = weights(header);
  const any = q.get("*") ?? 0;
  return SIBLINGS.filter((s) => (q.get(s.coding) ?? any) > 0);
}

/**
 * Whether `header` takes `coding` (a q-value above 0, or `*` above 0 with the
 * coding not named). An absent header takes no coding: RFC 9110 would allow
 * any, but a client that sends none is one that cannot be assumed to decode.
 */
export function acceptsCoding(header: string | null, coding: string): boolean {
  if (header === null) return false;
  const q = weights(header);
  return (q.get(coding) ?? q.get("*") ?? 0) > 0;
}

/** Each coding's q-value in an Accept-Encoding header (`x-gzip` is gzip; a bad q is 0). */
function weights(header: string): Map<string, number> {
  const q = new Map<string, number>();
  for (const element of header.split(",")) {
    const [name = "", ...params] = element.split(";");
    const coding = name.trim().toLowerCase();
    if (coding === "") continue;
    let weight = 1;
    for (const param of params) {
      const m = /^\s*q\s*=\s*(\S*)\s*$/i.exec(param);
      if (m !== null) weight = /^[01](\.\d{0,3})?$/.test(m[1]!) ? Number(m[1]) : 0; // bad q: refused
    }
    q.set(coding === "x-gzip" ? "gzip" : coding, weight);
  }
  return q;
}
