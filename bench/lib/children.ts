/**
 * Child processes of the benchmark: spawned, read line by line, and always
 * stopped. Every child is registered until it has exited, so {@link stopAll}
 * (called from `finally` and from the SIGINT/SIGTERM handlers) leaves none
 * behind. Servers run in their own process group (`setsid`) and are killed
 * as a group.
 *
 * @module
 */

const live = new Set<Child>();
/** Set by {@link stopAll}: from then on nothing new may start. */
let stopping = false;

/** Options of {@link Child.spawn}. */
export interface SpawnOptions {
  /** Start the command in a new session, so its whole process group can be killed. */
  readonly newGroup?: boolean;
  /** Give the child a stdin pipe (the servers exit when it closes). */
  readonly stdin?: boolean;
  /** Soft limit of open files to set first (`ulimit -n`), e.g. for 10,000 sockets. */
  readonly openFiles?: number;
}

/** A running child process whose stdout is kept as lines and stderr as a tail. */
export class Child {
  readonly pid: number;
  readonly argv: readonly string[];
  readonly lines: string[] = [];
  readonly status: Promise<Deno.CommandStatus>;
  /** Resolves once the child has exited and all its output has been read. */
  readonly done: Promise<void>;
  readonly #process: Deno.ChildProcess;
  readonly #group: boolean;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array> | null;
  #stderr = "";
  #partial = "";
  #ended = false;
  #wake = Promise.withResolvers<void>();

  private constructor(argv: readonly string[], options: SpawnOptions, setsid: boolean) {
    this.argv = argv;
    this.#group = setsid && options.newGroup === true;
    // bash only sets the limit and then exec()s: setsid and taskset exec() too,
    // so the pid we get is the pid of the program itself (for /proc readings).
    const limit = options.openFiles === undefined
      ? ""
      : `ulimit -n ${options.openFiles} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; `;
    const exec = this.#group ? "exec setsid" : "exec";
    this.#process = new Deno.Command("bash", {
      args: ["-c", `${limit}${exec} "$@"`, "bash", ...argv],
      stdin: options.stdin ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.pid = this.#process.pid;
    this.#stdin = options.stdin ? this.#process.stdin.getWriter() : null;
    live.add(this);
    const out = this.#pumpStdout();
    const err = this.#pumpStderr();
    this.status = this.#process.status;
    this.done = Promise.allSettled([this.status, out, err]).then(() => {
      this.#ended = true;
      live.delete(this);
      this.#wake.resolve();
    });
  }

  /** Starts `argv` (resolved through PATH). */
  static spawn(argv: readonly string[], options: SpawnOptions = {}): Child {
    if (stopping) throw new Error("stopping: no new processes");
    return new Child(argv, options, HAS_SETSID);
  }

  /** Whether the process has exited and its output has been read. */
  get ended(): boolean {
    return this.#ended;
  }

  /** The last few KiB the child wrote to stderr. */
  get stderrTail(): string {
    return this.#stderr.trim();
  }

  async #pumpStdout(): Promise<void> {
    for await (const text of this.#process.stdout.pipeThrough(new TextDecoderStream())) {
      const parts = (this.#partial + text).split("\n");
      this.#partial = parts.pop()!;
      this.lines.push(...parts);
      this.#wake.resolve();
      this.#wake = Promise.withResolvers<void>();
    }
    if (this.#partial !== "") this.lines.push(this.#partial);
  }

  async #pumpStderr(): Promise<void> {
    for await (const text of this.#process.stderr.pipeThrough(new TextDecoderStream())) {
      this.#stderr = (this.#stderr + text).slice(-4096);
    }
  }

  /**
   * Resolves with the first stdout line matching `pattern`; rejects if the
   * child exits first or `timeoutMs` passes.
   */
  async waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    let searched = 0;
    for (;;) {
      for (; searched < this.lines.length; searched++) {
        const m = pattern.exec(this.lines[searched]!);
        if (m !== null) return m;
      }
      if (this.#ended) {
        const { code } = await this.status;
        throw new Error(`exited with code ${code}: ${this.stderrTail || "(no stderr)"}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line matching ${pattern} within ${timeoutMs} ms`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.#wake.promise,
        new Promise((resolve) => timer = setTimeout(resolve, left)),
      ]);
      clearTimeout(timer);
    }
  }

  /** Writes a line to the child's stdin. */
  async send(line: string): Promise<void> {
    await this.#stdin?.write(new TextEncoder().encode(`${line}\n`));
  }

  /** Sends a signal to the child (to its whole group when it has one). */
  kill(signal: Deno.Signal): void {
    try {
      Deno.kill(this.#group ? -this.pid : this.pid, signal);
    } catch { /* already gone */ }
  }

  /** Closes stdin, sends SIGTERM, and SIGKILL after `graceMs`; resolves once it has exited. */
  async stop(graceMs = 2000): Promise<void> {
    try {
      await this.#stdin?.close();
    } catch { /* already closed */ }
    if (this.#ended) return;
    this.kill("SIGTERM");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const exited = await Promise.race([
      this.status.then(() => true),
      new Promise<false>((resolve) => timer = setTimeout(resolve, graceMs, false)),
    ]);
    clearTimeout(timer);
    if (!exited) this.kill("SIGKILL");
    await this.status;
    // A group leader's exit does not end its group: make sure nothing is left in it.
    if (this.#group) this.kill("SIGKILL");
  }
}

/** Whether {@link stopAll} has begun (after Ctrl-C, or at the end). */
export function isStopping(): boolean {
  return stopping;
}

/** Stops every child still running, and refuses to start new ones from now on. */
export async function stopAll(): Promise<void> {
  stopping = true;
  await Promise.all([...live].map((child) => child.stop(1000)));
}

/**
 * Runs a benchmark's `main` so that nothing it started outlives it: Ctrl-C or
 * a kill stops every child (then exits 130), and so does the end of `main`,
 * however it ends. The run in progress fails once its children are gone; that
 * error is expected and swallowed.
 */
export async function runStoppingChildren(
  main: () => Promise<void>,
  cleanUp: () => Promise<void>,
  progress: (message: string) => void,
): Promise<void> {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    Deno.addSignalListener(signal, () => {
      if (isStopping()) return;
      progress(`${signal}: stopping every process started`);
      cleanUp().finally(() => Deno.exit(130));
    });
  }
  try {
    await main();
  } catch (error) {
    if (!isStopping()) throw error;
  } finally {
    await cleanUp();
  }
}

/** Whether `name` is on PATH. */
export async function hasCommand(name: string): Promise<boolean> {
  const out = await new Deno.Command("bash", {
    args: ["-c", `command -v "$1"`, "bash", name],
    stdout: "null",
    stderr: "null",
  }).output();
  return out.success;
}

const HAS_SETSID = await hasCommand("setsid");
