// Applies committed migrations in order, once each, recording them in Prisma's own `_prisma_migrations`
// table so the Prisma CLI (where it can run) sees the same history. Works on PGlite and PostgreSQL.
import fs from 'node:fs';
import crypto from 'node:crypto';
import { listMigrations, migrationsDir } from './paths.ts';
import type { SqlRunner } from './database.ts';

const LEDGER = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

export async function migrate(db: SqlRunner, dir = migrationsDir): Promise<MigrateResult> {
  // One migrator at a time across processes (several replicas may start together).
  return db.transaction(async (tx) => {
    await tx.exec(LEDGER);
    if (db.kind === 'postgres') await tx.query(`SELECT pg_advisory_xact_lock(7240001)`);
    const done = await tx.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE rolled_back_at IS NULL AND finished_at IS NOT NULL`,
    );
    const seen = new Map(done.map((r) => [r.migration_name, r.checksum]));
    const applied: string[] = [];
    for (const m of listMigrations(dir)) {
      const sql = fs.readFileSync(m.file, 'utf8');
      const checksum = crypto.createHash('sha256').update(sql).digest('hex');
      const prior = seen.get(m.name);
      if (prior) {
        if (prior !== checksum) {
          throw new Error(
            `migration ${m.name} was edited after it was applied (checksum differs); add a new migration instead`,
          );
        }
        continue;
      }
      try {
        await tx.exec(sql);
      } catch (err) {
        throw new Error(`migration ${m.name} failed: ${(err as Error).message}`);
      }
      await tx.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
         VALUES ($1, $2, now(), $3, 1)`,
        [crypto.randomUUID(), checksum, m.name],
      );
      applied.push(m.name);
    }
    return { applied, alreadyApplied: seen.size };
  });
}
