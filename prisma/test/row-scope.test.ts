// Supplier row-level security is enforced by the database: a scoped caller's statements cannot see or write other
// suppliers' rows even when the SQL forgets to filter (every statement below is deliberately unfiltered).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDatabaseTargets, type Database } from '@carbon-nexus/db';

describe.each(testDatabaseTargets())('supplier row-level security on %s', (target) => {
  let db: Database;
  let scope: string[] | null = null;
  let a: string;
  let b: string;
  const hotspot = (supplier: string) =>
    db.query(
      `INSERT INTO hotspots (id, entity_type, entity_id, supplier_id, metric_value, baseline, percent_above, severity, status, window_start, window_end)
       VALUES (gen_random_uuid(), 'supplier', $1, $2::uuid, 150, 100, 50, 'warn', 'open', now() - interval '1 hour', now())`,
      [supplier, supplier],
    );
  const as = async <T>(ids: string[] | null, fn: () => Promise<T>): Promise<T> => {
    scope = ids;
    try {
      return await fn();
    } finally {
      scope = null;
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase(target);
    db.setRowScope(() => scope);
    a = (await db.prisma.supplier.create({ data: { name: 'Scope A' } })).id;
    b = (await db.prisma.supplier.create({ data: { name: 'Scope B' } })).id;
    await hotspot(a);
    await hotspot(b);
    await hotspot(b);
  });
  afterAll(async () => db?.close());

  it('hides other suppliers from Prisma reads, raw SQL and transactions', async () => {
    await as([a], async () => {
      expect((await db.prisma.supplier.findMany()).map((s) => s.id)).toEqual([a]);
      expect(await db.prisma.supplier.findUnique({ where: { id: b } })).toBeNull();
      expect(await db.prisma.hotspot.count()).toBe(1);
      expect(await db.query(`SELECT count(*)::int AS n FROM hotspots`)).toEqual([{ n: 1 }]);
      expect(await db.transaction((tx) => tx.query(`SELECT supplier_id::text AS s FROM hotspots`))).toEqual([{ s: a }]);
      const inTx = await db.prisma.$transaction(async (tx) => [await tx.hotspot.count(), await tx.supplier.count()]);
      expect(inTx).toEqual([1, 1]);
    });
    // Back to the connection's own role: everything is visible again (SET LOCAL ends with the transaction).
    expect(await db.prisma.hotspot.count()).toBe(3);
    expect(await db.query(`SELECT count(*)::int AS n FROM hotspots`)).toEqual([{ n: 3 }]);
  });

  it('scopes a batch too: it reads and writes only the caller’s rows, and a refused write rolls the batch back', async () => {
    const before = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM hotspots`);
    const [counted, updated] = await as([a], () =>
      db.batch([
        { sql: `SELECT count(*)::int AS n FROM hotspots` },
        { sql: `UPDATE hotspots SET entity_name = 'batched' RETURNING supplier_id::text AS s` },
      ]),
    );
    expect(counted).toEqual([{ n: 1 }]);
    expect(updated).toEqual([{ s: a }]);
    await expect(
      as([a], () =>
        db.batch([
          { sql: `UPDATE hotspots SET entity_name = 'rolled back'` },
          {
            sql: `INSERT INTO hotspots (id, entity_type, entity_id, supplier_id, metric_value, baseline, percent_above, severity, status, window_start, window_end)
                  VALUES (gen_random_uuid(), 'supplier', $1, $2::uuid, 1, 1, 0, 'info', 'open', now(), now())`,
            params: [b, b],
          },
        ]),
      ),
    ).rejects.toThrow(/row-level security/);
    expect(await db.query(`SELECT count(*)::int AS n FROM hotspots WHERE entity_name = 'rolled back'`)).toEqual([
      { n: 0 },
    ]);
    expect(await db.query(`SELECT count(*)::int AS n FROM hotspots`)).toEqual(before);
  });

  it("refuses writes to other suppliers' rows", async () => {
    await as([a], async () => {
      await expect(hotspot(b)).rejects.toThrow(/row-level security/);
      await expect(db.prisma.supplier.update({ where: { id: b }, data: { name: 'hijacked' } })).rejects.toThrow();
      // An unfiltered UPDATE touches only the caller's rows.
      expect(await db.prisma.hotspot.updateMany({ data: { status: 'acknowledged' } })).toEqual({ count: 1 });
      await expect(
        db.prisma.hotspot.create({
          data: {
            entityType: 'supplier',
            entityId: b,
            supplierId: b,
            metricValue: 1,
            baseline: 1,
            percentAbove: 0,
            severity: 'info',
            status: 'open',
            windowStart: new Date(),
            windowEnd: new Date(),
          },
        }),
      ).rejects.toThrow();
    });
    expect((await db.prisma.supplier.findUniqueOrThrow({ where: { id: b } })).name).toBe('Scope B');
    expect(await db.prisma.hotspot.count({ where: { supplierId: b } })).toBe(2);
    expect(await db.prisma.hotspot.count({ where: { supplierId: b, status: 'acknowledged' } })).toBe(0);
  });

  it('an empty or malformed scope sees nothing; several suppliers see the union', async () => {
    expect(await as([], () => db.prisma.supplier.count())).toBe(0);
    expect(await as(["x'); DROP TABLE suppliers; --"], () => db.prisma.supplier.count())).toBe(0);
    expect(await as([a, b], () => db.prisma.hotspot.count())).toBe(3);
    expect(await db.prisma.supplier.count()).toBe(2);
  });

  it('returns every pooled connection clean: no open transaction, own role, after scoped reads and failed writes', async () => {
    // More scoped statements than the pool has connections, half of them failing.
    await as([a], () =>
      Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          i % 2
            ? db.prisma.hotspot.count().then(() => 0)
            : hotspot(b).then(
                () => 1,
                () => 0,
              ),
        ),
      ),
    );
    const states = await Promise.all(
      Array.from({ length: 24 }, () => db.prisma.$queryRawUnsafe<{ u: string }[]>(`SELECT current_user AS u`)),
    );
    for (const [s] of states) expect(s.u).not.toBe('cn_supplier_scope');
    if (db.kind === 'postgres') {
      const [idle] = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
      );
      expect(idle.n).toBe(0);
    }
    expect(await db.prisma.hotspot.count()).toBe(3);
  });

  it('scoped statements run as the policy role and leave the connection as it was', async () => {
    const [scoped] = await as([a], () =>
      db.query<{ u: string; ids: string }>(`SELECT current_user AS u, current_setting('cn.supplier_ids') AS ids`),
    );
    expect(scoped).toEqual({ u: 'cn_supplier_scope', ids: a });
    const [own] = await db.query<{ u: string; ids: string | null }>(
      `SELECT current_user AS u, current_setting('cn.supplier_ids', true) AS ids`,
    );
    expect(own.u).not.toBe('cn_supplier_scope');
    expect(own.ids ?? '').toBe('');
  });
});
