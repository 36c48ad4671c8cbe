/** Tests for the container's HEALTHCHECK probe (src/program/healthcheck.ts). */

import assert from "node:assert/strict";
import { healthUrl, probe } from "../../src/program/healthcheck.ts";
import { runProbe as run } from "../fixtures/probe.ts";
import { makeCertificates } from "../fixtures/tls.ts";
import { Router } from "../../src/app/router.ts";
import { json } from "../../src/app/response.ts";
import { Server } from "../../src/server/server.ts";

/** A loopback server answering every request with `handler`, closed by `await using`. */
function serveWith(handler: () => Response | Promise<Response>) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  return {
    port: server.addr.port,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** A loopback port nothing listens on. */
function closedPort(): number {
  using spare = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  return spare.addr.port;
}

Deno.test("healthUrl() asks a wildcard address on the loopback of its family", () => {
  assert.equal(healthUrl("0.0.0.0", 8080), "http://127.0.0.1:8080/health");
  assert.equal(healthUrl("", 8080), "http://127.0.0.1:8080/health");
  assert.equal(healthUrl("::", 9000), "http://[::1]:9000/health");
  assert.equal(healthUrl("[::]", 9000), "http://[::1]:9000/health");
});

Deno.test("healthUrl() asks a named address itself, bracketing a bare IPv6 one", () => {
  assert.equal(healthUrl("10.0.0.5", 80), "http://10.0.0.5:80/health");
  assert.equal(healthUrl("localhost", 1), "http://localhost:1/health");
  assert.equal(healthUrl("fe80::1", 8080), "http://[fe80::1]:8080/health");
  assert.equal(healthUrl("[fe80::1]", 8080), "http://[fe80::1]:8080/health");
});

Deno.test("probe() is true only for a 200 whose JSON says status ok", async () => {
  await using ok = serveWith(() => Response.json({ status: "ok", uptime: 1 }));
  assert.equal(await probe(`http://127.0.0.1:${ok.port}/health`, 2000), true);
  await using draining = serveWith(() => Response.json({ status: "ok" }, { status: 503 }));
  assert.equal(await probe(`http://127.0.0.1:${draining.port}/health`, 2000), false);
  await using other = serveWith(() => Response.json({ status: "starting" }));
  assert.equal(await probe(`http://127.0.0.1:${other.port}/health`, 2000), false);
  await using html = serveWith(() => new Response("<html>ok</html>"));
  assert.equal(await probe(`http://127.0.0.1:${html.port}/health`, 2000), false);
});

Deno.test("probe() is false, never a throw, when nothing answers or the answer is too slow", async () => {
  assert.equal(await probe(`http://127.0.0.1:${closedPort()}/health`, 2000), false);
  let release!: () => void;
  const held = new Promise<void>((r) => release = r);
  await using slow = serveWith(async () => {
    await held;
    return Response.json({ status: "ok" });
  });
  const started = performance.now();
  assert.equal(await probe(`http://127.0.0.1:${slow.port}/health`, 50), false);
  assert.ok(performance.now() - started < 1500, "gave up after its timeout");
  release();
});

Deno.test("healthcheck.ts exits 0 when healthy, 1 when not, 2 for a bad setting", async () => {
  await using ok = serveWith(() => Response.json({ status: "ok" }));
  const [healthy, flag, down, badPort, badTimeout] = await Promise.all([
    run({ HOST: "127.0.0.1", PORT: String(ok.port) }),
    run({ PORT: "1" }, ["--host", "127.0.0.1", "--port", String(ok.port)]),
    run({ HOST: "127.0.0.1", PORT: String(closedPort()) }),
    run({ PORT: "abc" }),
    run({ PORT: String(ok.port), HEALTHCHECK_TIMEOUT_MS: "0" }),
  ]);
  assert.deepEqual([healthy, flag, down, badPort, badTimeout], [0, 0, 1, 2, 2]);
});

Deno.test("the probe asks a TLS server as https://localhost, trusting TLS_CERT_FILE, and a Unix socket at UNIX_SOCKET", async () => {
  const tls = await makeCertificates();
  // A self-signed certificate for localhost, as a container would make for itself.
  const self = `${tls.dir}/self.pem`;
  const selfKey = `${tls.dir}/self.key`;
  await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      selfKey,
      "-out",
      self,
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost",
      "-addext",
      "basicConstraints=critical,CA:FALSE",
    ],
    stdout: "null",
    stderr: "null",
  }).output();
  const health = new Router().get("/health", () => json({ status: "ok" }));
  const https = Server.listen({
    hostname: "127.0.0.1",
    port: 0,
    cert: await Deno.readTextFile(self),
    key: await Deno.readTextFile(selfKey),
  }, health);
  const path = `${tls.dir}/probe.sock`;
  const unix = Server.listen({ path }, health);
  try {
    const env = { TLS_CERT_FILE: self, TLS_KEY_FILE: selfKey };
    assert.equal(await run({ ...env, PORT: String(https.addr.port) }), 0);
    assert.equal(await run({ PORT: String(https.addr.port) }), 1, "plain HTTP to the TLS port");
    assert.equal(await run({ UNIX_SOCKET: path }), 0);
  } finally {
    await Promise.all([https.shutdown(), unix.shutdown()]);
  }
});

Deno.test("healthUrl() asks a TLS server on a wildcard or loopback address as localhost", () => {
  assert.equal(healthUrl("0.0.0.0", 8443, "https"), "https://localhost:8443/health");
  assert.equal(healthUrl("127.0.0.1", 8443, "https"), "https://localhost:8443/health");
  assert.equal(healthUrl("10.0.0.5", 443, "https"), "https://10.0.0.5:443/health");
});
