/**
 * Static files from one folder, as nginx and Go's `http.ServeContent` serve
 * them: streamed from disk, media types from mime-db, ETag and Last-Modified
 * with the conditionals of RFC 9110 §13.2.2, single byte ranges (206/416),
 * `index.html` for folders, precompressed `.br`/`.gz` siblings, optional
 * br or gzip of compressible files as they are sent, and no way out of the
 * folder. The decisions and their reasons: docs/static_files.md.
 *
 * @module
 */

import { extname, join, resolve, sep } from "node:path";
import type { RawRequest } from "../app/request.ts";
import type { Handler, RawResponse } from "../app/response.ts";
import { text } from "../app/response.ts";
import { FILE_PIECE_BYTES, fileBody, STREAMED_FILE_BYTES } from "../io/sized_body.ts";
import { isCompressible, TYPE_BY_EXTENSION } from "./_mime_db.ts";
import { acceptedSiblings, acceptsCoding } from "./encodings.ts";
import {
  evaluate,
  ifRangeHolds,
  parseRange,
  tagListMatches,
  type Validators,
} from "./conditionals.ts";

/** How {@link serveFile} answers; every field has a default. */
export interface StaticOptions {
  /** The `Cache-Control` of every file answer (default `no-cache`: revalidate each time). */
  readonly cacheControl?: string;
  /** The file served for a folder's path ending in `/` (default `index.html`; false: none, 404). */
  readonly index?: string | false;
  /**
   * Whether a `.br` or `.gz` file beside the one asked for is sent instead,
   * with `Content-Encoding`, to a client whose Accept-Encoding takes it
   * (default true; a sibling older than its file is not used).
   */
  readonly precompressed?: boolean;
  /**
   * Whether a compressible file (mime-db's flag: text, JSON, JavaScript, SVG…)
   * of at least `minBytes` (default 1024) is compressed as it is sent (br,
   * else gzip), to a client whose Accept-Encoding takes it and that asks
   * no Range (default false, as in nginx and Deno.serve). A precompressed
   * sibling, when there is one, is sent instead. See docs/static_files.md.
   */
  readonly compress?: boolean | { readonly minBytes?: number };
}

/** The smallest file compressed by default: below about one TCP segment, it saves no round trip. */
export const COMPRESS_MIN_BYTES = 1024;

/** What is sent for a file: its media type, and the coding of the bytes read (null: as is). */
interface Representation {
  readonly type: string;
  readonly coding: string | null;
  /** Whether another Accept-Encoding could get other bytes (`Vary: Accept-Encoding`). */
  readonly vary: boolean;
  /** Whether the file's bytes are compressed as they are sent, with `coding` ("br" or "gzip"). */
  readonly dynamic?: boolean;
}

const NOT_FOUND = text("Not Found\n", { status: 404 });

/**
 * A file's media type by its extension (mime-db), with `charset=utf-8` for
 * `text/*`; `application/octet-stream` when the extension is unknown.
 */
export function contentType(path: string): string {
  const type = TYPE_BY_EXTENSION.get(extname(path).slice(1).toLowerCase());
  if (type === undefined) return "application/octet-stream";
  return type.startsWith("text/") ? `${type}; charset=utf-8` : type;
}

/**
 * Answers `relative` (a decoded URL path below `root`) with a file. Paths
 * with `..` or hidden segments, and symlinks that lead outside `root`, are
 * 404s: whether a file exists outside the folder is not the client's
 * business. A folder is its index file when the request path ends in `/`,
 * else a 301 to that path (as nginx and Go do, so relative links work).
 */
