/**
 * deploy/: the Kubernetes manifests, checked against the Kubernetes schemas
 * (kubernetes-models) and against the program (its routes, its settings, the
 * image's user), and the systemd unit's key settings.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { Deployment } from "kubernetes-models/apps/v1";
import { Service } from "kubernetes-models/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { loadConfig, SETTINGS } from "../src/program/settings.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const K8S = `${ROOT}/deploy/kubernetes`;

// deno-lint-ignore no-explicit-any
type Obj = Record<string, any>;

/** Every object of every YAML file in deploy/kubernetes/, by kind. */
async function manifests(): Promise<Map<string, Obj[]>> {
  const byKind = new Map<string, Obj[]>();
  for await (const entry of Deno.readDir(K8S)) {
    if (!entry.isFile || !/\.ya?ml$/.test(entry.name)) continue;
    const text = await Deno.readTextFile(`${K8S}/${entry.name}`);
    for (const doc of parseAllDocuments(text)) {
      assert.deepEqual(doc.errors, [], `${entry.name}: YAML errors`);
      const obj = doc.toJS() as Obj | null;
      if (obj === null) continue;
      byKind.set(obj.kind, [...(byKind.get(obj.kind) ?? []), obj]);
    }
  }
  return byKind;
}

function one(all: Map<string, Obj[]>, kind: string): Obj {
  const objs = all.get(kind) ?? [];
  assert.equal(objs.length, 1, `one ${kind}`);
  return objs[0]!;
}

const all = await manifests();
const deployment = one(all, "Deployment");
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const env: Record<string, string> = Object.fromEntries(
  container.env.map((e: Obj) => [e.name, e.value]),
);

Deno.test("the Kubernetes manifests validate against the Kubernetes schemas", () => {
  const classes: Record<string, { apiVersion: string; make: (o: Obj) => { validate(): void } }> = {
    Deployment: { apiVersion: "apps/v1", make: (o) => new Deployment(o as never) },
    Service: { apiVersion: "v1", make: (o) => new Service(o as never) },
    HorizontalPodAutoscaler: {
      apiVersion: "autoscaling/v2",
      make: (o) => new HorizontalPodAutoscaler(o as never),
    },
    PodDisruptionBudget: {
      apiVersion: "policy/v1",
      make: (o) => new PodDisruptionBudget(o as never),
    },
  };
  assert.deepEqual([...all.keys()].sort(), Object.keys(classes).sort());
  for (const [kind, objs] of all) {
    for (const obj of objs) {
      assert.equal(obj.apiVersion, classes[kind]!.apiVersion, kind);
      classes[kind]!.make(obj).validate(); // throws on a schema violation
    }
  }
});

Deno.test("the schema check catches a mistake", () => {
  const broken = structuredClone(deployment);
  broken.spec.template.spec.containers[0].ports[0].containerPort = "8080"; // a string, not a port
  assert.throws(() => new Deployment(broken).validate());
  const noSelector = structuredClone(deployment);
  delete noSelector.spec.selector;
  assert.throws(() => new Deployment(noSelector).validate());
});

Deno.test("the Deployment's settings are valid for the program and its probes hit its routes", () => {
  const result = loadConfig(env, container.args ?? []);
  assert.equal(result.kind, "config", result.kind === "error" ? result.message : "");
  if (result.kind !== "config") return;
  const { config } = result;
  const http = container.ports.find((p: Obj) => p.name === "http");
  assert.equal(http.containerPort, config.port);
  assert.equal(config.host, "0.0.0.0");
  const resolve = (port: number | string) =>
    typeof port === "number"
      ? port
      : container.ports.find((p: Obj) => p.name === port)?.containerPort;
  for (
    const [probe, path] of [
      ["startupProbe", "/health"],
      ["livenessProbe", "/health"],
      ["readinessProbe", "/ready"],
    ] as const
  ) {
    assert.equal(container[probe].httpGet.path, path, probe);
    assert.equal(resolve(container[probe].httpGet.port), config.port, `${probe} port`);
  }
  // The drain: /ready fails for DRAIN_DELAY, then SHUTDOWN_TIMEOUT; the
  // kubelet's SIGKILL comes only after terminationGracePeriodSeconds.
  assert.ok(config.drainDelayMs > 0, "a drain delay for the endpoints to update");
  const readiness = container.readinessProbe;
  assert.ok(
    (readiness.periodSeconds * readiness.failureThreshold) * 1000 <= config.drainDelayMs,
    "the readiness probe notices the drain within DRAIN_DELAY",
  );
  assert.ok(
    pod.terminationGracePeriodSeconds * 1000 > config.drainDelayMs + config.shutdownTimeoutMs,
    "terminationGracePeriodSeconds > DRAIN_DELAY + SHUTDOWN_TIMEOUT",
  );
  assert.ok(container.resources.requests.cpu, "a CPU request (the HPA measures against it)");
  assert.ok(container.resources.limits.memory);
});

