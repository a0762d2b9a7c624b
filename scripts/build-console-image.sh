#!/usr/bin/env bash
# Builds mariner/console:local for docker-compose.yml from the built app and this machine's Node.js, on top of
# the local MariaDB image (built first when absent). Nothing is pulled.
set -euo pipefail
cd "$(dirname "$0")/.."
host=${DOCKER_HOST:-unix:///var/run/docker.sock}
bash scripts/build-image.sh "$host"
[ -f .next/BUILD_ID ] || npx next build
ctx=$(mktemp -d /var/tmp/mariner-console.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
cp "$(command -v node)" "$ctx/node"
mkdir -p "$ctx/app"
cp -a package.json next.config.ts prisma prisma.config.ts scripts public .next node_modules generated lib app components instrumentation.ts proxy.ts tsconfig.json "$ctx/app/"
# HAProxy for writer/reader endpoints: this machine's binary with its own libraries and loader under
# /opt/haproxy (the image's libraries stay untouched), started through a small wrapper at /usr/sbin/haproxy.
mkdir -p "$ctx/haproxy/lib"
cp -L /usr/sbin/haproxy "$ctx/haproxy/haproxy"
for lib in $(ldd /usr/sbin/haproxy | grep -o '/[^ ]*'); do cp -L "$lib" "$ctx/haproxy/lib/"; done
loader=$(basename "$(ldd /usr/sbin/haproxy | grep -o '/[^ ]*ld-linux[^ ]*')")
printf '#!/bin/sh\nexec /opt/haproxy/lib/%s --library-path /opt/haproxy/lib /opt/haproxy/haproxy "$@"\n' "$loader" > "$ctx/haproxy/wrapper"
chmod +x "$ctx/haproxy/wrapper"
cp Dockerfile "$ctx/"
DOCKER_BUILDKIT=0 docker -H "$host" build --pull=false -t mariner/console:local "$ctx"
