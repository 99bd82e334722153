// Applies the committed migrations once and exits: the Kubernetes migrations Job, the compose `migrate` service,
// and `npm run db:migrate` locally.
//   tsx gateway/src/cli/migrate.ts   (DATABASE_URL = PostgreSQL; without it the embedded PGlite at DATA_DIR,
//                                     default .data/pglite like `npm start`)
// Safe to run concurrently and repeatedly: migrations are applied under an advisory lock, each once.
import path from 'node:path';
import { createDatabase } from '@carbon-nexus/db';
import { findPlatformRoot } from '@carbon-nexus/plugin-sdk';

if (process.argv.includes('--help')) {
  console.log('usage: tsx gateway/src/cli/migrate.ts   env: DATABASE_URL (PostgreSQL) or DATA_DIR (PGlite)');
  process.exit(0);
}
const started = Date.now();
const url = process.env.DATABASE_URL || undefined;
const dataDir = url ? undefined : process.env.DATA_DIR || path.join(findPlatformRoot(), '.data', 'pglite');
try {
  const db = await createDatabase({ url, dataDir });
  try {
    const r = await db.migrate();
    console.log(
      r.applied.length
        ? `applied ${r.applied.length} migration(s): ${r.applied.join(', ')} (${r.alreadyApplied} already applied) on ${url ? 'PostgreSQL' : `PGlite at ${dataDir}`}`
        : `database is up to date (${r.alreadyApplied} migration(s) already applied) on ${url ? 'PostgreSQL' : `PGlite at ${dataDir}`}`,
    );
  } finally {
    await db.close();
  }
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (err) {
  console.error(`migration failed: ${(err as Error).message}`);
  process.exit(1);
}
