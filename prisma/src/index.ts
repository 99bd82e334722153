export { createDatabase, poolSizeFromEnv } from './database.ts';
export { combineWrites } from './combine.ts';
export type {
  Database,
  DatabaseKind,
  DatabaseOptions,
  PluginDatabase,
  SqlQueryable,
  SqlRunner,
  SqlStatement,
} from './database.ts';
export { DatabaseUnavailableError, isConnectionLost, asDatabaseError } from './errors.ts';
export { migrate } from './migrate.ts';
export type { MigrateResult } from './migrate.ts';
export { listMigrations, migrationsDir, schemaDir } from './paths.ts';
export { createTestDatabase, testDatabaseTargets } from './testing.ts';
export type { TestDatabaseTarget } from './testing.ts';
export * from '../generated/client.ts';
export { SCOPE_ROLE, SCOPE_SETTING, scopeStatement } from './row-scope.ts';
export type { RowScopeProvider } from './row-scope.ts';
