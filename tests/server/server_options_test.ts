/** Tests for the check of Server.listen's options (src/server/server_options.ts). */

import assert from "node:assert/strict";
import {
  checkOptions,
  DEFAULT_HOSTNAME,
  DEFAULT_PORT,
  definedLimits,
  type ServerOptions,
} from "../../src/server/server_options.ts";
import { LIMITS } from "../../src/protocol/limits.ts";

Deno.test("DEFAULT_HOSTNAME and DEFAULT_PORT are every interface and 8080", () => {
  assert.equal(DEFAULT_HOSTNAME, "0.0.0.0");
  assert.equal(DEFAULT_PORT, 8080);
});

Deno.test("definedLimits() keeps the limits given, and leaves out undefined ones and other options", () => {
  const options = {
    maxHeadBytes: 4096,
    maxBodyBytes: undefined,
    hostname: "127.0.0.1",
    port: 0,
  } as unknown as ServerOptions;
  assert.deepEqual(definedLimits(options), { maxHeadBytes: 4096 });
  assert.deepEqual(definedLimits({}), {});
});

Deno.test("definedLimits() knows every limit of the LIMITS table", () => {
  const all = Object.fromEntries(Object.keys(LIMITS).map((name, i) => [name, i + 1]));
  assert.deepEqual(definedLimits(all as ServerOptions), all);
});

Deno.test("checkOptions() accepts every option Server.listen acts on, and undefined for any name", () => {
  const defaults = Object.fromEntries(
    Object.entries(LIMITS).map(([name, limit]) => [name, limit.default]),
  );
  checkOptions({ ...defaults, hostname: "::", port: 65535, reusePort: true } as ServerOptions);
  checkOptions({ port: 0 });
  checkOptions({ cert: undefined } as unknown as ServerOptions);
});

Deno.test("checkOptions() refuses an unknown option with a TypeError naming it and the caller", () => {
  assert.throws(
    () => checkOptions({ maxHeadByte: 1 } as unknown as ServerOptions),
    { name: "TypeError", message: 'Server.listen(): unsupported option "maxHeadByte"' },
  );
  assert.throws(
    () => checkOptions({ onListen: () => {} } as unknown as ServerOptions, "serve()"),
    { name: "TypeError", message: 'serve(): unsupported option "onListen"' },
  );
});

Deno.test("checkOptions() takes one listener's options: TCP, TLS over TCP or a Unix socket", () => {
  const PEM = "-----BEGIN X-----\n";
  const refused: Array<[Record<string, unknown>, RegExp]> = [
    [{ cert: PEM }, /TLS needs both cert and key/],
    [{ key: PEM }, /TLS needs both cert and key/],
    [{ cert: "x", key: PEM }, /cert must be a PEM string/],
    [{ cert: PEM, key: PEM, keyFormat: "der" }, /keyFormat must be "pem", with cert and key/],
    [{ keyFormat: "pem" }, /keyFormat must be "pem", with cert and key/],
    [{ transport: "udp" }, /transport must be "tcp" or "unix"/],
    [{ transport: "vsock" }, /VSOCK is not supported/],
    [{ transport: "unix" }, /transport "unix" needs a path/],
    [{ path: "" }, /path must be a non-empty string/],
    [{ path: "/s", transport: "tcp" }, /path needs transport "unix"/],
    [{ path: "/s", hostname: "a" }, /hostname is for TCP/],
    [{ path: "/s", cert: PEM, key: PEM }, /cert is for TCP/],
  ];
  for (const [options, message] of refused) {
    assert.throws(
      () => checkOptions(options as unknown as ServerOptions),
      (e: unknown) => e instanceof TypeError && message.test(e.message),
      JSON.stringify(options),
    );
  }
  for (
    const options of [
      { transport: "tcp" },
      { path: "/s" },
      { path: "/s", transport: "unix" },
      { cert: PEM, key: PEM, keyFormat: "pem" },
      { tcpBacklog: 1 },
      { tcpBacklog: 65535 },
    ]
  ) checkOptions(options as unknown as ServerOptions);
  assert.throws(() => checkOptions({ tcpBacklog: 0 }), RangeError);
  assert.throws(() => checkOptions({ tcpBacklog: 65536 }), RangeError);
});

Deno.test("checkOptions() accepts the caller's own options named in `also`", () => {
  checkOptions({ onListen: () => {} } as unknown as ServerOptions, "serve()", ["onListen"]);
});

Deno.test("checkOptions() refuses a limit out of its range with a RangeError", () => {
  assert.throws(() => checkOptions({ maxHeadBytes: -1 }), RangeError);
  assert.throws(() => checkOptions({ maxHeadBytes: 1.5 }), RangeError);
});

Deno.test("checkOptions() refuses a port that is not an integer from 0 to 65535", () => {
  for (const port of [-1, 65536, 80.5, NaN]) {
    assert.throws(() => checkOptions({ port }), {
      name: "RangeError",
      message: "port must be an integer from 0 to 65535",
    }, `${port}`);
  }
  checkOptions({ port: 0 });
  checkOptions({ port: 65535 });
});
