import assert from "node:assert/strict";
import type { Config, ConfigResult, Setting } from "../../src/program/settings.ts";
import { defaultConfig, flagOf, loadConfig, SETTINGS, usage } from "../../src/program/settings.ts";
import { LOG_FORMATS, LOG_LEVELS } from "../../src/server/log.ts";

type Env = Record<string, string | undefined>;

function ok(result: ConfigResult): Config {
  assert.equal(result.kind, "config", `expected a config, got ${JSON.stringify(result)}`);
  return (result as Extract<ConfigResult, { kind: "config" }>).config;
}

/** Asserts an error value whose message is one non-empty line, and returns the message. */
function error(result: ConfigResult): string {
  assert.equal(result.kind, "error", `expected an error, got ${JSON.stringify(result)}`);
  const message = (result as Extract<ConfigResult, { kind: "error" }>).message;
  assert.ok(message.length > 0);
  assert.ok(!/[\r\n]/.test(message), `message is not one line: ${JSON.stringify(message)}`);
  return message;
}

function setting(env: string): Setting {
  const s = SETTINGS.find((each) => each.env === env);
  assert.ok(s !== undefined, env);
  return s;
}

Deno.test("loadConfig() with no env and no args gives the defaults", () => {
  const config = ok(loadConfig({}, []));
  assert.deepEqual(config, defaultConfig());
  assert.equal(config.host, "0.0.0.0");
  assert.equal(config.port, 8080);
  assert.equal(config.numWorkers, 10);
  assert.equal(config.clientTimeoutMs, 5000);
  assert.equal(config.recvBufferBytes, 4096);
  assert.equal(config.maxRequestLineBytes, 8192);
  assert.equal(config.maxHeadBytes, 16384);
  assert.equal(config.maxBodyBytes, 1024 * 1024);
  assert.equal(config.logLevel, "info");
  assert.equal(config.logFormat, "text");
  assert.equal(config.wwwDir, "");
});

Deno.test("defaultConfig() has a value for every setting, within its own bounds", () => {
  const config = defaultConfig() as unknown as Record<string, unknown>;
  assert.equal(Object.keys(config).length, SETTINGS.length);
  for (const s of SETTINGS) {
    const value = config[s.key];
    assert.equal(value, s.default, s.env);
    if (typeof value === "number") {
      assert.ok(value >= (s.min ?? 0) && value <= (s.max ?? Infinity), s.env);
    }
    if (s.choices !== undefined) assert.ok(s.choices.includes(String(value)), s.env);
  }
});

Deno.test("SETTINGS names each setting once, by key, env var and flag", () => {
  const keys = new Set(SETTINGS.map((s) => s.key));
  const envs = new Set(SETTINGS.map((s) => s.env));
  const flags = new Set(SETTINGS.map(flagOf));
  assert.equal(keys.size, SETTINGS.length);
  assert.equal(envs.size, SETTINGS.length);
  assert.equal(flags.size, SETTINGS.length);
  for (const s of SETTINGS) {
    assert.match(s.env, /^[A-Z][A-Z0-9_]*$/);
    assert.ok(s.doc.length > 0, s.env);
  }
});

Deno.test("loadConfig() reads values from the environment", () => {
  const config = ok(loadConfig({
    HOST: "127.0.0.1",
    PORT: "9000",
    NUM_WORKERS: "4",
    CLIENT_TIMEOUT: "7",
    RECV_BUFFER: "8KiB",
    LOG_LEVEL: "debug",
    LOG_FORMAT: "json",
    WWW_DIR: "/srv/www",
  }, []));
  assert.equal(config.host, "127.0.0.1");
  assert.equal(config.port, 9000);
  assert.equal(config.numWorkers, 4);
  assert.equal(config.clientTimeoutMs, 7000);
  assert.equal(config.recvBufferBytes, 8192);
  assert.equal(config.logLevel, "debug");
  assert.equal(config.logFormat, "json");
  assert.equal(config.wwwDir, "/srv/www");
});

Deno.test("loadConfig() ignores unknown and undefined environment variables", () => {
  const config = ok(loadConfig({ PATH: "/usr/bin", PORT: undefined, UNRELATED: "x" }, []));
  assert.deepEqual(config, defaultConfig());
});