export async function serveFile(
  root: string,
  relative: string,
  req: RawRequest,
  options: StaticOptions = {},
): Promise<RawResponse> {
  const segments = relative.split("/").filter((s) => s !== "");
  if (segments.some((s) => s.startsWith(".") || s.includes("\\"))) return NOT_FOUND;
  const base = resolve(root);
  let found = await locate(base, join(base, ...segments));
  if (found === null) return NOT_FOUND;
  if (found.info.isDirectory) {
    const index = options.index ?? "index.html";
    if (index === false) return NOT_FOUND;
    if (!req.path.endsWith("/")) {
      // Relative, so it cannot point at another host ("//evil/"), and the query goes along.
      const last = segments.at(-1);
      const location = (last === undefined ? "./" : encodeURIComponent(last) + "/") +
        (req.rawQuery === "" ? "" : `?${req.rawQuery}`);
      return text("Moved Permanently\n", { status: 301, headers: { "Location": location } });
    }
    found = await locate(base, join(found.real, index));
    if (found === null) return NOT_FOUND;
  } else if (relative.endsWith("/")) {
    return NOT_FOUND; // a file named as a folder (`a.txt/`): its relative links would go wrong
  }
  if (!found.info.isFile) return NOT_FOUND;
  const type = contentType(found.real);
  const precompressed = options.precompressed ?? true;
  const minBytes = compressMinBytes(options.compress);
  const vary = precompressed || minBytes !== null;
  if (precompressed) {
    for (const { coding, suffix } of acceptedSiblings(req.headers.get("accept-encoding"))) {
      const sibling = await locate(base, found.real + suffix);
      if (sibling === null || !sibling.info.isFile || olderThan(sibling.info, found.info)) continue;
      return answer(req, sibling.real, sibling.info, options, { type, coding, vary });
    }
  }
  const coding = minBytes !== null && found.info.size >= minBytes &&
      isCompressible(type.split(";")[0]!) && req.headers.get("range") === null
    ? asSent(req.headers.get("accept-encoding"))
    : null;
  return answer(req, found.real, found.info, options, {
    type,
    coding,
    vary,
    dynamic: coding !== null,
  });
}

/** The coding a file is compressed with as it is sent: br when taken, else gzip, else none. */
function asSent(acceptEncoding: string | null): "br" | "gzip" | null {
  if (acceptsCoding(acceptEncoding, "br")) return "br";
  return acceptsCoding(acceptEncoding, "gzip") ? "gzip" : null;
}

/** The compression threshold of `compress`, or null when it is off. */
function compressMinBytes(compress: StaticOptions["compress"]): number | null {
  if (compress === undefined || compress === false) return null;
  return compress === true ? COMPRESS_MIN_BYTES : compress.minBytes ?? COMPRESS_MIN_BYTES;
}

/**
 * The file at `path` compressed as it is read (br: Deno's `"brotli"`
 * format): opened when the writer first pulls, read 64 KiB at a time as the
 * compressor takes it (backpressure), closed at its end or when the stream
 * is cancelled (a client gone).
 */
function compressedFile(path: string, coding: string): ReadableStream<Uint8Array> {
  let file: Deno.FsFile | null = null;
  const close = () => {
    try {
      file?.close();
    } catch {
      // closed already
    }
    file = null;
  };
  const raw = new ReadableStream<BufferSource>({
    async pull(controller) {
      try {
        file ??= await Deno.open(path);
        const piece = new Uint8Array(FILE_PIECE_BYTES); // fresh: the compressor may keep it
        const n = await file.read(piece);
        if (n === null) {
          close();
          controller.close();
        } else controller.enqueue(piece.subarray(0, n));
      } catch (error) {
        close();
        throw error;
      }
    },
    cancel: close,
  }, { highWaterMark: 0 });
  // "brotli" is not in TypeScript's CompressionFormat yet; Deno 2.9.6 takes it.
  const format = (coding === "br" ? "brotli" : "gzip") as CompressionFormat;
  return raw.pipeThrough(new CompressionStream(format));
}

/** Whether `a` was modified before `b` (false when either time is unknown). */
function olderThan(a: Deno.FileInfo, b: Deno.FileInfo): boolean {
  return a.mtime !== null && b.mtime !== null && a.mtime.getTime() < b.mtime.getTime();
}

/** The real path and stat of `path`, or null when it is missing or outside `base`. */
async function locate(
  base: string,
  path: string,
): Promise<{ real: string; info: Deno.FileInfo } | null> {
  try {
    const real = await Deno.realPath(path);
    if (!isInside(real, await Deno.realPath(base))) return null;
    return { real, info: await Deno.stat(real) };
  } catch {
    return null;
  }
}

/**
 * The answer for a regular file (or its precompressed sibling): preconditions,
 * then a range or the whole file.
 */
