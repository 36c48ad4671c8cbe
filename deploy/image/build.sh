#!/usr/bin/env bash
# deno task image: build the image from the repository's Dockerfile, unchanged,
# with podman, and check it as an operator would:
#   1. the server runs as the non-root "deno" user (uid 1993);
#   2. GET /health answers 200 through a published port;
#   3. the HEALTHCHECK passes (podman healthcheck run);
#   4. `podman stop` during a slow request lets that request finish, and the
#      container exits 0;
#   5. it runs with a read-only root filesystem, as deploy/kubernetes/ asks;
#   6. its Deno cache holds none of the tests' npm packages;
# and prints the image's size.
#
# Needs podman (Debian: apt-get install podman buildah runc), as root or with
# user namespaces. Without a registry (no docker.io), STANDIN=1 first builds a
# stand-in for denoland/deno:2.9.6 from Debian (debootstrap) and the Deno
# binary npm's deno@2.9.6 package ships, tagged with the official name so the
# Dockerfile builds unchanged; the stand-in has the official image's user
# (deno, 1993), DENO_DIR (/deno-dir), tini entrypoint and entrypoint script.
#
#   deno task image               # base image pulled from docker.io
#   STANDIN=1 deno task image     # base image built here (debootstrap, npm)
#
# Not run by CI: it needs a container engine and minutes of downloads.
set -euo pipefail
cd "$(dirname "$0")/../.."

IMAGE=${IMAGE:-localhost/rawhttp:dev}
BASE=docker.io/denoland/deno:2.9.6
DENO_VERSION=2.9.6
PORT=${HOST_PORT:-18080}
NAME=rawhttp-image-check-$$

command -v podman >/dev/null || {
  echo "podman not found (apt-get install podman buildah runc)"
  exit 2
}

standin() {
  local work
  work=$(mktemp -d)
  echo "== stand-in base $BASE: Debian bookworm (debootstrap) + deno $DENO_VERSION from npm"
  if [ -n "${ROOTFS:-}" ]; then
    # A debootstrap'ed tree made before (it takes minutes), copied.
    cp -a "$ROOTFS" "$work/rootfs"
  else
    command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
    debootstrap --variant=minbase --include=tini bookworm "$work/rootfs" \
      "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$work/debootstrap.log" 2>&1 || {
      tail -20 "$work/debootstrap.log"
      exit 1
    }
  fi
  # npm's deno package carries the binary (from a per-platform package).
  npm install --silent --no-save --prefix "$work/npm" "deno@$DENO_VERSION" >/dev/null
  local bin
  bin=$(find -L "$work/npm/node_modules" -type f -name deno -size +10M | head -n 1)
  [ -n "$bin" ] || {
    echo "no deno binary in npm's deno@$DENO_VERSION"
    exit 1
  }
  "$bin" --version | head -n 1 | grep -q "^deno $DENO_VERSION " || {
    echo "not deno $DENO_VERSION: $bin"
    exit 1
  }
  install -m 0755 "$bin" "$work/rootfs/usr/bin/deno"
  ln -sf /usr/bin/tini "$work/rootfs/tini"
  # As the official image: a deno user 1993 owning DENO_DIR.
  chroot "$work/rootfs" sh -c 'groupadd -g 1993 deno && useradd -u 1993 -g deno -s /bin/sh -M deno \
    && mkdir -p /deno-dir && chown deno:deno /deno-dir'
  cat >"$work/rootfs/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
# As the official image's: a first argument that is a deno subcommand or a
# flag runs deno with the arguments; anything else runs as given.
set -e
case "$1" in
  -* | bench | bundle | cache | check | compile | completions | coverage | doc | eval | fmt | \
    info | init | install | jupyter | lint | lsp | publish | repl | run | serve | task | test | \
    types | uninstall | upgrade | vendor) set -- deno "$@" ;;