Deno.test("loadConfig() lets flags override the environment", () => {
  const config = ok(
    loadConfig({ PORT: "9000", NUM_WORKERS: "4" }, ["--port", "9100", "--num-workers=8"]),
  );
  assert.equal(config.port, 9100);
  assert.equal(config.numWorkers, 8);
});

Deno.test("loadConfig() lets a good flag replace a bad env value (only the winner is checked)", () => {
  assert.equal(ok(loadConfig({ PORT: "abc" }, ["--port", "9000"])).port, 9000);
});

Deno.test("loadConfig() accepts --port=9000 and --port 9000 alike", () => {
  assert.equal(ok(loadConfig({}, ["--port=9000"])).port, 9000);
  assert.equal(ok(loadConfig({}, ["--port", "9000"])).port, 9000);
  // A later flag wins over an earlier one.
  assert.equal(ok(loadConfig({}, ["--port=1", "--port", "2"])).port, 2);
});

Deno.test("loadConfig() keeps everything after the first = as the flag value", () => {
  assert.equal(ok(loadConfig({}, ["--www-dir=/a=b"])).wwwDir, "/a=b");
});

Deno.test("loadConfig() trims spaces around a value", () => {
  assert.equal(ok(loadConfig({ PORT: " 9000 " }, [])).port, 9000);
});

Deno.test("loadConfig() answers help for --help and -h", () => {
  assert.deepEqual(loadConfig({}, ["--help"]), { kind: "help" });
  assert.deepEqual(loadConfig({}, ["-h"]), { kind: "help" });
  assert.deepEqual(loadConfig({ PORT: "abc" }, ["--port", "1", "--help"]), { kind: "help" });
});

Deno.test("loadConfig() gives a one-line error for each bad value", () => {
  const cases: Array<[Env, string[], RegExp]> = [
    [{ PORT: "abc" }, [], /PORT="abc"/],
    [{ PORT: "70000" }, [], /PORT="70000"/],
    [{ PORT: "-1" }, [], /PORT="-1"/],
    [{ PORT: "80.5" }, [], /PORT/],
    [{ NUM_WORKERS: "0" }, [], /NUM_WORKERS="0"/],
    [{ CLIENT_TIMEOUT: "abc" }, [], /CLIENT_TIMEOUT="abc"/],
    [{ CLIENT_TIMEOUT: "5m" }, [], /CLIENT_TIMEOUT/],
    [{ RECV_BUFFER: "4GB" }, [], /RECV_BUFFER/],
    [{ LOG_LEVEL: "loud" }, [], /LOG_LEVEL="loud".*debug, info, warning, error/],
    [{ LOG_FORMAT: "xml" }, [], /LOG_FORMAT="xml".*text, json/],
    [{}, ["--bogus"], /unknown argument "--bogus"/],
    [{}, ["serve"], /unknown argument "serve"/],
    [{}, ["--port"], /--port needs a value/],
    [{}, ["--port=abc"], /--port="abc"/],
    [{}, ["--port="], /--port=""/],
    [{ MAX_REQUEST_LINE_BYTES: "32KiB" }, [], /MAX_REQUEST_LINE_BYTES.*MAX_HEADER_BYTES/],
    [{}, ["--max-header-bytes", "4KiB"], /MAX_REQUEST_LINE_BYTES.*MAX_HEADER_BYTES/],
  ];
  for (const [env, args, pattern] of cases) {
    const message = error(loadConfig(env, args));
    assert.match(message, pattern, JSON.stringify({ env, args }));
  }
});

Deno.test("loadConfig() names the flag, not the env var, when a flag value is bad", () => {
  const message = error(loadConfig({}, ["--num-workers", "0"]));
  assert.match(message, /^invalid --num-workers="0"/);
  assert.match(message, /from 1 to 100000/);
});

Deno.test("loadConfig() allows MAX_REQUEST_LINE_BYTES equal to MAX_HEADER_BYTES", () => {
  const config = ok(loadConfig({ MAX_REQUEST_LINE_BYTES: "16KiB", MAX_HEADER_BYTES: "16384" }, []));
  assert.equal(config.maxRequestLineBytes, config.maxHeadBytes);
});

