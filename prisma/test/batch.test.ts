// db.batch: statements in one transaction, run in order, all or nothing, each one's rows returned — on PGlite (in its
// own thread, where the batch runs without waiting for the caller) and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { combineWrites, createTestDatabase, testDatabaseTargets, type Database } from '@carbon-nexus/db';

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

  it('combineWrites: several writes as one atomic statement, parameters renumbered, RETURNING rows read by name', async () => {
    const one = combineWrites(
      [
        { sql: `INSERT INTO batch_probe VALUES ($1, $2)`, params: [100, 'p'] },
        { sql: `UPDATE batch_probe SET v = $1 WHERE k = $2 RETURNING k`, params: ['q', 1] },
        { sql: `INSERT INTO batch_probe VALUES ($1, $2) RETURNING k`, params: [101, 'r'] },
      ],
      `SELECT (SELECT count(*) FROM w1)::int AS updated, (SELECT k FROM w2) AS inserted`,
    );
    expect(one.params).toEqual([100, 'p', 'q', 1, 101, 'r']);
    expect(await db.batch([one])).toEqual([[{ updated: 1, inserted: 101 }]]);
    expect(await db.query(`SELECT k, v FROM batch_probe WHERE k IN (1, 100, 101) ORDER BY k`)).toEqual([
      { k: 1, v: 'q' },
      { k: 100, v: 'p' },
      { k: 101, v: 'r' },
    ]);
    // All or nothing: a failing write keeps none of the others.
    await expect(
      db.batch([
        combineWrites([
          { sql: `INSERT INTO batch_probe VALUES ($1, 'kept?')`, params: [102] },
          { sql: `INSERT INTO batch_probe VALUES ($1, 'duplicate')`, params: [100] },
        ]),
      ]),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await db.query(`SELECT count(*)::int AS n FROM batch_probe WHERE k = 102`)).toEqual([{ n: 0 }]);
    expect(() => combineWrites([{ sql: `SELECT $2`, params: [1] }])).toThrow(/refers to \$2 without a value/);
    expect(() => combineWrites([])).toThrow(/no writes/);
  });
});
