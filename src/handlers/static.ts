/**
 * Static files from one folder: content types, ETag/304, and no way out of the folder.
 *
 * @module
 */

import { extname, join, resolve, sep } from "node:path";
import type { RawRequest } from "../app/request.ts";
import type { Handler, RawResponse } from "../app/response.ts";
import { text } from "../app/response.ts";
import { fileBody, STREAMED_FILE_BYTES } from "../io/sized_body.ts";

/** Content types by extension; anything else is `application/octet-stream`. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
};

const NOT_FOUND = text("Not Found\n", { status: 404 });

/**
 * Reads `relative` (a decoded URL path below `root`) as a response. Paths with
 * `..` or hidden segments, and symlinks that lead outside `root`, are 404s:
 * whether a file exists outside the folder is not the client's business.
 */
export async function serveFile(
  root: string,
  relative: string,
  req: RawRequest,
): Promise<RawResponse> {
  const segments = relative.split("/").filter((s) => s !== "");
  if (segments.some((s) => s.startsWith(".") || s.includes("\\"))) return NOT_FOUND;
  const base = resolve(root);
  const path = join(base, ...segments);
  let real: string;
  let info: Deno.FileInfo;
  try {
    real = await Deno.realPath(path);
    if (!isInside(real, await Deno.realPath(base))) return NOT_FOUND;
    info = await Deno.stat(real);
  } catch {
    return NOT_FOUND;
  }
  if (!info.isFile) return NOT_FOUND;
  const mtime = info.mtime?.getTime() ?? 0;
  const etag = `"${info.size.toString(36)}-${mtime.toString(36)}"`;
  // Validators and caching: what a 304 repeats (RFC 9110 §15.4.5).
  const validators: Record<string, string> = {
    "ETag": etag,
    "Cache-Control": "no-cache", // revalidate each time; a 304 costs one round trip
  };
  if (info.mtime !== null) validators["Last-Modified"] = info.mtime.toUTCString();
  if (etagMatches(req.headers.get("if-none-match"), etag)) {
    return { status: 304, headers: validators };
  }
  const type = CONTENT_TYPES[extname(real).toLowerCase()] ?? "application/octet-stream";
  // A large file is read as it is sent, a piece at a time: a client that
  // does not read holds one piece (64 KiB) of it, not the whole file.
  if (info.size > STREAMED_FILE_BYTES) {
    return {
      status: 200,
      headers: { "Content-Type": type, ...validators },
      body: fileBody(real, info.size),
    };
  }
  try {
    return {
      status: 200,
      headers: { "Content-Type": type, ...validators },
      body: await Deno.readFile(real),
    };
  } catch {
    return NOT_FOUND;
  }
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
  if (header === null) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => {
    const t = tag.trim();
    return (t.startsWith("W/") ? t.slice(2) : t) === etag;
  });
}

/** A handler for a `/prefix/*` route that serves files below `root`. */
export function staticFiles(root: string): Handler {
  return (req) => serveFile(root, req.params["*"] ?? "", req);
}

/** A handler that always serves one file of `root`. */
export function fileRoute(root: string, file: string): Handler {
  return (req) => serveFile(root, file, req);
}
