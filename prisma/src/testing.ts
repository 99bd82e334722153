// Test databases: always PGlite; also PostgreSQL when DATABASE_URL is set (CI sets it).
// Each PostgreSQL test database is created fresh and dropped afterwards.
import crypto from 'node:crypto';
import pg from 'pg';
import { createDatabase, type Database } from './database.ts';

export type TestDatabaseTarget = 'pglite' | 'postgres';

let template: Promise<Blob> | undefined;

export function testDatabaseTargets(): TestDatabaseTarget[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/** A migrated, empty database; `close()` also drops it (PostgreSQL). */
/** A fresh migrated database; on PostgreSQL with `poolSize` connections (default 5: suites open many at once). */
export async function createTestDatabase(
  target: TestDatabaseTarget = 'pglite',
  opts: { poolSize?: number } = {},
): Promise<Database> {
  if (target === 'pglite') {
    // initdb + migrations once per test process; every database after that is a copy of that template.
    template ??= (async () => {
      const t = await createDatabase();
      await t.migrate();
      const blob = await t.snapshot!();
      await t.close();
      return blob;
    })();
    return createDatabase({ pgliteSnapshot: await template });
  }
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('createTestDatabase("postgres") needs DATABASE_URL');
  const name = `cn_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = '/' + name;
  const db = await createDatabase({ url: u.toString(), poolSize: opts.poolSize ?? 5 });
  await db.migrate();
  const close = db.close;
  db.close = async () => {
    await close();
    const a = new pg.Client({ connectionString: base });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await a.end();
  };
  return db;
}
