import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, testDatabaseTargets, migrate, listMigrations } from '@carbon-nexus/db';
import { diffMigrationsToSchema } from '../src/schema-engine.ts';

describe('migrations', () => {
  it('cover every change in prisma/schema (a schema edit without a migration fails here)', async () => {
    expect(await diffMigrationsToSchema()).toBe('');
  }, 180_000); // the schema engine (wasm) replays every migration: slow on a busy machine

  it.each(testDatabaseTargets())(
    'apply once on %s, record Prisma history, and create every seed table',
    async (target) => {
      const db = await createTestDatabase(target);
      try {
        const again = await db.migrate();
        expect(again.applied).toEqual([]);
        expect(again.alreadyApplied).toBe(listMigrations().length);
        const tables = (
          await db.query<{ t: string }>(
            `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public'`,
          )
        ).map((r) => r.t);
        for (const t of [
          'events_raw',
          'events_normalized',
          'predictions',
          'forecasts',
          'hotspots',
          'alerts',
          'recommendations',
          'suppliers',
          'data_quality',
          'audit_logs',
          'baselines',
          '_prisma_migrations',
        ]) {
          expect(tables, t).toContain(t);
        }
        // The Prisma client works over the same connection (driver adapter).
        const s = await db.prisma.supplier.create({ data: { name: 'Prisma check' } });
        expect(await db.prisma.supplier.findUnique({ where: { id: s.id } })).toMatchObject({ name: 'Prisma check' });
      } finally {
        await db.close();
      }
    },
    180_000,
  );

  it('refuses a migration edited after it was applied', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cn-mig-'));
    fs.mkdirSync(path.join(dir, '001_a'));
    fs.writeFileSync(path.join(dir, '001_a/migration.sql'), 'CREATE TABLE t1 (id int);');
    const db = await createTestDatabase();
    try {
      expect((await migrate(db, dir)).applied).toEqual(['001_a']);
      fs.writeFileSync(path.join(dir, '001_a/migration.sql'), 'CREATE TABLE t1 (id bigint);');
      await expect(migrate(db, dir)).rejects.toThrow(/migration 001_a was edited after it was applied/);
      fs.mkdirSync(path.join(dir, '002_b'));
      fs.writeFileSync(path.join(dir, '002_b/migration.sql'), 'CREATE TABLE broken (');
      fs.writeFileSync(path.join(dir, '001_a/migration.sql'), 'CREATE TABLE t1 (id int);');
      await expect(migrate(db, dir)).rejects.toThrow(/migration 002_b failed/);
    } finally {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CI environment', () => {
  // CI must exercise PostgreSQL, Redis and Chromium, not silently fall back to PGlite only.
  it.runIf(process.env.CI === 'true')('provides DATABASE_URL, REDIS_URL and CHROMIUM_PATH', () => {
    expect(process.env.DATABASE_URL, 'DATABASE_URL').toMatch(/^postgres(ql)?:\/\//);
    expect(process.env.REDIS_URL, 'REDIS_URL').toMatch(/^redis:\/\//);
    expect(process.env.CHROMIUM_PATH && fs.existsSync(process.env.CHROMIUM_PATH), 'CHROMIUM_PATH').toBe(true);
  });
});
