// Until the first release there is exactly one migration: `00000000000000_init`, regenerated from
// schema/*.prisma by this command (then `prisma generate`). After a release, add migrations with db:migration.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { diffMigrationsToSchema } from '../schema-engine.ts';
import { migrationsDir, packageDir } from '../paths.ts';

fs.rmSync(migrationsDir, { recursive: true, force: true });
const sql = await diffMigrationsToSchema();
const dir = path.join(migrationsDir, '00000000000000_init');
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'migration.sql'), sql);
fs.writeFileSync(path.join(migrationsDir, 'migration_lock.toml'), 'provider = "postgresql"\n');
console.log(`regenerated prisma/migrations/00000000000000_init (${sql.split('\n').length} lines)`);
const r = spawnSync('npx', ['tsx', path.join(packageDir, 'src/cli/generate.ts')], { stdio: 'inherit' });
process.exit(r.status ?? 1);
