// Usage: npm run db:migration -w prisma -- <name>    writes migrations/<timestamp>_<name>/migration.sql
//        npm run db:migration -w prisma -- <name> --empty   an empty one, for SQL Prisma does not model (policies)
//        npm run db:check -w prisma                  exits 1 when schema/*.prisma has changes no migration covers
import fs from 'node:fs';
import path from 'node:path';
import { diffMigrationsToSchema, migrationsDir } from '../schema-engine.ts';

const args = process.argv.slice(2);
if (args.includes('--help') || args.length === 0) {
  console.log('usage: migrate-new.ts <name> [--empty] | --check');
  process.exit(args.length === 0 ? 1 : 0);
}
const empty = args.includes('--empty');
const sql = empty ? '-- Hand-written: SQL that prisma/schema does not model.\n' : await diffMigrationsToSchema();
if (args[0] === '--check') {
  if (sql) {
    console.error('prisma/schema has changes that no committed migration covers:\n' + sql);
    process.exit(1);
  }
  console.log('migrations are up to date with prisma/schema');
  process.exit(0);
}
if (!sql) {
  console.log('no schema changes: nothing to write');
  process.exit(0);
}
const name = args
  .filter((a) => a !== '--empty')[0]
  .replace(/[^a-z0-9_]+/gi, '_')
  .toLowerCase();
const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
const dir = path.join(migrationsDir, `${stamp}_${name}`);
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'migration.sql'), sql);
console.log(`wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
