export { createDatabase } from './database.ts';
export type { Database, DatabaseKind, DatabaseOptions, SqlQueryable, SqlRunner } from './database.ts';
export { migrate } from './migrate.ts';
export type { MigrateResult } from './migrate.ts';
export { listMigrations, migrationsDir, schemaDir } from './paths.ts';
export { createTestDatabase, testDatabaseTargets } from './testing.ts';
export type { TestDatabaseTarget } from './testing.ts';
export * from '../generated/client.ts';
