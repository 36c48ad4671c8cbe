# rawhttp container image: Deno's official image, dependencies cached at build
# time, a non-root user, exec-form CMD, and a HEALTHCHECK that needs no curl.
#
#   docker build -t rawhttp .
#   docker run --rm -p 8080:8080 rawhttp
#
# Pinned to the same Deno as deno.json's tooling and CI (2.9.6). For
# reproducible builds pin the digest too: denoland/deno:2.9.6@sha256:<digest>.
FROM denoland/deno:2.9.6

WORKDIR /app

# The image ships a non-root "deno" user (uid 1993); it owns the app folder
# and the cache, and the server runs as it.
RUN chown deno:deno /app
USER deno

# Dependencies first, so this layer is rebuilt only when they change: the
# image's own deno.json and deno.lock (deploy/image/, made from the root ones
# by `deno task image:config`), which name only the npm packages the program
# loads, so the tests' packages stay out of the image. --frozen fails the
# build if deno.lock does not match deno.json.
COPY --chown=deno:deno deploy/image/deno.json deploy/image/deno.lock ./
RUN deno install --frozen

# The code, then a type-checked cache of everything the program and the probe
# load, so a container starts without compiling or downloading anything.
COPY --chown=deno:deno mod.ts ./
COPY --chown=deno:deno src/ ./src/
COPY --chown=deno:deno www/ ./www/
RUN deno cache --frozen src/program/main.ts src/program/cluster_worker.ts src/program/healthcheck.ts

ENV HOST=0.0.0.0 \
    PORT=8080 \
    LOG_FORMAT=json
EXPOSE 8080

# Exit 0 when GET /health answers {"status":"ok"}. The probe is a small Deno
# script (src/program/healthcheck.ts) that asks where the server listens (HOST and
# PORT, as the server reads them; a wildcard HOST means loopback), so no curl
# or wget is needed. Settings given as flags to the server instead of env
# vars must be given to the probe too.
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 \
  CMD ["deno", "run", "--cached-only", "--allow-net", "--allow-read", "--allow-write", "--allow-env=HOST,PORT,TLS_CERT_FILE,TLS_KEY_FILE,UNIX_SOCKET,HEALTHCHECK_TIMEOUT_MS", "src/program/healthcheck.ts"]

# Exec form: the image's tini entrypoint runs deno as the child that receives
# SIGTERM from `docker stop`, and rawhttp drains within SHUTDOWN_TIMEOUT (8 s),
# before Docker's 10 s SIGKILL.
STOPSIGNAL SIGTERM
CMD ["run", "--cached-only", "--v8-flags=--expose-gc", "--allow-net", "--allow-env", "--allow-read=/app", "src/program/main.ts"]
