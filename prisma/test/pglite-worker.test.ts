// The embedded database in its own thread (pglite-client.ts + pglite-worker.mjs) behaves as PGlite on the caller's
// thread does — values, errors, transactions — and a long statement no longer stops the caller's event loop.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite, messages } from '@electric-sql/pglite';
import { createDatabase, type Database } from '@carbon-nexus/db';
import { WorkerPGlite } from '../src/pglite-client.ts';

const SETUP = `
  CREATE TABLE t (
    id int PRIMARY KEY, i2 int2, i8 int8, f4 float4, f8 float8, num numeric(12, 4), b bool, tx text, vc varchar(20),
    u uuid, j json, jb jsonb, ts timestamp, tz timestamptz, d date, tm time, by bytea, ia int4[], ta text[], ua uuid[],
    na numeric[], ja jsonb[], tza timestamptz[]
  );
  INSERT INTO t VALUES
    (1, 7, 9007199254740993, 1.5, 2.25, 1234.5678, true, 'a "quoted", text', 'v', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
     '{"a": [1, 2, {"b": null}]}', '{"z": 1, "a": "x"}', '2024-02-29 12:34:56.789', '2024-02-29 12:34:56.789+02', '2024-02-29',
     '23:59:59', '\\xdeadbeef', '{1,2,3}', '{"x","y,z",NULL}', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}', '{1.5,2}',
     ARRAY['{"k": 1}'::jsonb], ARRAY['2024-01-01 00:00:00+00'::timestamptz]),
    (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL);
`;
// The Prisma adapter's way: rows as arrays, its own parsers for some types (text kept as text).
const keepText = {
  1700: (v: string) => `n:${v}`,
  1184: (v: string) => `tz:${v}`,
  3802: (v: string) => v,
  17: (v: string) => v.length,
};

