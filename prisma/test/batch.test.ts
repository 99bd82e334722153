// db.batch: statements in one transaction, run in order, all or nothing, each one's rows returned — on PGlite (in its
// own thread, where the batch runs without waiting for the caller) and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDatabaseTargets, type Database } from '@carbon-nexus/db';

describe.each(testDatabaseTargets())('db.batch on %s', (target) => {
  let db: Database;
  beforeAll(async () => {
    db = await createTestDatabase(target);
    await db.exec(`CREATE TABLE batch_probe (k int PRIMARY KEY, v text)`);
  });
  afterAll(() => db?.close());

  it('runs the statements in order in one transaction and returns each one’s rows', async () => {
    const out = await db.batch([
      { sql: `INSERT INTO batch_probe VALUES ($1, $2), ($3, $4)`, params: [1, 'a', 2, 'b'] },
      { sql: `UPDATE batch_probe SET v = v || '!' WHERE k = $1 RETURNING k, v`, params: [2] },
      { sql: `SELECT count(*)::int AS n FROM batch_probe` },
    ]);
    expect(out).toEqual([[], [{ k: 2, v: 'b!' }], [{ n: 2 }]]);
    expect(await db.batch([])).toEqual([]);
  });

  it('keeps nothing when a statement fails, rejects with that statement’s error, and goes on serving', async () => {
    await expect(
      db.batch([
        { sql: `INSERT INTO batch_probe VALUES (3, 'c')` },
        { sql: `INSERT INTO batch_probe VALUES (1, 'duplicate')` },
        { sql: `INSERT INTO batch_probe VALUES (4, 'd')` },
      ]),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await db.query(`SELECT k FROM batch_probe ORDER BY k`)).toEqual([{ k: 1 }, { k: 2 }]);
    // Batches and queries sent together: each batch is whole when anything else sees the table.
    const seen: number[] = [];
    await Promise.all([
      ...[10, 20, 30].map((k) =>
        db.batch([
          { sql: `INSERT INTO batch_probe VALUES ($1, 'x')`, params: [k] },
          { sql: `INSERT INTO batch_probe VALUES ($1, 'y')`, params: [k + 1] },
        ]),
      ),
      ...[0, 1, 2, 3].map(() =>
        db.query<{ n: number }>(`SELECT count(*)::int AS n FROM batch_probe`).then((r) => seen.push(r[0].n)),
      ),
    ]);
    for (const n of seen) expect(n % 2).toBe(0);
    expect(await db.query(`SELECT count(*)::int AS n FROM batch_probe`)).toEqual([{ n: 8 }]);
  });
});