Deno.test("loadConfig() reads durations: a bare number is seconds, or ms / s", () => {
  const cases: Array<[string, number]> = [
    ["5", 5000],
    ["5s", 5000],
    ["250ms", 250],
    ["1.5", 1500],
    ["0.25s", 250],
    ["3600", 3_600_000],
  ];
  for (const [value, ms] of cases) {
    assert.equal(ok(loadConfig({ CLIENT_TIMEOUT: value }, [])).clientTimeoutMs, ms, value);
  }
});

Deno.test("loadConfig() reads sizes: a bare number is bytes, or KiB / MiB", () => {
  assert.equal(ok(loadConfig({ MAX_HEADER_BYTES: "16KiB" }, [])).maxHeadBytes, 16384);
  assert.equal(ok(loadConfig({ MAX_BODY_BYTES: "1MiB" }, [])).maxBodyBytes, 1_048_576);
  assert.equal(ok(loadConfig({ MAX_BODY_BYTES: "100" }, [])).maxBodyBytes, 100);
  assert.equal(ok(loadConfig({ MAX_BODY_BYTES: "0" }, [])).maxBodyBytes, 0);
});

/** A value of `n` (in the setting's own unit) as text the parser reads exactly. */
function spell(s: Setting, n: number): string {
  return s.kind === "duration" ? `${n}ms` : String(n);
}

/**
 * An environment where the tested setting alone decides: the head limits are
 * opened up so the request-line ≤ head cross-check never interferes.
 */
function isolatedEnv(s: Setting, value: string): Env {
  return { MAX_HEADER_BYTES: "16MiB", MAX_REQUEST_LINE_BYTES: "16", [s.env]: value };
}

Deno.test("loadConfig() accepts min and max and refuses min-1 and max+1, for every numeric setting", () => {
  const numeric = SETTINGS.filter((s) => s.min !== undefined && s.max !== undefined);
  assert.ok(numeric.length >= 15);
  for (const s of numeric) {
    const min = s.min!;
    const max = s.max!;
    for (const n of [min, max]) {
      const config = ok(loadConfig(isolatedEnv(s, spell(s, n)), [])) as unknown as Record<
        string,
        unknown
      >;
      assert.equal(config[s.key], n, `${s.env}=${n}`);
      // The flag form reads the same value.
      const viaFlag = ok(loadConfig(isolatedEnv(s, spell(s, s.default as number)), [
        `${flagOf(s)}=${spell(s, n)}`,
      ])) as unknown as Record<string, unknown>;
      assert.equal(viaFlag[s.key], n, `${flagOf(s)}=${n}`);
    }
    const above = error(loadConfig(isolatedEnv(s, spell(s, max + 1)), []));
    assert.match(above, new RegExp(`^invalid ${s.env}=`), `${s.env}=${max + 1}`);
    if (min > 0) {
      const below = error(loadConfig(isolatedEnv(s, spell(s, min - 1)), []));
      assert.match(below, new RegExp(`^invalid ${s.env}=`), `${s.env}=${min - 1}`);
    }
  }
});

Deno.test("loadConfig() accepts every listed choice and nothing else, for every choice setting", () => {
  const choices = SETTINGS.filter((s) => s.kind === "choice");
  assert.deepEqual(choices.map((s) => s.env), [
    "LOG_LEVEL",
    "LOG_FORMAT",
    "REQUEST_ID_HEADER",
    "STATIC_COMPRESS",
  ]);
  assert.deepEqual(setting("LOG_LEVEL").choices, LOG_LEVELS);
  assert.deepEqual(setting("LOG_FORMAT").choices, LOG_FORMATS);
  for (const s of choices) {
    for (const choice of s.choices!) {
      const config = ok(loadConfig({ [s.env]: choice }, [])) as unknown as Record<string, unknown>;
      assert.equal(config[s.key], choice);
    }
    error(loadConfig({ [s.env]: s.choices![0]!.toUpperCase() }, []));
    error(loadConfig({ [s.env]: "" }, []));
  }
});

Deno.test("flagOf() turns an env var name into a lower-case kebab flag", () => {
  assert.equal(flagOf(setting("PORT")), "--port");
  assert.equal(flagOf(setting("NUM_WORKERS")), "--num-workers");
  assert.equal(flagOf(setting("MAX_REQUEST_LINE_BYTES")), "--max-request-line-bytes");
  for (const s of SETTINGS) assert.match(flagOf(s), /^--[a-z][a-z0-9-]*$/);
});

