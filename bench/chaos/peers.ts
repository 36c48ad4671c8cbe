/**
 * The servers the chaos benchmark attacks, and how each one is started for
 * an attack: rawhttp (its demo program, src/program/main.ts, or `serve()` from mod.ts
 * when the attack needs a route only a fetch handler has), Deno.serve,
 * node:http, nginx and Bun.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { hasCommand } from "../lib/children.ts";
import { tempWww } from "../../tests/chaos/fixtures/www.ts";
import { nginxSetup } from "./nginx.ts";
import { BIG_BYTES } from "./servers/handler.ts";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const ROOT = here("../../");
const DENO = Deno.execPath();

/** The routes every server exposes (where it can). */
export type RouteName = "health" | "hello" | "big" | "upload" | "slow";

/** Each route's path on one server, or null where it has none. */
export type RoutePaths = Readonly<Record<RouteName, string | null>>;

/** What an attack needs of a server. */
export interface Need {
  readonly routes: readonly RouteName[];
  /** Flags for rawhttp (the program's, which rawhttp_serve.ts takes too), e.g. `--write-timeout 5s`. */
  readonly rawhttpFlags?: readonly string[];
}

/** How to run one server for one attack. */
export interface Launch {
  readonly argv: readonly string[];
  readonly routes: RoutePaths;
  /** What runs, for the report: "src/program/main.ts --write-timeout 5s". */
  readonly setup: string;
  /** Whether `POST /upload` answers the body's length (nginx answers a fixed "ok"). */
  readonly uploadAnswersLength: boolean;
  /** Removes its temp files once the server has stopped. */
  readonly cleanup: () => Promise<void>;
}

/** A server under attack. */
export interface Peer {
  readonly name: string;
  /** The routes it has at all (rawhttp has all five, by `serve()` where its program lacks one). */
  readonly routes: readonly RouteName[];
  /** Why it cannot run on this machine, or null. */
  unavailable(): Promise<string | null>;
  /** Its command line and routes for an attack that needs `need`, on `port`. */
  launch(need: Need, port: number): Promise<Launch>;
}

const ALL_ROUTES: readonly RouteName[] = ["health", "hello", "big", "upload", "slow"];
const SAME_PATHS: RoutePaths = {
  health: "/health",
  hello: "/api/hello",
  big: "/big",
  upload: "/upload",
  slow: "/slow",
};
const nothing = () => Promise.resolve();
const DENO_RUN = [DENO, "run", "--config", `${ROOT}deno.json`, "--allow-net", "--allow-env"];

/**
 * The `deno run` flags of `deno task start` (deno.json), so the program runs
 * as it ships (e.g. with `--v8-flags=--expose-gc`, which its idle collection
 * needs); the plain permissions if the task cannot be read.
 */
function startTaskFlags(): string[] {
  try {
    const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
    const words = String(config.tasks.start).split(/\s+/);
    const run = words.indexOf("run");
    const main = words.indexOf("src/program/main.ts");
    if (words[0] === "deno" && run === 1 && main > run) return words.slice(run + 1, main);
  } catch { /* no such task: the plain permissions */ }
  return ["--allow-net", "--allow-env", "--allow-read"];
}

/** rawhttp: src/program/main.ts, or serve() with the shared handler for /upload and /slow. */
const rawhttp: Peer = {
  name: "rawhttp",
  routes: ALL_ROUTES,
  unavailable: () => Promise.resolve(null),
  async launch(need, port) {
    const flags = need.rawhttpFlags ?? [];
    const common = ["--host", "127.0.0.1", "--port", String(port), "--log-level", "warning"];
    if (need.routes.includes("upload") || need.routes.includes("slow")) {
      return {
        argv: [...DENO_RUN, "--allow-read", here("servers/rawhttp_serve.ts"), ...common, ...flags],
        routes: SAME_PATHS,
        setup: ["serve() (mod.ts)", ...flags].join(" "),
        uploadAnswersLength: true,
        cleanup: nothing,
      };
    }
    const www = await tempWww(BIG_BYTES);
    return {
      argv: [
        DENO,
        "run",
        "--config",
        `${ROOT}deno.json`,
        ...startTaskFlags(),
        `${ROOT}src/program/main.ts`,
        ...common,
        "--www-dir",
        www.dir,
        ...flags,
      ],
      routes: { ...SAME_PATHS, big: "/static/big.bin", upload: null, slow: null },
      setup: ["src/program/main.ts", ...flags].join(" "),
      uploadAnswersLength: true,
      cleanup: async () => await www[Symbol.asyncDispose](),
    };
  },
};

/** A server that is one command with the port as its last argument. */
function simple(
  name: string,
  command: string,
  argv: readonly string[],
  setup: string,
): Peer {
  return {
    name,
    routes: ALL_ROUTES,
    unavailable: async () => (await hasCommand(command)) ? null : `${command} is not installed`,
    launch: (_need, port) =>
      Promise.resolve({
        argv: [...argv, String(port)],
        routes: SAME_PATHS,
        setup,
        uploadAnswersLength: true,
        cleanup: nothing,
      }),
  };
}

const nginx: Peer = {
  name: "nginx",
  routes: ["health", "hello", "big", "upload"],
  unavailable: async () => (await hasCommand("nginx")) ? null : "nginx is not installed",
  async launch(_need, port) {
    const setup = await nginxSetup(port, BIG_BYTES);
    return {
      argv: setup.argv,
      routes: { ...SAME_PATHS, slow: null },
      setup: "1 worker; fixed answers, /big a file",
      uploadAnswersLength: false,
      cleanup: setup.cleanup,
    };
  },
};

/** Every server, in the report's order. */
export const PEERS: readonly Peer[] = [
  rawhttp,
  simple(
    "deno-serve",
    "deno",
    [DENO, "run", "--allow-net", here("servers/deno_serve.ts")],
    "Deno.serve",
  ),
  simple("node-http", "node", ["node", here("servers/node_http.mjs")], "node:http defaults"),
  nginx,
  {
    ...simple("bun", "bun", ["bun", here("servers/bun_serve.ts")], "Bun.serve defaults"),
    unavailable: async () =>
      (await hasCommand("bun"))
        ? null
        : "bun is not installed (npm install -g bun puts it on PATH; it is optional)",
  },
];
