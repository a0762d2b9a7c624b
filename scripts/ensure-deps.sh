#!/usr/bin/env bash
# npm dependencies and the generated Prisma client, only when missing or out of date.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
stamp=node_modules/.mariner-lock-hash
hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$hash" ]; then
  echo "Installing npm dependencies …"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$hash" > "$stamp"
fi
if [ ! -f generated/prisma/client.ts ] || [ prisma/schema.prisma -nt generated/prisma/client.ts ]; then
  PRISMA_SCHEMA_ENGINE_BINARY=/bin/false npx prisma generate >/dev/null
fi
