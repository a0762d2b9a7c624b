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
cp Dockerfile "$ctx/"
DOCKER_BUILDKIT=0 docker -H "$host" build --pull=false -t mariner/console:local "$ctx"
