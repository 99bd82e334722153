#!/bin/sh
# Stand-in for Prisma's native schema engine, which cannot be downloaded here.
# `prisma generate` never needs it; anything that does must fail loudly rather than no-op.
echo "schema-engine binary is not available offline; use prisma/src/migrate.ts (wasm) instead" >&2
exit 1
