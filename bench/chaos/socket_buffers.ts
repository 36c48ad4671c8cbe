/**
 * What the kernel holds in the socket buffers of one port's connections:
 * what a server wrote that its clients have not read yet sits there, not in
 * the server's RSS.
 *
 * @module
 */

const DECODER = new TextDecoder();

/**
 * Bytes queued to send plus bytes received unread (skmem `w` + `r`, see
 * ss(8)) over every TCP socket with `port` at either end, in KiB; NaN when
 * `ss` (iproute2) cannot tell.
 */
export async function socketBuffersKiB(port: number): Promise<number> {
  try {
    const out = await new Deno.Command("ss", {
      args: ["-tnmH", `( sport = :${port} or dport = :${port} )`],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return NaN;
    let bytes = 0;
    for (const m of DECODER.decode(out.stdout).matchAll(/skmem:\(r(\d+),[^)]*,w(\d+),/g)) {
      bytes += Number(m[1]) + Number(m[2]);
    }
    return bytes / 1024;
  } catch {
    return NaN;
  }
}