Deno.test("the Deployment runs as the image's non-root user, read-only, no privileges", async () => {
  const dockerfile = await Deno.readTextFile(`${ROOT}/Dockerfile`);
  const uid = Number(/"deno" user \(uid (\d+)\)/.exec(dockerfile)![1]);
  for (const ctx of [pod.securityContext, container.securityContext]) {
    assert.equal(ctx.runAsNonRoot, true);
    assert.equal(ctx.runAsUser, uid);
    assert.equal(ctx.seccompProfile.type, "RuntimeDefault");
  }
  const sc = container.securityContext;
  assert.equal(sc.readOnlyRootFilesystem, true);
  assert.equal(sc.allowPrivilegeEscalation, false);
  assert.deepEqual(sc.capabilities.drop, ["ALL"]);
  assert.equal(sc.capabilities.add, undefined);
});

Deno.test("the Service, HPA and PDB point at the Deployment", () => {
  const labels = deployment.spec.template.metadata.labels;
  const matches = (selector: Record<string, string>) =>
    Object.entries(selector).every(([k, v]) => labels[k] === v);
  assert.ok(matches(deployment.spec.selector.matchLabels));
  const service = one(all, "Service");
  assert.ok(matches(service.spec.selector));
  for (const port of service.spec.ports) {
    assert.ok(container.ports.some((p: Obj) => p.name === port.targetPort), port.targetPort);
  }
  const hpa = one(all, "HorizontalPodAutoscaler");
  assert.deepEqual(hpa.spec.scaleTargetRef, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    name: deployment.metadata.name,
  });
  assert.equal(hpa.spec.metrics[0].resource.name, "cpu");
  assert.ok(hpa.spec.minReplicas >= 2, "two pods, so the PDB lets one go");
  const pdb = one(all, "PodDisruptionBudget");
  assert.ok(matches(pdb.spec.selector.matchLabels));
  assert.ok(pdb.spec.minAvailable < hpa.spec.minReplicas, "a node can still be drained");
});

Deno.test("the program, run with the Deployment's env, passes its probes and drains", async () => {
  // The image's CMD (see dockerfile_test.ts) with the manifest's env; PORT 0
  // and a shorter DRAIN_DELAY so the test is quick.
  const server = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--cached-only",
      "--allow-net",
      "--allow-env",
      `--allow-read=${ROOT}`,
      "src/program/main.ts",
    ],
    cwd: ROOT,
    env: { ...env, HOST: "127.0.0.1", PORT: "0", DRAIN_DELAY: "1s" },
    clearEnv: true,
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = server.stdout.pipeThrough(new TextDecoderStream()).values();
  try {
    let port = 0;
    let buffered = "";
    while (port === 0) {
      const { value, done } = await lines.next();
      assert.ok(!done, "server exited before listening");
      buffered += value;
      const line = buffered.split("\n").find((l) => l.includes("listening on"));
      if (line !== undefined) port = Number(/:(\d+)\//.exec(JSON.parse(line).properties.url)![1]);
    }
    const status = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      await res.body?.cancel();
      return res.status;
    };
    for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
      assert.equal(await status(container[probe].httpGet.path), 200, probe);
    }
    server.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await status(container.readinessProbe.httpGet.path), 503, "draining");
    assert.equal(await status(container.livenessProbe.httpGet.path), 200, "still alive");
    assert.equal((await server.status).code, 0);
  } finally {
    try {
      server.kill("SIGKILL");
    } catch { /* exited */ }
    await server.status;
    for await (const _ of lines) { /* drain stdout */ }
  }
});

