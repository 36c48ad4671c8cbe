/**
 * HTTPS with `cert` and `key`, as `Deno.serve` takes them, tried with real
 * clients against a CA made in the test: Deno's fetch, curl, openssl s_client;
 * and what a client that does not speak TLS, or stalls in the handshake, costs.
 */

import assert from "node:assert/strict";
import type { LogRecord } from "@logtape/logtape";
import { serve } from "../../src/fetch/serve.ts";
import { Router } from "../../src/app/router.ts";
import { text } from "../../src/app/response.ts";
import { Server } from "../../src/server/server.ts";
import { capturingLogs } from "../fixtures/logs.ts";
import { makeCertificates, type TestCertificates } from "../fixtures/tls.ts";
import { runCommand } from "../fixtures/run_command.ts";

const certificates: Promise<TestCertificates> = makeCertificates();

/** A client's whole output, stdout then stderr. */
async function run(cmd: string, args: string[], stdin?: string): Promise<string> {
  const { stdout, stderr } = await runCommand(cmd, args, stdin);
  return stdout + stderr;
}

function warnings(records: LogRecord[]): string[] {
  return records.filter((r) => r.level === "warning").map((r) => r.message.join(""));
}

Deno.test("serve() with cert and key speaks HTTPS: fetch with the test CA, https URLs, kept-alive connections", async () => {
  const tls = await certificates;
  const urls: string[] = [];
  await using server = serve(
    { hostname: "127.0.0.1", port: 0, cert: tls.cert, key: tls.key, onListen() {} },
    (req) => {
      urls.push(req.url);
      return new Response("secure hello");
    },
  );
  assert.equal(server.server.scheme, "https");
  using client = Deno.createHttpClient({ caCerts: [tls.caCert] });
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`https://localhost:${server.addr.port}/a?b=${i}`, { client });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "secure hello");
  }
  assert.deepEqual(urls, [0, 1, 2].map((i) => `https://localhost:${server.addr.port}/a?b=${i}`));
  assert.equal(server.server.metrics.connections().accepted, 1, "one connection, kept alive");
});

Deno.test("curl verifies the certificate against the CA, and asking for HTTP/2 gets HTTP/1.1 (ALPN)", async () => {
  const tls = await certificates;
  const router = new Router().get("/", () => text("curl over tls"));
  const server = Server.listen(
    { hostname: "127.0.0.1", port: 0, cert: tls.cert, key: tls.key },
    router,
  );
  try {
    const url = `https://localhost:${server.addr.port}/`;
    const ok = await run("curl", [
      "-sS",
      "--http2",
      "--cacert",
      tls.caFile,
      "-w",
      "|%{http_version}",
      url,
    ]);
    assert.equal(ok, "curl over tls|1.1");
    const untrusted = await run("curl", ["-sS", url]);
    assert.match(untrusted, /certificate/i, "without the CA, curl refuses the certificate");
  } finally {
    await server.shutdown();
  }
});

Deno.test("openssl s_client offering h2 and http/1.1 is given http/1.1 by ALPN", async () => {
  const tls = await certificates;
  const server = Server.listen(
    { hostname: "127.0.0.1", port: 0, cert: tls.cert, key: tls.key },
    new Router().get("/", () => text("s_client")),
  );
  try {
    // -ign_eof: read until the server closes (the request asks it to).
    const out = await run("openssl", [
      "s_client",
      "-connect",
      `127.0.0.1:${server.addr.port}`,
      "-servername",
      "localhost",
      "-CAfile",
      tls.caFile,
      "-alpn",
      "h2,http/1.1",
      "-ign_eof",
      "-verify_return_error",
    ], "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assert.match(out, /ALPN protocol: http\/1\.1/);
    assert.match(out, /Verify return code: 0 \(ok\)/, "verified against the CA");
    assert.match(out, /HTTP\/1\.1 200 OK\r\n/);
    assert.match(out, /\r\n\r\ns_client/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("plain HTTP sent to the TLS port costs one warning line, and the server answers the next client", async () => {
  const tls = await certificates;
  await capturingLogs("warning", async (records) => {
    const server = Server.listen(
      { hostname: "127.0.0.1", port: 0, cert: tls.cert, key: tls.key },
      new Router().get("/", () => text("still here")),
    );
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
      await conn.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
      const buf = new Uint8Array(1024);
      let text = "";
      for (;;) {
        const n = await conn.read(buf).catch(() => null);
        if (n === null) break;
        text += new TextDecoder().decode(buf.subarray(0, n));
      }
      conn.close();
      assert.doesNotMatch(text, /still here/);
      using client = Deno.createHttpClient({ caCerts: [tls.caCert] });
      const res = await fetch(`https://localhost:${server.addr.port}/`, { client });
      assert.equal(await res.text(), "still here");
    } finally {
      await server.shutdown();
    }
    const lines = warnings(records);
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.match(lines[0]!, /^TLS handshake with 127\.0\.0\.1:\d+ failed: /);
  });
});

Deno.test("a client that opens TLS and stalls is given up at CLIENT_TIMEOUT: closed, uncounted, one warning", async () => {
  const tls = await certificates;
  const gaveUp = Promise.withResolvers<void>();
  await capturingLogs("warning", async (records) => {
    const server = Server.listen(
      { hostname: "127.0.0.1", port: 0, cert: tls.cert, key: tls.key, clientTimeoutMs: 100 },
      new Router().get("/", () => text("x")),
    );
    // Half a ClientHello's record header: the handshake can never finish.
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    try {
      await conn.write(new Uint8Array([0x16, 0x03, 0x01]));
      await gaveUp.promise;
      assert.equal(server.metrics.connections().open, 0);
      // Deno's TLS stream keeps the TCP socket until this client leaves, also
      // after the close (docs/robustness.md): the client sees no FIN yet.
    } finally {
      conn.close();
      await server.shutdown();
    }
    const lines = warnings(records);
    assert.equal(lines.length, 1, lines.join("\n"));
  }, (record) => {
    if (record.level === "warning" && /TLS handshake/.test(record.message.join(""))) {
      gaveUp.resolve();
    }
  });
});

Deno.test("a certificate or key that does not parse fails serve() at once, before it listens", async () => {
  const tls = await certificates;
  assert.throws(() =>
    serve(
      {
        port: 0,
        cert: "-----BEGIN CERTIFICATE-----\nbad\n-----END CERTIFICATE-----\n",
        key: tls.key,
      },
      () => new Response(""),
    )
  );
  assert.throws(() => serve({ port: 0, cert: tls.cert, key: tls.cert }, () => new Response("")));
});

Deno.test("a flood of failed handshakes costs a line a second, not one per connection", async () => {
  const tls = await certificates;
  await capturingLogs("warning", async (records) => {
    const server = Server.listen(
      { hostname: "127.0.0.1", port: 0, cert: tls.cert, key: tls.key },
      new Router().get("/", () => text("x")),
    );
    try {
      for (let i = 0; i < 20; i++) {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
        await conn.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
        await conn.read(new Uint8Array(64)).catch(() => null); // the server's alert, or its close
        conn.close();
      }
    } finally {
      await server.shutdown();
    }
    const lines = warnings(records);
    assert.ok(lines.length >= 1 && lines.length < 20, `${lines.length} lines`);
  });
});
