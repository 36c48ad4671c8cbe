/**
 * nginx for the chaos benchmark: Debian's nginx, one worker, `daemon off`,
 * with its config, pid file, logs, temp paths and the 1 MiB file for `/big`
 * all in a temp folder. Fixed answers for `/health`, `/api/hello` and
 * `/upload` (nginx discards the upload's body); no `/slow`.
 *
 * @module
 */

/** A written nginx setup; `cleanup` removes its folder. */
export interface NginxSetup {
  readonly argv: readonly string[];
  readonly dir: string;
  readonly cleanup: () => Promise<void>;
}

/** The config for a server on 127.0.0.1:`port` with its files under `dir`. */
export function nginxConfig(dir: string, port: number): string {
  return `# Written by bench/chaos/nginx.ts for one run.
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
worker_rlimit_nofile 20000;

events {
  worker_connections 10000;
}

http {
  access_log off;
  sendfile on;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;

  server {
    listen 127.0.0.1:${port};
    location = /health {
      default_type application/json;
      return 200 '{"status":"ok"}';
    }
    location = /api/hello {
      default_type application/json;
      return 200 '{"message":"Hello, world!"}';
    }
    location = /big {
      default_type application/octet-stream;
      alias ${dir}/big.bin;
    }
    location = /upload {
      default_type text/plain;
      return 200 'ok';
    }
    location / {
      return 404;
    }
  }
}
`;
}

/** Writes the config and a `bigBytes` file into a new temp folder; nginx's command line. */
export async function nginxSetup(port: number, bigBytes: number): Promise<NginxSetup> {
  const dir = await Deno.makeTempDir({ prefix: "rawhttp-chaos-nginx-" });
  // The worker runs as an unprivileged user when nginx starts as root: let it read /big.
  await Deno.chmod(dir, 0o755);
  await Deno.writeTextFile(`${dir}/nginx.conf`, nginxConfig(dir, port));
  await Deno.writeFile(`${dir}/big.bin`, new Uint8Array(bigBytes).fill(0x78), { mode: 0o644 });
  return {
    // -e: the error log from the start (else nginx opens /var/log/nginx/error.log first).
    argv: ["nginx", "-p", dir, "-e", `${dir}/error.log`, "-c", `${dir}/nginx.conf`],
    dir,
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
}
