/**
 * mime-db, the media type table that Express, Koa and most of npm use
 * (kept from IANA, Apache and nginx lists), imported here by its full npm
 * specifier rather than the bare name deno.json maps: `mod.ts` must work
 * when another project imports it by path or URL, where our import map does
 * not apply. The version is pinned and matches deno.json's map and deno.lock.
 *
 * @module
 */

// deno-lint-ignore no-import-prefix -- by full specifier on purpose: see above
import db from "npm:mime-db@1.54.0";

/** One media type's entry: its extensions, whether it compresses, its charset. */
export interface MimeEntry {
  readonly source?: string;
  readonly extensions?: readonly string[];
  readonly compressible?: boolean;
  readonly charset?: string;
}

/** The whole table, by media type. */
export const MIME_DB: Readonly<Record<string, MimeEntry>> = db as Record<string, MimeEntry>;

/** Where an entry came from, worst first: mime-types' order for an extension claimed twice. */
const SOURCE_RANK = ["nginx", "apache", undefined, "iana"];

/**
 * Media type by extension (lower case, no dot). Of two entries that claim
 * one extension, the better source wins, and of two equal, the type outside
 * `application/` (`.mp4` is `video/mp4`, which browsers play, not
 * `application/mp4`; `.js` is `text/javascript`, RFC 9239).
 */
function byExtension(): Map<string, string> {
  const types = new Map<string, string>();
  for (const [type, entry] of Object.entries(MIME_DB)) {
    for (const ext of entry.extensions ?? []) {
      const had = types.get(ext);
      if (had !== undefined && had !== "application/octet-stream") {
        const from = SOURCE_RANK.indexOf(MIME_DB[had]?.source);
        const to = SOURCE_RANK.indexOf(entry.source);
        if (from > to || (from === to && !had.startsWith("application/"))) continue;
      }
      types.set(ext, type);
    }
  }
  return types;
}

/** mime-db's media type for each extension. */
export const TYPE_BY_EXTENSION: ReadonlyMap<string, string> = byExtension();

/**
 * Whether a media type (without parameters) is worth compressing: mime-db's
 * `compressible` flag where it has one, else, as the `compressible` npm
 * package decides, `text/*` and the `+json`, `+text` and `+xml` suffixes.
 * Images, audio, video, archives and fonts that compress themselves are not,
 * nor `application/octet-stream`, which mime-db flags compressible but which
 * is what an unknown extension gets: bytes we know nothing about.
 */
export function isCompressible(type: string): boolean {
  if (type === "application/octet-stream") return false;
  const flag = MIME_DB[type]?.compressible;
  if (flag !== undefined) return flag;
  return /^text\/|\+(?:json|text|xml)$/.test(type);
}
