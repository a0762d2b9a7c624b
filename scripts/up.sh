#!/usr/bin/env bash
# npm run up: install what is missing, migrate, build, serve the console on HOST:PORT (127.0.0.1:3000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system.sh server
bash scripts/ensure-deps.sh
export NEXT_TELEMETRY_DISABLED=1
npx tsx scripts/migrate.ts
if [ ! -f .next/BUILD_ID ] || [ -n "$(find app components lib prisma proxy.ts instrumentation.ts next.config.ts -newer .next/BUILD_ID -print -quit)" ]; then
  npx next build
fi
echo "Mariner console: http://${HOST:-127.0.0.1}:${PORT:-3000}"
exec node scripts/start.mjs
