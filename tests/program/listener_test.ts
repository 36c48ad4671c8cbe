import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { defaultConfig } from "../../src/program/settings.ts";
import { startListener } from "../../src/program/listener.ts";
import { exchange } from "../fixtures/harness.ts";
import { makeCertificates } from "../fixtures/tls.ts";

const config = {
  ...defaultConfig(),
  host: "127.0.0.1",
  wwwDir: fileURLToPath(new URL("../../www", import.meta.url)),
};

Deno.test("startListener() serves the demo app on its own pool and counters", async () => {
  const server = startListener(config, { startedAt: performance.now(), port: 0, reusePort: false });
  const res = await exchange(
    (server.addr as Deno.NetAddr).port,
    "GET /api/hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
  );
  assert.equal(res.status, 200);
  assert.equal(server.metrics.snapshot().requests_total, 1);
  assert.equal(server.pool.size, config.numWorkers);
  await server.shutdown();
});

Deno.test("startListener() with reusePort lets a second listener bind the same port; without, it cannot", async () => {
  const options = { startedAt: performance.now(), reusePort: true };
  const first = startListener(config, { ...options, port: 0 });
  const second = startListener(config, { ...options, port: (first.addr as Deno.NetAddr).port });
  assert.equal((second.addr as Deno.NetAddr).port, (first.addr as Deno.NetAddr).port);
  assert.throws(
    () =>
      startListener(config, {
        ...options,
        reusePort: false,
        port: (first.addr as Deno.NetAddr).port,
      }),
    Deno.errors.AddrInUse,
  );
  await Promise.all([first.shutdown(), second.shutdown()]);
});

Deno.test("startListener() gives /metrics the report function it is handed", async () => {
  const server = startListener(config, {
    startedAt: performance.now(),
    port: 0,
    reusePort: false,
    metricsReport: () => Promise.reject(new Error("asked the cluster")),
  });
  // The function was used: its failure is this handler's 500.
  const res = await exchange(
    (server.addr as Deno.NetAddr).port,
    "GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
  );
  assert.equal(res.status, 500);
  await server.shutdown();
});

Deno.test("startListener() with TLS_CERT_FILE and TLS_KEY_FILE serves HTTPS", async () => {
  const tls = await makeCertificates();
  const server = startListener(
    { ...config, tlsCertFile: tls.certFile, tlsKeyFile: tls.keyFile },
    { startedAt: performance.now(), port: 0, reusePort: false },
  );
  try {
    assert.equal(server.scheme, "https");
    using client = Deno.createHttpClient({ caCerts: [tls.caCert] });
    const port = (server.addr as Deno.NetAddr).port;
    const res = await fetch(`https://localhost:${port}/api/hello`, { client });
    assert.equal(res.status, 200);
    await res.body?.cancel();
  } finally {
    await server.shutdown();
  }
});

Deno.test("startListener() with UNIX_SOCKET listens on the socket, not on HOST and PORT", async () => {
  const path = `${await Deno.makeTempDir()}/rawhttp.sock`;
  const server = startListener(
    { ...config, unixSocket: path },
    { startedAt: performance.now(), port: 0, reusePort: false },
  );
  try {
    assert.deepEqual(server.addr, { transport: "unix", path });
    using client = Deno.createHttpClient({ proxy: { transport: "unix", path } });
    const res = await fetch("http://localhost/api/hello", { client });
    assert.equal(res.status, 200);
    await res.body?.cancel();
  } finally {
    await server.shutdown();
  }
});

Deno.test("startListener() with a certificate file that cannot be read throws before it listens", () => {
  assert.throws(
    () =>
      startListener(
        { ...config, tlsCertFile: "/nonexistent/cert.pem", tlsKeyFile: "/nonexistent/key.pem" },
        { startedAt: performance.now(), port: 0, reusePort: false },
      ),
    Deno.errors.NotFound,
  );
});

Deno.test("startListener() with REQUEST_ID_HEADER, STATIC_CACHE_CONTROL and STATIC_COMPRESS answers with each", async () => {
  const server = startListener(
    {
      ...config,
      requestIdHeader: "on",
      staticCacheControl: "public, max-age=60",
      staticCompress: "on",
    },
    { startedAt: performance.now(), port: 0, reusePort: false },
  );
  try {
    const port = (server.addr as Deno.NetAddr).port;
    const hello = await fetch(`http://127.0.0.1:${port}/api/hello`, {
      headers: { "x-request-id": "op-7" },
    });
    assert.equal(hello.headers.get("x-request-id"), "op-7");
    await hello.body?.cancel();
    const about = await fetch(`http://127.0.0.1:${port}/about`, {
      headers: { "accept-encoding": "gzip" },
    });
    assert.equal(about.headers.get("cache-control"), "public, max-age=60");
    assert.equal(
      about.headers.get("content-encoding"),
      "gzip",
      "www/index.html, compressed as sent",
    );
    assert.match(await about.text(), /<html/i, "fetch decodes it");
  } finally {
    await server.shutdown();
  }
});
