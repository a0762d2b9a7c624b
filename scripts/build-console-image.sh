#!/usr/bin/env bash
# Builds mariner/console:local for docker-compose.yml from the built app and this machine's Node.js, on top of
# the local MariaDB image (built first when absent). Nothing is pulled.
set -euo pipefail
cd "$(dirname "$0")/.."
host=${DOCKER_HOST:-unix:///var/run/docker.sock}
bash scripts/ensure-system.sh docker image
bash scripts/ensure-deps.sh
bash scripts/build-image.sh "$host"
bash scripts/build-if-stale.sh
ctx=$(mktemp -d /var/tmp/mariner-console.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
cp "$(command -v node)" "$ctx/node"
mkdir -p "$ctx/app"
cp -a package.json next.config.ts prisma prisma.config.ts scripts public .next node_modules generated lib app components instrumentation.ts proxy.ts tsconfig.json "$ctx/app/"
# Next's build cache is for the next build, not for serving (a third of .next).
rm -rf "$ctx/app/.next/cache"
# Host tools the console runs that the MariaDB image lacks — HAProxy (writer/reader endpoints) and the openssl
# CLI (its CAs and certificates): this machine's binaries with their own libraries and loader under /opt/<tool>
# (the image's libraries stay untouched), started through a small wrapper.
stage_tool() {
  local name=$1 bin=$2
  mkdir -p "$ctx/tools/$name/lib"
  cp -L "$bin" "$ctx/tools/$name/$name"
  for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do cp -L "$lib" "$ctx/tools/$name/lib/"; done
  local loader
  loader=$(basename "$(ldd "$bin" | grep -o '/[^ ]*ld-linux[^ ]*')")
  printf '#!/bin/sh\n%bexec /opt/%s/lib/%s --library-path /opt/%s/lib /opt/%s/%s "$@"\n' "${3:-}" "$name" "$loader" "$name" "$name" "$name" > "$ctx/tools/$name/wrapper"
  chmod +x "$ctx/tools/$name/wrapper"
}
stage_tool haproxy /usr/sbin/haproxy
cp -L /usr/lib/ssl/openssl.cnf "$ctx/tools/openssl-ssl.cnf"
stage_tool openssl /usr/bin/openssl 'export OPENSSL_CONF=/opt/openssl/openssl.cnf\n'
mv "$ctx/tools/openssl-ssl.cnf" "$ctx/tools/openssl/openssl.cnf"
cp Dockerfile "$ctx/"
DOCKER_BUILDKIT=0 docker -H "$host" build --pull=false -t mariner/console:local "$ctx"
