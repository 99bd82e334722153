import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const schemaDir = path.join(packageDir, 'schema');
export const migrationsDir = path.join(packageDir, 'migrations');

export interface MigrationFile {
  name: string;
  file: string;
}

/** Committed migrations in apply order (folder names start with a UTC timestamp). */
export function listMigrations(dir = migrationsDir): MigrationFile[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => ({ name: d.name, file: path.join(dir, d.name, 'migration.sql') }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
