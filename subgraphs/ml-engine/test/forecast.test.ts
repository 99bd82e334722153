import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createSubgraphTestkit, type SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { testDatabaseTargets } from '@carbon-nexus/db';
import mlEngine from '../src/plugin.ts';

const SUP = '33333333-3333-4333-8333-333333333333';
const H = 3600_000;
const WEEKS = 5;

const FORECAST = /* GraphQL */ `
  query($entityType: String, $entityId: String, $h: Int) {
    forecast(entityType: $entityType, entityId: $entityId, horizonHours: $h) {
      id entityType entityId horizonHours model historySource historyHours createdAt
      series { t mean lo80 hi80 lo95 hi95 }
      backtest { folds hours cvRmseDaily coverage80 coverage95 }
    }
  }
`;

describe.each(testDatabaseTargets())('forecast (%s)', (target) => {
  let kit: SubgraphTestkit;
  const end = Math.floor(Date.now() / H) * H;
  beforeAll(async () => {
    kit = await createSubgraphTestkit(mlEngine, { target });
    // WEEKS weeks of hourly predictions with a daily and weekly pattern and deterministic noise.
    const ts: string[] = [];
    const kg: number[] = [];
    for (let t = end - WEEKS * 168 * H; t < end; t += H) {
      const d = new Date(t);
      const daily = 1 + 0.5 * Math.sin(((d.getUTCHours() - 6) / 24) * 2 * Math.PI);
      const weekly = d.getUTCDay() === 0 || d.getUTCDay() === 6 ? 0.6 : 1;
      const noise = 1 + 0.05 * Math.sin(t / 7919);
      ts.push(d.toISOString());
      kg.push(100 * daily * weekly * noise);
    }
    await kit.db.query(
      `INSERT INTO predictions (id, model, model_version, input_hash, supplier_id, event_type, "timestamp", output_co2_kg)
       SELECT gen_random_uuid(), 'logistics', '1.0.0', 'f' || u.ts, $3::uuid, 'transport', u.ts, u.kg
       FROM unnest($1::timestamptz[], $2::float8[]) AS u(ts, kg)`,
      [ts, kg, SUP],
    );
  });
  afterAll(async () => kit?.stop());

  it('returns 168 hourly points with ordered bands, a backtest, and persists it', async () => {
    const { forecast } = await kit.query(FORECAST, {});
    expect(forecast.entityType).toBe('total');
    expect(forecast.series).toHaveLength(168);
    expect(forecast.historySource).toBe('predictions');
    expect(forecast.historyHours).toBe(WEEKS * 168);
    expect(Date.parse(forecast.series[0].t)).toBe(end);
    for (let i = 0; i < forecast.series.length; i++) {
      const p = forecast.series[i];
      if (i > 0) expect(Date.parse(p.t) - Date.parse(forecast.series[i - 1].t)).toBe(H);
      expect(p.lo95).toBeLessThanOrEqual(p.lo80);
      expect(p.lo80).toBeLessThanOrEqual(p.mean);
      expect(p.mean).toBeLessThanOrEqual(p.hi80);
      expect(p.hi80).toBeLessThanOrEqual(p.hi95);
    }
    // the weekly pattern is learned: weekday noon above weekend noon
    const at = (day: number, hour: number) => forecast.series.find((p: any) => new Date(p.t).getUTCDay() === day && new Date(p.t).getUTCHours() === hour).mean;
    expect(at(3, 12)).toBeGreaterThan(at(0, 12));
    expect(forecast.backtest.folds).toBeGreaterThanOrEqual(1);
    expect(forecast.backtest.cvRmseDaily).toBeLessThan(0.15);
    const rows = await kit.db.query<any>(`SELECT entity_type, entity_id, horizon_hours, series, metrics FROM forecasts WHERE id = $1`, [forecast.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].series).toHaveLength(168);
    expect(rows[0].metrics.backtest.folds).toBe(forecast.backtest.folds);
  });

  it('reuses a forecast younger than an hour', async () => {
    const a = (await kit.query(FORECAST, {})).forecast;
    const b = (await kit.query(FORECAST, {})).forecast;
    expect(b.id).toBe(a.id);
    expect(b.createdAt).toBe(a.createdAt);
  });

  it('forecasts a supplier via the Supplier entity and the forecastDaily job persists total and supplier forecasts', async () => {
    const r = await kit.entities('Supplier', [{ id: SUP }], `id forecast(horizonHours: 48) { entityType entityId series { mean } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data!._entities[0].forecast.entityId).toBe(SUP);
    expect(r.data!._entities[0].forecast.series).toHaveLength(48);
    const before = await kit.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM forecasts WHERE horizon_hours = 168`);
    await kit.runJob('forecastDaily');
    const after = await kit.db.query<{ entity_type: string; entity_id: string }>(`SELECT entity_type, entity_id FROM forecasts WHERE horizon_hours = 168`);
    expect(after.length).toBe(before[0]!.n + 2);
    expect(after.some((x) => x.entity_type === 'supplier' && x.entity_id === SUP)).toBe(true);
  });

  it('names bad arguments and refuses a total to a supplier-scoped token', async () => {
    const a = await kit.execute(FORECAST, { h: 0 });
    expect(a.errors?.[0]?.extensions?.field).toBe('horizonHours');
    const b = await kit.execute(FORECAST, { entityType: 'planet' });
    expect(b.errors?.[0]?.extensions?.field).toBe('entityType');
    const c = await kit.execute(FORECAST, {}, { auth: { sub: 'p', roles: ['partner'], supplierIds: [SUP] } });
    expect(c.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('reports NOT_ENOUGH_DATA for an entity without a week of history', async () => {
    const r = await kit.execute(FORECAST, { entityType: 'supplier', entityId: '44444444-4444-4444-8444-444444444444' });
    expect(r.errors?.[0]?.extensions?.code).toBe('NOT_ENOUGH_DATA');
  });
});
