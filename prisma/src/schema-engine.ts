// Prisma's native schema engine cannot be downloaded here; the wasm build of the same engine,
// driven through a migration-aware driver adapter, computes the SQL diffs instead.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { schemaDir, migrationsDir, listMigrations } from './paths.ts';

const require = createRequire(import.meta.url);
const noFilter = { externalTables: [], externalEnums: [] };

async function loadEngineModule(): Promise<any> {
  const bgPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const bg: any = await import(bgPath);
  const wasmFile = path.join(path.dirname(bgPath), 'schema_engine_bg.wasm');
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(wasmFile), { './schema_engine_bg.js': bg });
  bg.__wbg_set_wasm(instance.exports);
  (instance.exports as any).__wbindgen_start?.();
  return bg;
}

export function readSchemaFiles(dir = schemaDir) {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.prisma'))
    .sort()
    .map((f) => ({ path: path.join(dir, f), content: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

export function migrationList(dir = migrationsDir) {
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: 'provider = "postgresql"\n' },
    shadowDbInitScript: '',
    migrationDirectories: listMigrations(dir).map((m) => ({
      path: m.name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: fs.readFileSync(m.file, 'utf8') } },
    })),
  };
}

/** SQL that takes a database from the committed migrations to the current schema ('' when up to date). */
export async function diffMigrationsToSchema(): Promise<string> {
  const bg = await loadEngineModule();
  const scratch = new PGlite();
  try {
    const files = readSchemaFiles();
    // The "from" side replays the committed migrations on a shadow PGlite the adapter creates.
    const engine = await bg.SchemaEngine.new(
      { datamodels: files.map((f) => [f.path, f.content]) },
      () => {},
      bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(scratch) as any),
    );
    const result = await engine.diff({
      from: { tag: 'migrations', ...migrationList() },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: null,
      filters: noFilter,
    });
    const sql: string = result.stdout ?? '';
    return /^\s*(--\s*This is an empty migration\.)?\s*$/.test(sql) ? '' : sql;
  } finally {
    await scratch.close();
  }
}

export { migrationsDir };
