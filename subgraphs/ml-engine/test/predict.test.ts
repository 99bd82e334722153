import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createSubgraphTestkit, type SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { testDatabaseTargets } from '@carbon-nexus/db';
import { listModels } from '@carbon-nexus/models';
import mlEngine from '../src/plugin.ts';
import { LOGISTICS_ROW, PREDICT, PREDICT_BATCH, toFeatures } from './helpers.ts';

describe.each(testDatabaseTargets())('predict and explain through GraphQL (%s)', (target) => {
  let kit: SubgraphTestkit;
  beforeAll(async () => {
    kit = await createSubgraphTestkit(mlEngine, { target });
  });
  afterAll(async () => kit?.stop());

  it('lists the four model cards with units and ranges', async () => {
    const { models } = await kit.query(
      `{ models { name version targetUnit features { name unit min max } metrics { mape maeImprovement } } }`,
    );
    expect(models.map((m: any) => m.name).sort()).toEqual(['FACTORY', 'LAST_MILE', 'LOGISTICS', 'WAREHOUSE']);
    const logistics = models.find((m: any) => m.name === 'LOGISTICS');
    const card = listModels().find((c) => c.name === 'logistics')!;
    expect(logistics.version).toBe(card.version);
    expect(logistics.targetUnit).toBe('kg CO2e');
    expect(logistics.features.find((f: any) => f.name === 'distance_km')).toMatchObject({
      unit: 'km',
      min: card.features[0]!.min,
    });
  });

  it('predicts one leg with interval, version and exact TreeSHAP contributions that sum to prediction − expected', async () => {
    const { predict } = await kit.query(PREDICT, { model: 'LOGISTICS', features: toFeatures(LOGISTICS_ROW) });
    const card = listModels().find((c) => c.name === 'logistics')!;
    expect(predict.modelVersion).toBe(card.version);
    expect(predict.model).toBe('LOGISTICS');
    expect(predict.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(predict.co2eKg).toBeGreaterThan(0);
    expect(predict.lowerKg).toBeLessThanOrEqual(predict.co2eKg);
    expect(predict.upperKg).toBeGreaterThanOrEqual(predict.co2eKg);
    expect(predict.confidence).toBeGreaterThan(0);
    expect(predict.confidence).toBeLessThanOrEqual(1);
    expect(predict.contributionMethod).toBe('treeshap');
    expect(predict.contributions).toHaveLength(card.features.length);
    const sum = predict.contributions.reduce((a: number, c: any) => a + c.contributionKg, 0);
    expect(Math.abs(sum - (predict.co2eKg - predict.expectedKg))).toBeLessThan(1e-6 * Math.max(1, predict.co2eKg));
    // distance dominates a 320 km articulated leg
    const top = predict.contributions[0];
    expect(['distance_km', 'load_kg']).toContain(top.feature);
    const d = predict.contributions.find((c: any) => c.feature === 'distance_km');
    expect(d.value).toBe(320);
  });

  it('a longer leg emits more and the distance contribution grows', async () => {
    const a = (await kit.query(PREDICT, { model: 'LOGISTICS', features: toFeatures(LOGISTICS_ROW) })).predict;
    const b = (
      await kit.query(PREDICT, { model: 'LOGISTICS', features: toFeatures({ ...LOGISTICS_ROW, distance_km: 640 }) })
    ).predict;
    expect(b.co2eKg).toBeGreaterThan(a.co2eKg * 1.6);
    const dist = (p: any) => p.contributions.find((c: any) => c.feature === 'distance_km').contributionKg;
    expect(dist(b)).toBeGreaterThan(dist(a));
  });

  it('rejects a missing feature with BAD_USER_INPUT naming it', async () => {
    const { distance_km: _, ...rest } = LOGISTICS_ROW;
    const r = await kit.execute(PREDICT, { model: 'LOGISTICS', features: toFeatures(rest) });
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.extensions?.field).toBe('distance_km');
    expect(r.errors?.[0]?.message).toMatch(/distance_km is missing/);
  });

  it('rejects a null value, an unknown feature and a duplicate, naming each', async () => {
    const nul = await kit.execute(PREDICT, {
      model: 'LOGISTICS',
      features: toFeatures({ ...LOGISTICS_ROW, speed_kmh: null }),
    });
    expect(nul.errors?.[0]?.message).toMatch(/speed_kmh/);
    expect(nul.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const unknown = await kit.execute(PREDICT, {
      model: 'LOGISTICS',
      features: [...toFeatures(LOGISTICS_ROW), { name: 'colour', value: 1 }],
    });
    expect(unknown.errors?.[0]?.message).toMatch(/colour is not a feature/);
    const dup = await kit.execute(PREDICT, {
      model: 'LOGISTICS',
      features: [...toFeatures(LOGISTICS_ROW), { name: 'load_kg', value: 1 }],
    });
    expect(dup.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(dup.errors?.[0]?.message).toMatch(/load_kg.*more than once/);
  });

  it('rejects an out-of-range value with the range and a unit hint', async () => {
    // 320 000 looks like metres
    const r = await kit.execute(PREDICT, {
      model: 'LOGISTICS',
      features: toFeatures({ ...LOGISTICS_ROW, distance_km: 320000 }),
    });
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.extensions?.field).toBe('distance_km');
    expect(r.errors?.[0]?.message).toMatch(/outside the model's validity range/);
    expect(r.errors?.[0]?.message).toMatch(/did you pass m\?/);
  });

  it('batch predictions name the row and feature of a bad value and store nothing', async () => {
    const before = await kit.db.query<{ n: number }>('SELECT count(*)::int AS n FROM predictions');
    const rows = [
      toFeatures({ ...LOGISTICS_ROW, distance_km: 100 }),
      toFeatures({ ...LOGISTICS_ROW, vehicle_class: 17 }),
    ];
    const r = await kit.execute(PREDICT_BATCH, { model: 'LOGISTICS', rows });
    expect(r.errors?.[0]?.extensions?.field).toBe('rows[1].vehicle_class');
    expect(r.errors?.[0]?.message).toMatch(/rows\[1\]\.vehicle_class = 17 is not a known code/);
    const after = await kit.db.query<{ n: number }>('SELECT count(*)::int AS n FROM predictions');
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('batch predictions match single predictions and carry additive contributions', async () => {
    const rows = [100, 250, 800].map((d) => toFeatures({ ...LOGISTICS_ROW, distance_km: d }));
    const { predictBatch } = await kit.query(PREDICT_BATCH, { model: 'LOGISTICS', rows });
    expect(predictBatch).toHaveLength(3);
    const single = (await kit.query(PREDICT, { model: 'LOGISTICS', features: rows[1] })).predict;
    expect(predictBatch[1].co2eKg).toBeCloseTo(single.co2eKg, 3);
    for (const p of predictBatch) {
      expect(p.contributionMethod).toBe('saabas-path');
      const sum = p.contributions.reduce((a: number, c: any) => a + c.contributionKg, 0);
      expect(Math.abs(sum - (p.co2eKg - p.expectedKg))).toBeLessThan(1e-6 * Math.max(1, p.co2eKg));
      expect(p.id).toBeTruthy();
    }
    expect(predictBatch[2].co2eKg).toBeGreaterThan(predictBatch[0].co2eKg);
  });

  it('persists predictions with model, version, hash, interval and contributions; identical inputs are stored once', async () => {
    const features = toFeatures({ ...LOGISTICS_ROW, distance_km: 444, load_kg: 4321 });
    const a = (await kit.query(PREDICT, { model: 'LOGISTICS', features })).predict;
    const b = (await kit.query(PREDICT, { model: 'LOGISTICS', features })).predict;
    expect(b.id).toBe(a.id);
    const c = (await kit.query(PREDICT_BATCH, { model: 'LOGISTICS', rows: [features, features] })).predictBatch;
    expect(c.map((x: any) => x.id)).toEqual([a.id, a.id]);
    const rows = await kit.db.query<any>(`SELECT * FROM predictions WHERE id = $1`, [a.id]);
    expect(rows).toHaveLength(1);
    const row = rows[0];
    expect(row.model).toBe('logistics');
    expect(row.model_version).toBe(a.modelVersion);
    expect(row.input_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.output_co2_kg).toBeCloseTo(a.co2eKg, 6);
    expect(row.lower).toBeCloseTo(a.lowerKg, 6);
    expect(row.upper).toBeCloseTo(a.upperKg, 6);
    expect(row.confidence).toBeCloseTo(a.confidence, 6);
    expect(row.feature_importance.contributions).toHaveLength(10);
    const n = await kit.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM predictions WHERE input_hash = $1`, [
      row.input_hash,
    ]);
    expect(n[0]!.n).toBe(1);
  });

  it('persist: false returns predictions without storing them', async () => {
    const before = await kit.db.query<{ n: number }>('SELECT count(*)::int AS n FROM predictions');
    const { predictBatch } = await kit.query(PREDICT_BATCH, {
      model: 'LOGISTICS',
      rows: [toFeatures({ ...LOGISTICS_ROW, distance_km: 777 })],
      persist: false,
    });
    expect(predictBatch[0].id).toBeNull();
    expect(predictBatch[0].co2eKg).toBeGreaterThan(0);
    const after = await kit.db.query<{ n: number }>('SELECT count(*)::int AS n FROM predictions');
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('predicts the other three models', async () => {
    const cards = listModels();
    const mid = (name: string) =>
      cards
        .find((c) => c.name === name)!
        .features.map((f) => ({ name: f.name, value: f.kind === 'continuous' ? (f.min + f.max) / 2 : f.min }));
    for (const [graph, art] of [
      ['FACTORY', 'factory'],
      ['WAREHOUSE', 'warehouse'],
      ['LAST_MILE', 'lastmile'],
    ] as const) {
      const { predict } = await kit.query(PREDICT, { model: graph, features: mid(art) });
      expect(predict.model).toBe(graph);
      expect(predict.co2eKg).toBeGreaterThan(0);
      const sum = predict.contributions.reduce((a: number, c: any) => a + c.contributionKg, 0);
      expect(Math.abs(sum - (predict.co2eKg - predict.expectedKg))).toBeLessThan(1e-6 * Math.max(1, predict.co2eKg));
    }
  });

  it('lists predictions newest first with cursor pagination and resolves Prediction references with supplier scoping', async () => {
    const page1 = (
      await kit.query(`{ predictions(first: 2) { id cursor model modelVersion co2eKg contributions { feature } } }`)
    ).predictions;
    expect(page1).toHaveLength(2);
    const page2 = (
      await kit.query(`query($a: String) { predictions(first: 2, after: $a) { id } }`, { a: page1[1].cursor })
    ).predictions;
    expect(page2.length).toBeGreaterThan(0);
    expect(page2.map((p: any) => p.id)).not.toContain(page1[0].id);
    expect(page2.map((p: any) => p.id)).not.toContain(page1[1].id);
    const bad = await kit.execute(`{ predictions(after: "garbage") { id } }`);
    expect(bad.errors?.[0]?.extensions?.field).toBe('after');
    const ref = await kit.entities('Prediction', [{ id: page1[0].id }], 'id co2eKg modelVersion');
    expect(ref.data!._entities[0]).toMatchObject({ id: page1[0].id, co2eKg: page1[0].co2eKg });
    // API predictions belong to no supplier: a supplier-scoped token sees none of them
    const scoped = await kit.entities('Prediction', [{ id: page1[0].id }], 'id', {
      auth: { sub: 'p', roles: ['partner'], supplierIds: ['11111111-1111-4111-8111-111111111111'] },
    });
    expect(scoped.data!._entities[0]).toBeNull();
  });
});
