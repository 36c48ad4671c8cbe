/**
 * `--listeners N`: N listeners, each a whole server in its own Web Worker (its
 * own isolate, event loop and core), sharing one port with SO_REUSEPORT so the
 * Linux kernel spreads new connections across them.
 *
 * The main thread serves nothing. It starts the workers (the first binds the
 * port, which may be 0; the rest bind the port it got), answers their
 * `/metrics` requests by asking every worker for its figures and summing them,
 * and at shutdown tells each to drain and waits for all of them.
 *
 * A worker that crashes has met a bug: the cluster logs it and shuts the
 * others down gracefully, and the program exits 1 for its supervisor (Docker,
 * systemd) to restart, rather than run on with a share of the port unserved.
 *
 * @module
 */

import type { Config } from "./settings.ts";
import { mergeReports, type MetricsReport } from "../handlers/metrics.ts";
import { serverLog } from "../server/log.ts";

/** Messages from the main thread to a worker. */
export type ToWorker =
  | {
    readonly type: "start";
    readonly config: Config;
    readonly port: number;
    /** This listener's number, 0 to LISTENERS-1. */
    readonly index: number;
    /** `performance.timeOrigin + performance.now()` when the process started. */
    readonly startedAtEpochMs: number;
  }
  /** Send your own report back, tagged `id`. */
  | { readonly type: "snapshot"; readonly id: number }
  /** The whole cluster's report, answering your `collect` `id`. */
  | { readonly type: "report"; readonly id: number; readonly report: MetricsReport }
  | { readonly type: "drain" }
  | { readonly type: "shutdown" };

/** Messages from a worker to the main thread. */
export type FromWorker =
  | { readonly type: "listening"; readonly addr: Deno.NetAddr }
  | { readonly type: "failed"; readonly error: string }
  /** A worker still starting has no report yet: null. */
  | { readonly type: "snapshot"; readonly id: number; readonly report: MetricsReport | null }
  /** `/metrics` was asked: send the cluster's report, tagged `id`. */
  | { readonly type: "collect"; readonly id: number }
  /** Shutdown began: the listener is closed. */
  | { readonly type: "closed" }
  | { readonly type: "drained" }
  | { readonly type: "stopped"; readonly requests: number };

/** How a cluster ended. */
export interface ClusterEnd {
  /** Requests answered by all listeners. */
  readonly requests: number;
  /** True when a worker crashed, and the rest were shut down because of it. */
  readonly crashed: boolean;
}

/** One worker thread, as the main thread tracks it. */
class Member {
  readonly index: number;
  readonly worker: Worker;
  /** Settles on "listening", or rejects on "failed" or a crash before it. */
  readonly listening = Promise.withResolvers<Deno.NetAddr>();
  /** Settles on "drained": its /ready answers 503 (or at exit). */
  readonly drained = Promise.withResolvers<void>();
  /** Settles on "closed" (or at exit). */
  readonly closed = Promise.withResolvers<void>();
  /** Settles when the worker has stopped serving, with its request count. */
  readonly stopped = Promise.withResolvers<number>();
  alive = true;

  constructor(index: number, script: URL) {
    this.index = index;
    this.worker = new Worker(script.href, {
      type: "module",
      name: `listener-${index}`,
    });
    // Rejections nobody awaits yet (a crash after start) are not errors.
    this.listening.promise.catch(() => {});
  }

  send(message: ToWorker): void {
    if (this.alive) this.worker.postMessage(message);
  }

  /** The worker is gone (stopped or crashed): settle whatever is still open. */
  gone(requests: number, why: string): void {
    if (!this.alive) return;
    this.alive = false;
    this.listening.reject(new Error(why));
    this.drained.resolve();
    this.closed.resolve();
    this.stopped.resolve(requests);
    this.worker.terminate();
  }
}

/** A `/metrics` request being answered: who asked, and the reports still due. */
interface Collection {
  readonly asker: Member;
  readonly askerId: number;
  readonly due: Set<Member>;
  readonly reports: MetricsReport[];
  /** Answers with what came once METRICS_TIMEOUT passes. */
  readonly timer: ReturnType<typeof setTimeout>;
}

/** N listeners on one port, in worker threads. */
export class Cluster {
  /** The address the listeners share. */
  addr!: Deno.NetAddr;
  /** Resolves when every worker has stopped. */
  readonly finished: Promise<ClusterEnd>;
  readonly #allStopped = Promise.withResolvers<ClusterEnd>();
  readonly #members: Member[] = [];
  readonly #config: Config;
  /** True once every listener listens; until then a crash fails the start instead. */
  #started = false;
  /** A crash before {@link #started}, even of a listener that listens already. */
  #startCrash: Error | null = null;
  readonly #collections = new Map<number, Collection>();
  #nextCollection = 0;
  #crashed = false;
  #shutdown: Promise<void> | null = null;

  private constructor(config: Config) {
    this.#config = config;
    this.finished = this.#allStopped.promise;
  }

