/**
 * A server as a tree of processes (nginx is a master and its worker; the
 * others are one process): its pids, resident memory, open files and sockets, summed.
 *
 * @module
 */

import { openFds, rssKiB } from "../lib/procfs.ts";

/** The parent pid of every process, from /proc/PID/stat (field 4). */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      out.set(Number(entry.name), ppid);
    } catch { /* exited meanwhile */ }
  }
  return out;
}

/** `root` and every process below it that runs now. */
export function descendants(root: number): number[] {
  const ppid = parents();
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    for (const [pid, parent] of ppid) if (parent === out[i]) out.push(pid);
  }
  return out.filter((pid) => ppid.has(pid));
}

/** A process and its children (looked up afresh at every reading: nginx forks its worker late). */
export class ProcessTree {
  constructor(readonly root: number) {}

  /** The pids now (the root first, while it runs). */
  pids(): number[] {
    return descendants(this.root);
  }

  /** VmRSS summed over the tree, KiB; 0 once it has exited. */
  rssKiB(): number {
    return this.#sum(rssKiB);
  }

  /** Open file descriptors summed over the tree (sockets included). */
  fds(): number {
    return this.#sum(openFds);
  }

  /** Open sockets summed over the tree (nginx also holds a file per download). */
  sockets(): number {
    return this.#sum(openSockets);
  }

  #sum(read: (pid: number) => number): number {
    let sum = 0;
    for (const pid of this.pids()) {
      try {
        sum += read(pid);
      } catch { /* exited meanwhile */ }
    }
    return sum;
  }
}

/** How many of the process's file descriptors are sockets. */
function openSockets(pid: number): number {
  let n = 0;
  for (const entry of Deno.readDirSync(`/proc/${pid}/fd`)) {
    try {
      if (Deno.readLinkSync(`/proc/${pid}/fd/${entry.name}`).startsWith("socket:")) n++;
    } catch { /* closed meanwhile */ }
  }
  return n;
}
