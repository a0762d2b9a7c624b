#!/usr/bin/env bash
# Builds the Next.js app when there is no build yet or a source file is newer than it (npm run up, the image).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f .next/BUILD_ID ] || [ -n "$(find app components lib prisma proxy.ts instrumentation.ts next.config.ts -newer .next/BUILD_ID -print -quit)" ]; then
  NEXT_TELEMETRY_DISABLED=1 npx next build
fi
