/**
 * What the benchmark reads from /proc about a process: CPU time and RSS.
 *
 * @module
 */

/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`). */
export async function clockTicksPerSecond(): Promise<number> {
  const out = await new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped" }).output();
  const ticks = Number(new TextDecoder().decode(out.stdout).trim());
  if (!Number.isInteger(ticks) || ticks <= 0) throw new Error("getconf CLK_TCK gave no number");
  return ticks;
}

/**
 * User plus system CPU time of the whole process (all threads), in clock
 * ticks: fields 14 and 15 of /proc/<pid>/stat (proc(5)). The fields are
 * counted after the last ")" because the command name may hold spaces.
 */
export function cpuTicks(pid: number): number {
  const { user, system } = cpuTimes(pid);
  return user + system;
}

/** User and system CPU time of the whole process, in clock ticks. */
export function cpuTimes(pid: number): { user: number; system: number } {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state), so utime (14) is fields[11] and stime (15) fields[12].
  return { user: Number(fields[11]), system: Number(fields[12]) };
}

/** Resident set size in KiB (VmRSS of /proc/<pid>/status). */
export function rssKiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (m === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

/** How many file descriptors the process has open (sockets included). */
export function openFds(pid: number): number {
  let n = 0;
  for (const _ of Deno.readDirSync(`/proc/${pid}/fd`)) n++;
  return n;
}

/** The command line of this process, as typed (quoted where needed). */
export function ownCommandLine(): string {
  const raw = Deno.readTextFileSync("/proc/self/cmdline");
  return raw.split("\0").filter((a) => a !== "").map(shellQuote).join(" ");
}

/** `arg` as a shell word: quoted unless it is plainly safe. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** The CPU model, from /proc/cpuinfo. */
export function cpuModel(): string {
  const info = Deno.readTextFileSync("/proc/cpuinfo");
  return /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? "unknown";
}

/** Busy and total clock ticks of each core (the cpuN lines of /proc/stat). */
export function coreTicks(): { busy: number; total: number }[] {
  const out: { busy: number; total: number }[] = [];
  for (const line of Deno.readTextFileSync("/proc/stat").split("\n")) {
    if (!/^cpu\d+ /.test(line)) continue;
    // user nice system idle iowait irq softirq steal ...; idle and iowait are not busy.
    const t = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = t.reduce((a, b) => a + b, 0);
    out.push({ busy: total - t[3]! - t[4]!, total });
  }
  return out;
}

/** Busy % of each core between two {@link coreTicks} readings. */
export function coreBusyPercent(
  before: readonly { busy: number; total: number }[],
  after: readonly { busy: number; total: number }[],
): number[] {
  return after.map((a, i) => {
    const b = before[i]!;
    const total = a.total - b.total;
    return total > 0 ? Math.round(100 * (a.busy - b.busy) / total) : NaN;
  });
}

/** CPU ticks of every process on the machine, by pid (processes that vanish mid-read are skipped). */
export function allProcessTicks(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      out.set(Number(entry.name), cpuTicks(Number(entry.name)));
    } catch { /* exited */ }
  }
  return out;
}

/** Other processes' CPU between two snapshots: the total and the biggest users. */
export interface OtherCpu {
  readonly ticks: number;
  /** Up to three processes that used the most, as "name(pid) ticks". */
  readonly top: readonly string[];
}

/**
 * CPU ticks other processes used between two {@link allProcessTicks}
 * snapshots, leaving out `ours`. A process that started and ended in between
 * is missed, so this is a lower bound.
 */
export function otherTicks(
  before: ReadonlyMap<number, number>,
  after: ReadonlyMap<number, number>,
  ours: ReadonlySet<number>,
): OtherCpu {
  let sum = 0;
  const users: [number, number][] = [];
  for (const [pid, ticks] of after) {
    if (ours.has(pid)) continue;
    const used = ticks - (before.get(pid) ?? 0);
    sum += used;
    if (used > 0) users.push([pid, used]);
  }
  const top = users.sort((a, b) => b[1] - a[1]).slice(0, 3).map(([pid, used]) => {
    let name = "?";
    try {
      name = Deno.readTextFileSync(`/proc/${pid}/comm`).trim();
    } catch { /* exited */ }
    return `${name}(${pid}) ${used}`;
  });
  return { ticks: sum, top };
}

/**
 * The local port of every TCP socket the process holds in LISTEN state, one
 * entry per socket, so N listeners sharing a port (SO_REUSEPORT) give N
 * entries. The socket inodes of /proc/<pid>/fd are looked up in the
 * process's /proc/<pid>/net/tcp and tcp6 (proc(5)).
 */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const entry of Deno.readDirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(Deno.readLinkSync(`/proc/${pid}/fd/${entry.name}`));
      if (m !== null) inodes.add(m[1]!);
    } catch { /* closed meanwhile */ }
  }
  const ports: number[] = [];
  for (const table of ["tcp", "tcp6"]) {
    let text: string;
    try {
      text = Deno.readTextFileSync(`/proc/${pid}/net/${table}`);
    } catch {
      continue; // no IPv6
    }
    for (const line of text.split("\n").slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
      const f = line.trim().split(/\s+/);
      if (f[3] !== "0A" || !inodes.has(f[9] ?? "")) continue; // 0A: TCP_LISTEN
      ports.push(parseInt(f[1]!.slice(f[1]!.lastIndexOf(":") + 1), 16));
    }
  }
  return ports;
}
