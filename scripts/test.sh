#!/usr/bin/env bash
# npm test: every suite — unit, integration on real mariadbd, e2e in Debian Chromium, the production path.
# Installs what a fresh Debian machine lacks (as root) and stops every server it started.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 CI="${CI:-}"

bash scripts/ensure-system.sh server browser clients docker
bash scripts/ensure-deps.sh

# Two Docker engines side by side (two "hardnodes"), stopped again when the tests end; the image is built
# from Debian packages once and kept in their data roots for later runs.
engines="a b"
# Remote hosts c, d (remote-hosts.test.ts), e (e2e/docker.spec.ts) and the Swarm f, g, h (swarm.test.ts) are network
# namespaces with TLS engines; stopped here too in case a run is interrupted.
trap 'bash scripts/dockerd.sh stop $engines; for h in c d e f g h; do bash scripts/remote-host.sh stop $h; done' EXIT
bash scripts/dockerd.sh start $engines
bash scripts/build-image.sh unix:///run/mariner-docker/a/docker.sock unix:///run/mariner-docker/b/docker.sock
export MARINER_TEST_DOCKER_HOSTS="a=unix:///run/mariner-docker/a/docker.sock,b=unix:///run/mariner-docker/b/docker.sock"

echo "== typecheck, lint, format"
npx tsc --noEmit
npx eslint . --max-warnings=0
npx prettier --check . >/dev/null || { npx prettier --list-different .; echo "not formatted: npm run format"; exit 1; }

# Every suite also writes a machine-readable report: check-skips.mjs lists each skip with its reason and fails
# the run if anything was skipped or a required suite (Docker, browser) ran nothing.
reports="$(mktemp -d /tmp/mariner-test-reports.XXXXXX)"
suite() { node --import tsx --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout --test-reporter=tap --test-reporter-destination="$reports/$1.tap" "${@:2}"; }

echo "== unit"
suite unit test/unit/*.test.ts

echo "== integration (real mariadbd)"
suite integration test/integration/*.test.ts

echo "== build"
npx next build >/tmp/mariner-next-build.log 2>&1 || { tail -50 /tmp/mariner-next-build.log; exit 1; }

echo "== e2e (Chromium)"
E2E_REPORT="$reports/e2e.json" npm run --silent test:e2e

echo "== production path (the console image, docker-compose, HTTPS)"
suite production test/production/*.test.ts

node scripts/check-skips.mjs --tap "$reports/unit.tap" --tap "$reports/integration.tap" --tap "$reports/production.tap" \
  --playwright "$reports/e2e.json"