Deno.test("usage() mentions every env var and every flag", () => {
  const text = usage();
  for (const s of SETTINGS) {
    assert.ok(text.includes(s.env), s.env);
    assert.ok(text.includes(flagOf(s)), flagOf(s));
  }
  assert.match(text, /^Usage: rawhttp/);
  assert.ok(text.endsWith("\n"));
});

Deno.test("LISTENERS (listener threads) still answers to its former name WORKERS, as env var and flag", () => {
  assert.equal(ok(loadConfig({ LISTENERS: "3" }, [])).listeners, 3);
  assert.equal(ok(loadConfig({ WORKERS: "3" }, [])).listeners, 3);
  assert.equal(ok(loadConfig({}, ["--workers", "2"])).listeners, 2);
  assert.equal(ok(loadConfig({}, ["--listeners=2"])).listeners, 2);
  // a flag beats either env var, as for every setting
  assert.equal(ok(loadConfig({ WORKERS: "3" }, ["--listeners", "2"])).listeners, 2);
  assert.match(error(loadConfig({ WORKERS: "0" }, [])), /^invalid WORKERS="0"/);
  assert.match(error(loadConfig({}, ["--workers", "0"])), /^invalid --workers="0"/);
});

Deno.test("LISTENERS and its former name WORKERS with different values are refused, not one silently ignored", () => {
  assert.match(
    error(loadConfig({ LISTENERS: "2", WORKERS: "3" }, [])),
    /LISTENERS or WORKERS, not both/,
  );
  // the same value under both names says the same thing; a flag settles a difference
  assert.equal(ok(loadConfig({ LISTENERS: "2", WORKERS: "2" }, [])).listeners, 2);
  assert.equal(ok(loadConfig({ LISTENERS: "2", WORKERS: "3" }, ["--listeners", "1"])).listeners, 1);
  assert.match(
    error(loadConfig({}, ["--listeners", "2", "--workers", "2"])),
    /--listeners or --workers, not both/,
  );
  // the same flag twice is not a conflict: the last wins, as before
  assert.equal(ok(loadConfig({}, ["--listeners", "2", "--listeners", "3"])).listeners, 3);
  assert.match(usage(), /--listeners\s+LISTENERS, default 1 \(formerly WORKERS, --workers\)/);
});

Deno.test("loadConfig() takes TLS files in pairs, and a Unix socket alone with one listener", () => {
  const refused: Array<[Record<string, string>, RegExp]> = [
    [{ TLS_CERT_FILE: "c.pem" }, /TLS needs both TLS_CERT_FILE and TLS_KEY_FILE/],
    [{ TLS_KEY_FILE: "k.pem" }, /TLS needs both TLS_CERT_FILE and TLS_KEY_FILE/],
    [
      { UNIX_SOCKET: "/s", TLS_CERT_FILE: "c.pem", TLS_KEY_FILE: "k.pem" },
      /UNIX_SOCKET and TLS cannot go together/,
    ],
    [{ UNIX_SOCKET: "/s", LISTENERS: "2" }, /UNIX_SOCKET takes one listener/],
  ];
  for (const [env, message] of refused) {
    const result = loadConfig(env, []);
    assert.equal(result.kind, "error", JSON.stringify(env));
    assert.match((result as { message: string }).message, message);
  }
  const tls = ok(loadConfig({}, ["--tls-cert-file", "c.pem", "--tls-key-file", "k.pem"]));
  assert.equal(tls.tlsCertFile, "c.pem");
  assert.equal(tls.tlsKeyFile, "k.pem");
  assert.equal(ok(loadConfig({ UNIX_SOCKET: "/run/r.sock" }, [])).unixSocket, "/run/r.sock");
});

Deno.test("loadConfig() takes LOG_LEVEL=warn as warning, and --version as a request for the version", () => {
  assert.equal(ok(loadConfig({ LOG_LEVEL: "warn" }, [])).logLevel, "warning");
  assert.equal(ok(loadConfig({}, ["--log-level", "warn"])).logLevel, "warning");
  assert.equal(loadConfig({ LOG_LEVEL: "warnings" }, []).kind, "error");
  assert.equal(loadConfig({}, ["--version"]).kind, "version");
  assert.equal(loadConfig({}, ["-V"]).kind, "version");
});