async function answer(
  req: RawRequest,
  real: string,
  info: Deno.FileInfo,
  options: StaticOptions,
  representation: Representation,
): Promise<RawResponse> {
  const mtime = info.mtime?.getTime() ?? 0;
  // A representation compressed as sent has its own strong ETag: see docs/static_files.md.
  const coded = representation.coding === null
    ? ""
    : `-${representation.coding}${representation.dynamic ? "-dyn" : ""}`;
  const validators: Validators = {
    etag: `"${info.size.toString(36)}-${mtime.toString(36)}${coded}"`,
    modified: info.mtime === null ? null : Math.floor(mtime / 1000) * 1000,
  };
  // What a 304 repeats (RFC 9110 §15.4.5).
  const headers: Record<string, string> = {
    "ETag": validators.etag,
    "Cache-Control": options.cacheControl ?? "no-cache",
  };
  if (info.mtime !== null) headers["Last-Modified"] = info.mtime.toUTCString();
  if (representation.vary) headers["Vary"] = "Accept-Encoding";
  const h = req.headers;
  const verdict = evaluate({
    ifMatch: h.get("if-match"),
    ifUnmodifiedSince: h.get("if-unmodified-since"),
    ifNoneMatch: h.get("if-none-match"),
    ifModifiedSince: h.get("if-modified-since"),
  }, validators);
  if (verdict === 304) return { status: 304, headers };
  if (verdict === 412) return text("Precondition Failed\n", { status: 412 });
  headers["Content-Type"] = representation.type;
  if (representation.coding !== null) headers["Content-Encoding"] = representation.coding;
  headers["Accept-Ranges"] = "bytes";
  // No Content-Length: the compressed size is known only at the end, so the
  // writer sends it chunked (or with a length when it all compressed at once).
  if (representation.dynamic) {
    return { status: 200, headers, body: compressedFile(real, representation.coding!) };
  }
  const size = info.size;
  const range = h.get("range");
  const asked = range !== null && ifRangeHolds(h.get("if-range"), validators)
    ? parseRange(range, size)
    : "ignore";
  if (asked === "unsatisfiable") {
    return text("Range Not Satisfiable\n", {
      status: 416,
      headers: { "Content-Range": `bytes */${size}` },
    });
  }
  const part = typeof asked === "object" ? asked : { start: 0, end: size - 1 };
  const length = part.end - part.start + 1;
  const status = typeof asked === "object" ? 206 : 200;
  if (status === 206) headers["Content-Range"] = `bytes ${part.start}-${part.end}/${size}`;
  // A large file is read as it is sent, a piece at a time (a range of it
  // too, from its first byte): a client that does not read holds one piece
  // (64 KiB) of it, not the whole file. A small file is read whole.
  if (size > STREAMED_FILE_BYTES) {
    return { status, headers, body: fileBody(real, length, part.start) };
  }
  try {
    const bytes = await Deno.readFile(real);
    if (bytes.length !== size) return { status: 200, headers: withoutRange(headers), body: bytes };
    return { status, headers, body: bytes.subarray(part.start, part.end + 1) };
  } catch {
    return NOT_FOUND;
  }
}

/** The headers of a whole-file answer (the file changed between stat and read). */
function withoutRange(headers: Record<string, string>): Record<string, string> {
  const { "Content-Range": _, ...rest } = headers;
  return rest;
}

/** Whether `path` is `root` or below it (both real, absolute paths). */
function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * If-None-Match (RFC 9110 §13.1.2): `*` or a list of entity tags, compared
 * weakly (a `W/` prefix is ignored), as a GET or HEAD precondition must be.
 */
export function etagMatches(header: string | null, etag: string): boolean {
  return header !== null && tagListMatches(header, etag, false);
}

/** A handler for a `/prefix/*` route that serves files below `root`. */
export function staticFiles(root: string, options: StaticOptions = {}): Handler {
  return (req) => serveFile(root, req.params["*"] ?? "", req, options);
}

/** A handler that always serves one file of `root`. */
export function fileRoute(root: string, file: string, options: StaticOptions = {}): Handler {
  return (req) => serveFile(root, file, req, options);
}
