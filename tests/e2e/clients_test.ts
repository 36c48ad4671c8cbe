/**
 * Real clients against the server: curl (connection reuse, chunked upload,
 * HTTP/1.0), Python's http.client and Deno's fetch. A client that is not
 * installed fails the test with a message saying so, rather than skipping.
 */

import assert from "node:assert/strict";
import { startServer } from "../fixtures/harness.ts";
import { runCommand } from "../fixtures/run_command.ts";

const run = runCommand;

Deno.test("curl reuses one connection across several URLs", async () => {
  await using s = startServer();
  const r = await run("curl", ["-sv", `${s.url}/`, `${s.url}/hello`, `${s.url}/hello?x=2`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'home{"path":"/hello","query":""}{"path":"/hello","query":"x=2"}');
  assert.match(r.stderr, /Re-using existing connection|Reusing existing/);
  assert.equal(s.server.metrics.connections().accepted, 1);
});

Deno.test("curl uploads a chunked body with -T - and gets it back", async () => {
  await using s = startServer();
  const body = "line one\nline two\n".repeat(500);
  const r = await run("curl", ["-sS", "-T", "-", "-X", "POST", `${s.url}/echo`], body);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, body);
});

Deno.test("curl --http1.0 gets an answer and a closed connection", async () => {
  await using s = startServer();
  const r = await run("curl", ["-sv", "--http1.0", `${s.url}/hello`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '{"path":"/hello","query":""}');
  assert.match(r.stderr, /< Connection: close/i);
});

Deno.test("curl -I sends HEAD and sees Content-Length without a body", async () => {
  await using s = startServer();
  const r = await run("curl", ["-sSI", `${s.url}/`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(r.stdout, /Content-Length: 4\r\n/);
});

Deno.test("Python's http.client: keep-alive GETs and a POST on one connection", async () => {
  await using s = startServer();
  const script = `
import http.client, json, sys
c = http.client.HTTPConnection("127.0.0.1", ${s.port})
out = []
for path in ["/", "/hello?py=1"]:
    c.request("GET", path)
    r = c.getresponse()
    out.append([r.status, r.read().decode()])
c.request("POST", "/echo", body=b"from python", headers={"Content-Type": "text/plain"})
r = c.getresponse()
out.append([r.status, r.read().decode()])
print(json.dumps(out))
`;
  const r = await run("python3", ["-c", script]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [
    [200, "home"],
    [200, '{"path":"/hello","query":"py=1"}'],
    [200, "from python"],
  ]);
  assert.equal(s.server.metrics.connections().accepted, 1);
});

Deno.test("Deno's fetch: a streamed (chunked) request body arrives whole", async () => {
  await using s = startServer();
  const stream = ReadableStream.from(["a", "bc", "def"].map((t) => new TextEncoder().encode(t)));
  const res = await fetch(`${s.url}/echo`, { method: "POST", body: stream });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "abcdef");
});

/** Whether ApacheBench is installed: .ci/run installs it; a bare machine may lack it. */
const HAS_AB = (() => {
  try {
    return new Deno.Command("ab", { args: ["-V"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "ab -k: every request succeeds and every connection is kept alive",
  // Reported as ignored (not passed) where ab is missing: apt-get install apache2-utils.
  ignore: !HAS_AB,
}, async () => {
  await using s = startServer();
  const r = await run("ab", ["-k", "-n", "4000", "-c", "50", `${s.url}/hello`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Complete requests:\s+4000\n/);
  assert.match(r.stdout, /Failed requests:\s+0\n/);
  assert.match(r.stdout, /Keep-Alive requests:\s+4000\n/);
  assert.ok(s.server.metrics.connections().accepted <= 50, "connections were not reused");
});
