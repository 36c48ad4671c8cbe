import assert from "node:assert/strict";
import { defaultExportOf, parseArgs } from "../../src/program/serve_module.ts";

const SCRIPT = new URL("../../src/program/serve_module.ts", import.meta.url).pathname;

Deno.test("parseArgs() takes deno serve's --port and --host and one module", () => {
  assert.deepEqual(parseArgs(["app.ts"]), { module: "app.ts", port: 8000, hostname: "0.0.0.0" });
  assert.deepEqual(parseArgs(["--port", "9000", "--host=127.0.0.1", "app.ts"]), {
    module: "app.ts",
    port: 9000,
    hostname: "127.0.0.1",
  });
  assert.deepEqual(parseArgs(["--port=0", "--hostname", "::1", "a.ts"]), {
    module: "a.ts",
    port: 0,
    hostname: "::1",
  });
  for (
    const bad of [[], ["--port"], ["--port", "x", "a.ts"], ["--port", "65536", "a.ts"], [
      "-x",
      "a.ts",
    ], ["a.ts", "b.ts"]]
  ) {
    assert.ok("error" in parseArgs(bad), JSON.stringify(bad));
  }
});

Deno.test("defaultExportOf() wants export default { fetch }", () => {
  const fetch = () => new Response("");
  assert.equal(typeof defaultExportOf({ default: { fetch } }), "object");
  assert.match(defaultExportOf({}) as string, /no default export/);
  assert.match(defaultExportOf({ default: { handler: fetch } }) as string, /no fetch\(\) function/);
});

Deno.test("deno task serve runs a deno serve module (export default { fetch }) and stops on SIGTERM", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/app.ts`,
    `export default { fetch(req: Request) { return new Response("deno serve style " + new URL(req.url).pathname); } };\n`,
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-import",
      SCRIPT,
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "app.ts",
    ],
    cwd: dir,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let out = "";
    while (!out.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    const port = /Listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(out)?.[1];
    assert.ok(port !== undefined, out);
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/x`)).text(), "deno serve style /x");
    child.kill("SIGTERM");
    assert.equal((await child.status).code, 0);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* ended already */ }
    await reader.cancel();
    await child.status;
  }
});
