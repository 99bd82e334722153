// Regenerates the single `00000000000000_init` migration from schema/*.prisma (then `prisma generate`).
// Only for a fresh project: once a database has applied init (anything that landed on main), editing it makes the
// runner refuse to start ("edited after it was applied") — add a new migration with `npm run db:migration -w prisma -- <name>`.
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
