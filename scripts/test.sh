#!/usr/bin/env bash
# npm test: every suite — unit, integration on real mariadbd, e2e in Debian Chromium.
# Installs what a fresh Debian machine lacks (as root) and stops every server it started.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 CI="${CI:-}"

bash scripts/ensure-system.sh server browser clients
bash scripts/ensure-deps.sh

echo "== typecheck"
npx tsc --noEmit

echo "== unit"
node --import tsx --test --test-concurrency=1 test/unit/*.test.ts

echo "== integration (real mariadbd)"
node --import tsx --test --test-concurrency=1 test/integration/*.test.ts

echo "== build"
npx next build >/tmp/mariner-next-build.log 2>&1 || { tail -50 /tmp/mariner-next-build.log; exit 1; }

echo "== e2e (Chromium)"
npm run --silent test:e2e
