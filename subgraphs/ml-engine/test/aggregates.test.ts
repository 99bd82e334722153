import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createSubgraphTestkit, type SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { testDatabaseTargets } from '@carbon-nexus/db';
import mlEngine from '../src/plugin.ts';

const S1 = '11111111-1111-4111-8111-111111111111';
const S2 = '22222222-2222-4222-8222-222222222222';

const AGG = /* GraphQL */ `
  query($from: String!, $to: String!, $bucket: PredictionBucket, $groupBy: PredictionGroupBy, $supplierIds: [ID!]) {
    predictionAggregates(from: $from, to: $to, bucket: $bucket, groupBy: $groupBy, supplierIds: $supplierIds) { bucketStart key co2eKg count }
  }
`;

interface Seed {
  supplier: string;
  type: string;
  route: string | null;
  ts: string;
  kg: number;
}

// Deterministic rows across two days, two suppliers, three event types and routes.
const seeds: Seed[] = [];
for (let i = 0; i < 60; i++) {
  const hour = i % 30; // spans 2026-03-01T00 .. 2026-03-02T05
  seeds.push({
    supplier: i % 3 === 0 ? S2 : S1,
    type: ['transport', 'delivery', 'factory'][i % 3]!,
    route: i % 4 === 0 ? null : `R${i % 2}`,
    ts: new Date(Date.UTC(2026, 2, 1, hour, (i * 7) % 60)).toISOString(),
    kg: 10 + i * 1.5,
  });
}

function handSum(keyOf: (s: Seed) => string, bucketOf: (s: Seed) => string, filter: (s: Seed) => boolean = () => true) {
  const m = new Map<string, { co2eKg: number; count: number }>();
  for (const s of seeds.filter(filter)) {
    const k = `${bucketOf(s)}|${keyOf(s)}`;
    const e = m.get(k) ?? { co2eKg: 0, count: 0 };
    e.co2eKg += s.kg;
    e.count++;
    m.set(k, e);
  }
  return m;
}
const hourOf = (s: Seed) => s.ts.slice(0, 13) + ':00:00.000Z';
const dayOf = (s: Seed) => s.ts.slice(0, 10) + 'T00:00:00.000Z';

function expectMatches(rows: any[], expected: Map<string, { co2eKg: number; count: number }>) {
  expect(rows).toHaveLength(expected.size);
  for (const r of rows) {
    const e = expected.get(`${r.bucketStart}|${r.key}`);
    expect(e, `${r.bucketStart}|${r.key}`).toBeDefined();
    expect(r.co2eKg).toBeCloseTo(e!.co2eKg, 6);
    expect(r.count).toBe(e!.count);
  }
}

describe.each(testDatabaseTargets())('predictionAggregates (%s)', (target) => {
  let kit: SubgraphTestkit;
  beforeAll(async () => {
    kit = await createSubgraphTestkit(mlEngine, { target });
    await kit.db.query(
      `INSERT INTO predictions (id, model, model_version, input_hash, supplier_id, event_type, route, "timestamp", output_co2_kg)
       SELECT gen_random_uuid(), 'logistics', '1.0.0', 'h' || u.i, u.s, u.t, u.r, u.ts, u.kg
       FROM unnest($1::int[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::float8[]) AS u(i, s, t, r, ts, kg)`,
      [
        seeds.map((_, i) => i),
        seeds.map((s) => s.supplier),
        seeds.map((s) => s.type),
        seeds.map((s) => s.route),
        seeds.map((s) => s.ts),
        seeds.map((s) => s.kg),
      ],
    );
    // an API prediction (no timestamp) must not count anywhere
    await kit.db.query(
      `INSERT INTO predictions (id, model, model_version, input_hash, output_co2_kg) VALUES (gen_random_uuid(), 'logistics', '1.0.0', 'api', 999)`,
    );
  });
  afterAll(async () => kit?.stop());

  const range = { from: '2026-03-01T00:00:00Z', to: '2026-03-03T00:00:00Z' };

  it('hourly totals equal hand-computed sums', async () => {
    const { predictionAggregates } = await kit.query(AGG, { ...range, bucket: 'HOUR', groupBy: 'NONE' });
    expectMatches(
      predictionAggregates,
      handSum(() => 'all', hourOf),
    );
  });

  it('daily by supplier, by event type and by route', async () => {
    const bySupplier = (await kit.query(AGG, { ...range, bucket: 'DAY', groupBy: 'SUPPLIER' })).predictionAggregates;
    expectMatches(
      bySupplier,
      handSum((s) => s.supplier, dayOf),
    );
    const byType = (await kit.query(AGG, { ...range, bucket: 'DAY', groupBy: 'EVENT_TYPE' })).predictionAggregates;
    expectMatches(
      byType,
      handSum((s) => s.type, dayOf),
    );
    const byRoute = (await kit.query(AGG, { ...range, bucket: 'DAY', groupBy: 'ROUTE' })).predictionAggregates;
    expectMatches(
      byRoute,
      handSum((s) => s.route ?? '(none)', dayOf),
    );
  });

  it('from is inclusive, to exclusive, and supplierIds filters', async () => {
    const r = (
      await kit.query(AGG, {
        from: '2026-03-01T05:00:00Z',
        to: '2026-03-01T10:00:00Z',
        bucket: 'HOUR',
        supplierIds: [S2],
      })
    ).predictionAggregates;
    const inRange = (s: Seed) => s.supplier === S2 && s.ts >= '2026-03-01T05:00:00' && s.ts < '2026-03-01T10:00:00';
    expectMatches(
      r,
      handSum(() => 'all', hourOf, inRange),
    );
    expect(r.length).toBeGreaterThan(0);
  });

  it('a supplier-scoped token only sees its suppliers', async () => {
    const auth = { sub: 'partner', roles: ['partner'], supplierIds: [S1] };
    const r = (await kit.query(AGG, { ...range, bucket: 'DAY', groupBy: 'SUPPLIER' }, { auth })).predictionAggregates;
    expect(new Set(r.map((x: any) => x.key))).toEqual(new Set([S1]));
    const other = (await kit.query(AGG, { ...range, bucket: 'DAY', supplierIds: [S2] }, { auth })).predictionAggregates;
    expect(other).toEqual([]);
  });

  it('bad arguments are named', async () => {
    const a = await kit.execute(AGG, { from: 'yesterday', to: range.to });
    expect(a.errors?.[0]?.extensions?.field).toBe('from');
    const b = await kit.execute(AGG, { from: range.to, to: range.from });
    expect(b.errors?.[0]?.extensions?.field).toBe('to');
    const c = await kit.execute(AGG, { ...range, supplierIds: ['nope'] });
    expect(c.errors?.[0]?.extensions?.field).toBe('supplierIds[0]');
  });
});