  /**
   * Starts `config.listeners` listeners and resolves once all of them listen.
   * Rejects, after stopping the ones that started, if any cannot listen.
   * `config.wwwDir` must already be resolved. `script` is the worker's
   * module; tests give one that misbehaves on purpose.
   */
  static async start(
    config: Config,
    startedAtEpochMs: number,
    script: URL = new URL("./cluster_worker.ts", import.meta.url),
  ): Promise<Cluster> {
    const cluster = new Cluster(config);
    const spawn = (port: number): Member => {
      const member = new Member(cluster.#members.length, script);
      cluster.#members.push(member);
      member.worker.onmessage = (e: MessageEvent<FromWorker>) => cluster.#receive(member, e.data);
      member.worker.onerror = (e: ErrorEvent) => {
        e.preventDefault(); // handled here: the main thread must not die with it
        cluster.#crash(member, e.message);
      };
      member.send({ type: "start", config, port, index: member.index, startedAtEpochMs });
      return member;
    };
    try {
      // The first binds the asked port (perhaps 0); the rest join the port it got.
      cluster.addr = await spawn(config.port).listening.promise;
      const rest = Array.from({ length: config.listeners - 1 }, () => spawn(cluster.addr.port));
      await Promise.all(rest.map((m) => m.listening.promise));
      // One that listened and then crashed while the others started fails the start too.
      if (cluster.#startCrash !== null) throw cluster.#startCrash;
    } catch (error) {
      cluster.shutdown();
      await Promise.all(cluster.#members.map((m) => m.stopped.promise));
      throw error;
    }
    cluster.#started = true;
    Promise.all(cluster.#members.map((m) => m.stopped.promise)).then((counts) =>
      cluster.#allStopped.resolve({
        requests: counts.reduce((a, b) => a + b, 0),
        crashed: cluster.#crashed,
      })
    );
    return cluster;
  }

  #receive(member: Member, message: FromWorker): void {
    switch (message.type) {
      case "listening":
        member.listening.resolve(message.addr);
        return;
      case "failed":
        member.gone(0, message.error);
        this.#forget(member); // its answer to a snapshot may be lost with it
        return;
      case "collect":
        this.#collect(member, message.id);
        return;
      case "snapshot":
        this.#collected(member, message.id, message.report);
        return;
      case "drained":
        member.drained.resolve();
        return;
      case "closed":
        member.closed.resolve();
        return;
      case "stopped":
        member.gone(message.requests, "stopped");
        this.#forget(member);
        return;
    }
  }

  /**
   * Asks every live worker for its figures, for `asker`'s `/metrics`. A
   * worker whose thread is stuck never answers: after METRICS_TIMEOUT the
   * report goes out with what came, and names the listeners it lacks.
   */
  #collect(asker: Member, askerId: number): void {
    const id = this.#nextCollection++;
    const due = new Set(this.#members.filter((m) => m.alive));
    const timer = setTimeout(() => this.#answer(id), this.#config.metricsTimeoutMs);
    Deno.unrefTimer(timer); // a collection pending at exit must not hold the process
    this.#collections.set(id, { asker, askerId, due, reports: [], timer });
    for (const m of due) m.send({ type: "snapshot", id });
  }

  #collected(member: Member, id: number, report: MetricsReport | null): void {
    const c = this.#collections.get(id);
    if (c === undefined || !c.due.delete(member)) return;
    if (report !== null) c.reports.push(report);
    if (c.due.size === 0) this.#answer(id);
  }

  /** A worker that is gone will not answer: stop waiting for it. */
  #forget(member: Member): void {
    for (const [id, c] of this.#collections) {
      if (c.due.delete(member) && c.due.size === 0) this.#answer(id);
    }
  }

  /** Answers collection `id` with the reports that came; those still due are named missing. */
  #answer(id: number): void {
    const c = this.#collections.get(id);
    if (c === undefined) return;
    this.#collections.delete(id);
    clearTimeout(c.timer);
    const missing = [...c.due].map((m) => m.index).sort((a, b) => a - b);
    if (missing.length > 0) {
      serverLog.warn("/metrics: no figures from listener(s) {missing} within {ms} ms", {
        missing: missing.join(", "),
        ms: this.#config.metricsTimeoutMs,
      });
    }
    const report = { ...mergeReports(c.reports), missing_listeners: missing };
    c.asker.send({ type: "report", id: c.askerId, report });
  }

  #crash(member: Member, message: string): void {
    if (!this.#started) {
      // start() sees the rejection (or, for one that listens already, this) and reports it.
      this.#startCrash ??= new Error(message);
      member.gone(0, message);
      this.#forget(member);
      return;
    }
    serverLog.fatal("listener {index} crashed: {error}; shutting the others down", {
      index: member.index,
      error: message,
    });
    this.#crashed = true;
    member.gone(0, message);
    this.#forget(member);
    this.shutdown();
  }

  /** Tells every worker that shutdown is coming; resolves once every /ready answers 503. */
  drain(): Promise<void> {
    for (const m of this.#members) m.send({ type: "drain" });
    return Promise.all(this.#members.map((m) => m.drained.promise)).then(() => {});
  }

  /**
   * Tells every worker to shut down (each drains within SHUTDOWN_TIMEOUT, all
   * at once). Resolves when every listener is closed, so new connections are
   * refused; {@link finished} resolves when they have all stopped.
   */
  shutdown(): Promise<void> {
    if (this.#shutdown === null) {
      for (const m of this.#members) m.send({ type: "shutdown" });
      this.#shutdown = Promise.all(this.#members.map((m) => m.closed.promise)).then(() => {});
    }
    return this.#shutdown;
  }
}
