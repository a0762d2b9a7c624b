#!/usr/bin/env bash
# npm run up: install what is missing, migrate, build, serve the console on HOST:PORT (127.0.0.1:3000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system.sh server
bash scripts/ensure-deps.sh
export NEXT_TELEMETRY_DISABLED=1
npx tsx scripts/migrate.ts
bash scripts/build-if-stale.sh
echo "Mariner console: http://${HOST:-127.0.0.1}:${PORT:-3000}"
exec node scripts/start.mjs
