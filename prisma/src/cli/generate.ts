// `prisma generate` offline: it never needs the schema engine, but the CLI looks for one.
// Point it at a stand-in that fails loudly so nothing else silently no-ops.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { packageDir } from '../paths.ts';

const r = spawnSync('npx', ['prisma', 'generate'], {
  cwd: packageDir,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: path.join(packageDir, 'bin/no-schema-engine.sh'),
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  },
});
process.exit(r.status ?? 1);
