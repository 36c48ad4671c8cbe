/**
 * Which precompressed siblings a client takes, from its Accept-Encoding
 * (RFC 9110 §12.5.3): codings with a q-value above 0, `*` standing for any
 * coding not named, in the server's order of preference (br, then gzip).
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
  const any = q.get("*") ?? 0;
  return SIBLINGS.filter((s) => (q.get(s.coding) ?? any) > 0);
}