/** `Key=value` lines of a systemd unit, by section (a key may repeat). */
async function unit(path: string): Promise<Map<string, string[]>> {
  const keys = new Map<string, string[]>();
  let section = "";
  for (const raw of (await Deno.readTextFile(path)).split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const head = /^\[(.+)\]$/.exec(line);
    if (head !== null) {
      section = head[1]!;
      continue;
    }
    const eq = line.indexOf("=");
    assert.ok(eq > 0, `not key=value: ${line}`);
    const key = `${section}.${line.slice(0, eq).trim()}`;
    keys.set(key, [...(keys.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return keys;
}

Deno.test("the systemd unit is hardened and waits for the drain", async () => {
  const keys = await unit(`${ROOT}/deploy/systemd/rawhttp.service`);
  const get = (key: string) => keys.get(key)?.at(-1);
  for (
    const [key, value] of [
      ["Service.NoNewPrivileges", "yes"],
      ["Service.ProtectSystem", "strict"],
      ["Service.ProtectHome", "yes"],
      ["Service.PrivateTmp", "yes"],
      ["Service.RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"],
      ["Service.CapabilityBoundingSet", ""],
      // V8's JIT maps memory writable and executable.
      ["Service.MemoryDenyWriteExecute", "no"],
      ["Service.KillSignal", "SIGTERM"],
      ["Service.Restart", "on-failure"],
      ["Service.Type", "exec"],
    ] as const
  ) assert.equal(get(key), value, key);
  assert.ok(keys.get("Service.SystemCallFilter")?.includes("@system-service"));
  assert.ok(get("Service.DynamicUser") === "yes" || get("Service.User") !== undefined);
  const environment = (keys.get("Service.Environment") ?? []).join(" ");
  const envOf = Object.fromEntries(
    [...environment.matchAll(/"?([A-Z_]+)=([^"\s]*)"?/g)].map((m) => [m[1]!, m[2]!]),
  );
  // Every variable is Deno's or one of the program's settings (a misspelt one would be ignored).
  const known = new Set([...SETTINGS.map((s) => s.env), "DENO_DIR", "DENO_NO_UPDATE_CHECK"]);
  for (const name of Object.keys(envOf)) assert.ok(known.has(name), `unknown variable ${name}`);
  const result = loadConfig(envOf, []);
  assert.equal(result.kind, "config");
  if (result.kind !== "config") return;
  assert.equal(result.config.port, 8080, "the port docs/deploy.md gives");
  assert.ok(
    result.config.drainDelayMs > 0,
    "a drain delay, so a proxy in front stops routing first",
  );
  const stop = /^(\d+)s?$/.exec(get("Service.TimeoutStopSec") ?? "")!;
  assert.ok(
    Number(stop[1]) * 1000 > result.config.drainDelayMs + result.config.shutdownTimeoutMs,
    "TimeoutStopSec > DRAIN_DELAY + SHUTDOWN_TIMEOUT",
  );
  const exec = get("Service.ExecStart")!;
  assert.match(exec, /--cached-only/);
  // The permissions `deno task start` gives, reading limited to the checkout.
  for (const flag of [/--allow-net( |$)/, /--allow-env( |$)/, /--allow-read=\/opt\/rawhttp( |$)/]) {
    assert.match(exec, flag);
  }
  assert.match(exec, /--v8-flags=--expose-gc/);
  assert.match(exec, /src\/program\/main\.ts$/);
});

Deno.test({
  name: "systemd-analyze verify accepts the unit (ignored where systemd is not installed)",
  ignore: (await new Deno.Command("sh", { args: ["-c", "command -v systemd-analyze"] }).output())
    .code !== 0,
  fn: async () => {
    // The unit as installed here: this deno, this checkout for /opt/rawhttp.
    const dir = await Deno.makeTempDir();
    try {
      const text = (await Deno.readTextFile(`${ROOT}/deploy/systemd/rawhttp.service`))
        .replace("/usr/local/bin/deno", Deno.execPath())
        .replaceAll("/opt/rawhttp", ROOT.replace(/\/$/, ""));
      await Deno.writeTextFile(`${dir}/rawhttp.service`, text);
      const out = await new Deno.Command("systemd-analyze", {
        args: ["verify", `${dir}/rawhttp.service`],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const td = new TextDecoder();
      assert.equal(out.code, 0, td.decode(out.stderr) + td.decode(out.stdout));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
