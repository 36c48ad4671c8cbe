/**
 * Where the load benchmark finds things: the bench/ folder, the repository
 * root and the Deno binary that runs the Deno servers.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** The bench/ folder, with a trailing slash. */
export const BENCH = fileURLToPath(new URL("../", import.meta.url));
/** The repository root, with a trailing slash. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The Deno running this benchmark; the Deno servers run on it too. */
export const DENO = Deno.execPath();