esac
exec "$@"
EOF
  chmod 0755 "$work/rootfs/usr/local/bin/docker-entrypoint.sh"
  # Where TLS is intercepted (a proxy's own CA, as on the machines this was
  # first built on), the stand-in trusts that CA too: DENO_CERT names it.
  local ca_env=()
  if [ -n "${EXTRA_CA_FILE:-${SSL_CERT_FILE:-}}" ]; then
    mkdir -p "$work/rootfs/etc/ssl"
    cp "${EXTRA_CA_FILE:-$SSL_CERT_FILE}" "$work/rootfs/etc/ssl/standin-extra-ca.pem"
    ca_env=(--change "ENV DENO_CERT=/etc/ssl/standin-extra-ca.pem")
  fi
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
  tar -C "$work/rootfs" -c . | podman import \
    --change "ENV DENO_DIR=/deno-dir/" --change "ENV DENO_INSTALL_ROOT=/usr/local" "${ca_env[@]}" \
    --change 'ENTRYPOINT ["/tini", "--", "docker-entrypoint.sh"]' \
    --change 'CMD ["eval", "console.log(\"Welcome to Deno!\")"]' \
    - "$BASE" >/dev/null
  rm -rf "$work"
}

if ! podman image exists "$BASE"; then
  if [ "${STANDIN:-0}" = 1 ]; then standin; else podman pull "$BASE"; fi
fi

echo "== podman build --format docker -t $IMAGE ."
# --format docker: the OCI format has no HEALTHCHECK (podman drops it).
podman build --format docker --pull=never -t "$IMAGE" .
echo "== image size: $(podman image inspect "$IMAGE" --format '{{.Size}}') bytes"

fail() {
  echo "FAILED: $*"
  podman logs "$NAME" 2>&1 | tail -20 || true
  podman rm -f "$NAME" >/dev/null 2>&1 || true
  exit 1
}
trap 'podman rm -f "$NAME" >/dev/null 2>&1 || true' EXIT

# Podman asks for RLIMIT_NOFILE 1048576 and RLIMIT_NPROC 32768 by default; a
# sandbox without CAP_SYS_RESOURCE refuses them ("error setting rlimit type 7:
# operation not permitted"), so ask for what the host allows.
read -r -a RUN_OPTS <<<"${RUN_OPTS:---ulimit nofile=$(ulimit -Hn):$(ulimit -Hn) --ulimit nproc=4096:4096}"
echo "== run (read-only root filesystem, all capabilities dropped)"
podman run -d --name "$NAME" "${RUN_OPTS[@]}" --read-only --read-only-tmpfs=false --cap-drop=ALL --security-opt=no-new-privileges \
  -p "127.0.0.1:$PORT:8080" "$IMAGE" >/dev/null
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break
  sleep 0.2
done

user=$(podman exec "$NAME" id -u)
[ "$user" = 1993 ] || fail "runs as uid $user, not 1993"
echo "ok: runs as uid $user"

pkgs=$(podman exec "$NAME" ls /deno-dir/npm/registry.npmjs.org | tr '\n' ' ')
for p in fast-check hono ws kubernetes-models yaml; do
  case " $pkgs" in *" $p "*) fail "the test-only package $p is in the image" ;; esac
done
echo "ok: npm packages in the image: $pkgs(no test-only ones)"

health=$(curl -fsS "http://127.0.0.1:$PORT/health") || fail "/health"
echo "ok: /health $health"

podman healthcheck run "$NAME" || fail "HEALTHCHECK"
echo "ok: HEALTHCHECK passes"

# A request that takes 3 s (the echo of a body streamed slowly: -T - sends
# stdin as it comes, chunked), then podman stop:
# the request must complete and the container exit 0.
out=$(mktemp)
(
  {
    sleep 3
    echo hello
  } | curl -sS -o "$out" -w '%{http_code}' -X POST -H 'Content-Type: text/plain' \
    -T - "http://127.0.0.1:$PORT/api/echo" >"$out.code" 2>&1
) &
slow=$!
sleep 1
podman stop -t 10 "$NAME" >/dev/null
wait "$slow" || true
code=$(podman inspect "$NAME" --format '{{.State.ExitCode}}')
[ "$(cat "$out.code")" = 200 ] || fail "the request in flight got $(cat "$out.code")"
[ "$(cat "$out")" = hello ] || fail "the request in flight got body $(cat "$out")"
[ "$code" = 0 ] || fail "exit code $code after podman stop"
echo "ok: podman stop during a request: the request got 200 'hello', the container exited 0"
podman logs "$NAME" 2>&1 | tail -n 4
echo "image checks passed"