describe('PGlite in a worker thread', () => {
  let worker: WorkerPGlite;
  let local: PGlite;

  beforeAll(async () => {
    [worker, local] = await Promise.all([WorkerPGlite.open(), PGlite.create()]);
    await Promise.all([worker.exec(SETUP), local.exec(SETUP)]);
  });
  afterAll(async () => {
    await worker?.close();
    await local?.close();
  });

  it('returns the values PGlite returns on this thread, with its parsers or the caller’s', async () => {
    const sql = 'SELECT * FROM t ORDER BY id';
    const [w, l] = await Promise.all([worker.query(sql), local.query(sql)]);
    expect(w.rows).toEqual(l.rows);
    expect(w.fields).toEqual(l.fields);
    expect(w.rows[0]).toMatchObject({
      i8: 9007199254740993n,
      num: '1234.5678',
      j: { a: [1, 2, { b: null }] },
      ta: ['x', 'y,z', null],
    });
    expect((w.rows[0] as any).tz).toBeInstanceOf(Date);

    const opts = { rowMode: 'array' as const, parsers: keepText };
    const [wa, la] = await Promise.all([worker.query(sql, [], opts), local.query(sql, [], opts)]);
    expect(wa.rows).toEqual(la.rows);
    expect((wa.rows[0] as unknown as unknown[])[5]).toBe('n:1234.5678');

    const params = [
      'y,z',
      new Date('2024-02-29T10:34:56.789Z'),
      { a: 'x', z: 1 },
      [1, 2],
      9007199254740993n,
      new Uint8Array([0xde, 0xad, 0xbe, 0xef]),
    ];
    const filtered = `SELECT id FROM t WHERE $1 = ANY(ta) AND tz = $2 AND jb = $3::jsonb AND ia[1:2] = $4::int4[] AND i8 = $5 AND by = $6`;
    const [wp, lp] = await Promise.all([worker.query(filtered, params), local.query(filtered, params)]);
    expect(wp.rows).toEqual([{ id: 1 }]);
    expect(lp.rows).toEqual([{ id: 1 }]);
  });

  it('runs several statements with exec, as PGlite reports them', async () => {
    const script = `UPDATE t SET vc = 'w' WHERE id = 2; SELECT vc FROM t WHERE id = 2; DELETE FROM t WHERE id = 99`;
    const [w, l] = await Promise.all([worker.exec(script), local.exec(script)]);
    expect(w).toEqual(l);
    // PGlite counts affected rows cumulatively over the script.
    expect(w.map((r) => r.affectedRows)).toEqual([1, 1, 1]);
    expect(w[1].rows).toEqual([{ vc: 'w' }]);
  });

  it('fails a statement with PGlite’s DatabaseError, every field kept', async () => {
    const err = await worker.query('INSERT INTO t (id) VALUES ($1)', [1]).catch((e) => e);
    expect(err).toBeInstanceOf(messages.DatabaseError);
    expect(err).toMatchObject({
      code: '23505',
      constraint: 't_pkey',
      table: 't',
      severity: 'ERROR',
      query: 'INSERT INTO t (id) VALUES ($1)',
      params: [1],
    });
    expect(err.detail).toMatch(/Key \(id\)=\(1\) already exists/);
    const syntax = await worker.query('SELEC 1').catch((e) => e);
    expect(syntax).toMatchObject({ code: '42601', position: '1' });
    // The database goes on serving.
    expect((await worker.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('commits, rolls back on a throw or on tx.rollback(), and keeps other statements out while a transaction is open', async () => {
    await worker.exec('CREATE TABLE k (v int PRIMARY KEY)');
    await worker.transaction(async (tx) => {
      await tx.query('INSERT INTO k VALUES (1)');
      await tx.exec('INSERT INTO k VALUES (2)');
    });
    await expect(
      worker.transaction(async (tx) => {
        await tx.query('INSERT INTO k VALUES (3)');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const out = await worker.transaction(async (tx) => {
      await tx.query('INSERT INTO k VALUES (4)');
      await tx.rollback();
      expect(tx.closed).toBe(true);
      await expect(tx.query('SELECT 1')).rejects.toThrow(/Transaction is closed/);
      return 'rolled back';
    });
    expect(out).toBe('rolled back');
    // A failed statement aborts the transaction: it ends rolled back, its error reaches the caller.
    await expect(
      worker.transaction(async (tx) => {
        await tx.query('INSERT INTO k VALUES (5)');
        await tx.query('INSERT INTO k VALUES (1)');
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect((await worker.query('SELECT array_agg(v ORDER BY v) AS v FROM k')).rows).toEqual([{ v: [1, 2] }]);

    // Outside statements wait for the open transaction and then see its committed rows.
    const order: string[] = [];
    let outside!: Promise<unknown>;
    await worker.transaction(async (tx) => {
      await tx.query('INSERT INTO k VALUES (6)');
      outside = worker
        .query<{ n: number }>('SELECT count(*)::int AS n FROM k')
        .then((r) => (order.push('outside'), r.rows[0].n));
      await tx.query('SELECT pg_sleep(0.05)');
      await tx.query('INSERT INTO k VALUES (7)');
      order.push('transaction');
    });
    expect(await outside).toBe(4);
    expect(order).toEqual(['transaction', 'outside']);
  });

  it('runs statements sent before BEGIN has run inside their transaction, after the one ahead of it', async () => {
    await worker.exec('CREATE TABLE q (tx int, v int)');
    // Three transactions sent at once, each pipelining its statements without waiting for anything: they do not
    // interleave, and statements outside any transaction see only whole transactions.
    const seen: number[] = [];
    const runs = [1, 2, 3].map((t) =>
      worker.transaction(async (tx) => {
        const a = tx.query('INSERT INTO q VALUES ($1, 1)', [t]);
        const b = tx.query('INSERT INTO q VALUES ($1, 2)', [t]);
        const c = tx.query<{ n: number }>('SELECT count(*)::int AS n FROM q WHERE tx = $1', [t]);
        await Promise.all([a, b]);
        return (await c).rows[0].n;
      }),
    );
    const outside = [0, 1, 2].map(() =>
      worker.query<{ n: number }>('SELECT count(*)::int AS n FROM q').then((r) => seen.push(r.rows[0].n)),
    );
    expect(await Promise.all(runs)).toEqual([2, 2, 2]);
    await Promise.all(outside);
    for (const n of seen) expect(n % 2).toBe(0);
    const rows = await worker.query<{ tx: number; v: number }>('SELECT tx, v FROM q ORDER BY tx, v');
    expect(rows.rows.map((r) => `${r.tx}.${r.v}`)).toEqual(['1.1', '1.2', '2.1', '2.2', '3.1', '3.2']);
    // A statement that fails aborts its transaction; the ones queued behind it in that transaction fail too, and the
    // caller gets the first error.
    await expect(
      worker.transaction(async (tx) => {
        const ok = tx.query('INSERT INTO q VALUES (4, 1)');
        const bad = tx.query('INSERT INTO q VALUES (4, $1)', ['not a number']);
        const after = tx.query('INSERT INTO q VALUES (4, 3)');
        await Promise.all([ok, bad, after]);
      }),
    ).rejects.toMatchObject({ code: '22P02' });
    expect((await worker.query('SELECT count(*)::int AS n FROM q WHERE tx = 4')).rows).toEqual([{ n: 0 }]);

    // The transaction's function starts at once, while the connection is still busy with an earlier statement: its
    // statements wait in the database thread, not for a reply from it.
    let slept = false;
    const sleeping = worker.query('SELECT pg_sleep(0.2)').then(() => (slept = true));
    let startedWhileBusy: boolean | undefined;
    await worker.transaction(async (tx) => {
      startedWhileBusy = !slept;
      await tx.query('INSERT INTO q VALUES (5, 1)');
    });
    await sleeping;
    expect(startedWhileBusy).toBe(true);
  });

  it('leaves the event loop free while a long statement runs', async () => {
    const heavy = 'SELECT count(*)::int AS n FROM generate_series(1, 3000000) g WHERE g % 7 = 0';
    const turns = async (run: () => Promise<unknown>) => {
      let n = 0;
      let on = true;
      const spin = () => on && (n++, setImmediate(spin));
      setImmediate(spin);
      await run();
      on = false;
      return n;
    };
    const inWorker = await turns(() => worker.query(heavy));
    const onThisThread = await turns(() => local.query(heavy));
    expect(inWorker).toBeGreaterThan(100);
    // The same statement on this thread: PGlite's wasm runs it in one synchronous stretch.
    expect(onThisThread).toBeLessThan(5);
  });

  it('plans each statement once and still answers after the table under it changed', async () => {
    await worker.exec('CREATE TABLE p (a int)');
    await worker.query('INSERT INTO p VALUES ($1)', [1]);
    const all = 'SELECT * FROM p ORDER BY a';
    expect((await worker.query(all)).rows).toEqual([{ a: 1 }]);
    // A column added by a script, then by a statement: the prepared statement's result columns changed under it.
    await worker.exec(`ALTER TABLE p ADD COLUMN b text DEFAULT 'x'`);
    expect((await worker.query(all)).rows).toEqual([{ a: 1, b: 'x' }]);
    await worker.query(`ALTER TABLE p ADD COLUMN c int DEFAULT 3`);
    expect((await worker.query(all)).rows).toEqual([{ a: 1, b: 'x', c: 3 }]);
    // Even a change no statement text shows (DDL built inside a function): prepared again on PostgreSQL's refusal.
    await worker.exec(`DO $$ BEGIN EXECUTE 'ALT' || 'ER TABLE p ADD COLUMN d int DEFAULT 4'; END $$`);
    expect((await worker.query(all)).rows).toEqual([{ a: 1, b: 'x', c: 3, d: 4 }]);
    // More distinct statements than are kept prepared: the oldest are released, every one still answers.
    for (let i = 0; i < 600; i++)
      expect((await worker.query(`SELECT $1::int + ${i} AS v`, [1])).rows).toEqual([{ v: i + 1 }]);
    expect((await worker.query(all)).rows).toHaveLength(1);
    const [{ n }] = (await worker.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_prepared_statements`)).rows;
    expect(n).toBeLessThanOrEqual(500);
    // A statement that failed to prepare is not kept: fixing the table makes the same text work.
    await expect(worker.query('SELECT z FROM p')).rejects.toMatchObject({ code: '42703' });
    await worker.exec('ALTER TABLE p ADD COLUMN z int DEFAULT 7');
    expect((await worker.query('SELECT z FROM p')).rows).toEqual([{ z: 7 }]);
  });

  it('returns a data directory that another database starts from', async () => {
    const copy = await WorkerPGlite.open({ loadDataDir: await worker.dumpDataDir() });
    expect((await copy.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 2 }]);
    await copy.close();
    await expect(copy.query('SELECT 1')).rejects.toThrow(/closed/);
  });
});

describe('createDatabase on a PGlite data directory', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cn-pglite-worker-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates the database once, keeps its rows across a restart, and refuses statements once closed', async () => {
    let db: Database = await createDatabase({ dataDir: dir });
    await db.migrate();
    const s = await db.prisma.supplier.create({ data: { name: 'Kept' } });
    await expect(db.prisma.supplier.create({ data: { id: s.id, name: 'Twice' } })).rejects.toMatchObject({
      code: 'P2002',
    });
    await db.close();
    db = await createDatabase({ dataDir: dir });
    expect((await db.migrate()).applied).toEqual([]);
    expect(await db.query(`SELECT name FROM suppliers`)).toEqual([{ name: 'Kept' }]);
    await db.close();
    await expect(db.query('SELECT 1')).rejects.toThrow('the embedded database is closed');
  });
});
