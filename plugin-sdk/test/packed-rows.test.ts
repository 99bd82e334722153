// packedRows: rows packed as JSON arrays by the database come back as the same objects json_agg of the rows gives,
// for every type the plugins pack (text, numbers, booleans, uuid, timestamptz, jsonb, arrays, nulls).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDatabaseTargets, type Database } from '@carbon-nexus/db';
import { packedRows } from '../src/kit/index.ts';

const COLUMNS = `t.id::text AS id, t.name, t.score, t.n, t.ok, t.at, t.doc, t.tags, lower(t.name) AS "lowered"`;

describe.each(testDatabaseTargets())('packedRows (%s)', (target) => {
  let db: Database;
  beforeAll(async () => {
    db = await createTestDatabase(target);
    await db.exec(`
      CREATE TABLE packed_probe (id uuid PRIMARY KEY, name text, score float8, n bigint, ok boolean, at timestamptz(3),
        doc jsonb, tags text[]);
      INSERT INTO packed_probe VALUES
        ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'Acme "Freight", Ltd', 1.5, 9007199254740993, true,
         '2026-12-05 01:02:03.456+00', '{"a": [1, {"b": null}], "c": "x,y"}', ARRAY['a', 'b,c']),
        ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'Borealis', -0.25, 2, false, '2028-02-29 23:59:59+00', 'null', '{}'),
        ('cccccccc-cccc-4ccc-8ccc-cccccccccccc', NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    `);
  });
  afterAll(() => db?.close());

  it('gives the rows json_agg of the rows gives, in the requested order', async () => {
    const packed = packedRows<Record<string, unknown>>(COLUMNS);
    expect(packed.names).toEqual(['id', 'name', 'score', 'n', 'ok', 'at', 'doc', 'tags', 'lowered']);
    const [{ rows }] = await db.query<{ rows: unknown[][] }>(
      `SELECT ${packed.sql('p', 'p.id DESC')} AS rows FROM (SELECT ${COLUMNS} FROM packed_probe t) p`,
    );
    const [{ objects }] = await db.query<{ objects: Record<string, unknown>[] }>(
      `SELECT json_agg(p ORDER BY p.id DESC) AS objects FROM (SELECT ${COLUMNS} FROM packed_probe t) p`,
    );
    const unpacked = packed.unpack(rows);
    expect(unpacked).toEqual(objects);
    expect(unpacked.map((r) => r.id)).toEqual([
      'cccccccc-cccc-4ccc-8ccc-cccccccccccc',
      'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb',
      'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
    ]);
    // Keys in column order, as the objects json_agg builds.
    expect(Object.keys(unpacked[0])).toEqual(packed.names);
    expect(unpacked[2]).toMatchObject({ name: 'Acme "Freight", Ltd', doc: { a: [1, { b: null }], c: 'x,y' } });
  });

  it('gives [] when there are no rows', async () => {
    const packed = packedRows<{ id: string }>(['id']);
    const [{ rows }] = await db.query<{ rows: unknown[][] }>(
      `SELECT ${packed.sql('p')} AS rows FROM (SELECT id FROM packed_probe WHERE false) p`,
    );
    expect(packed.unpack(rows)).toEqual([]);
  });
});

describe('packedRows: column lists', () => {
  it('takes aliases, bare and prefixed names, and quoted names; refuses what it cannot name', () => {
    expect(packedRows(`s.id, name, "timestamp", coalesce(a, b) AS ab, x::text AS "y"`).names).toEqual([
      'id',
      'name',
      'timestamp',
      'ab',
      'y',
    ]);
    expect(() => packedRows(`coalesce(a, b)`)).toThrow(/name the expression/);
    expect(() => packedRows(`s.id, t.id`)).toThrow(/repeats/);
    expect(() => packedRows([])).toThrow(/1\.\.100 columns/);
    expect(() => packedRows(['a; DROP TABLE x'])).toThrow(/not a plain column name/);
  });
});
