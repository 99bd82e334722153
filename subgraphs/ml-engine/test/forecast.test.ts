// Forecasts against a data-core MOCKED from its real SDL: the history is data-core's emissionsSeries (the one
// emission figure), so only its answers matter here. The mock serves hourly kg per supplier from a table the test
// writes; the end-to-end path through the real data-core is covered by pipeline.test.ts and prediction-queue.test.ts.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createSubgraphTestkit, mockPlugin, type SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { testDatabaseTargets } from '@carbon-nexus/db';
import mlEngine from '../src/plugin.ts';

const H = 3600_000;
const WEEKS = 4;

const FORECAST = /* GraphQL */ `
  query($entityType: String, $entityId: String, $h: Int) {
    forecast(entityType: $entityType, entityId: $entityId, horizonHours: $h) {
      id entityType entityId horizonHours model historySource historyHours createdAt
      series { t mean lo80 hi80 lo95 hi95 }
      backtest { folds hours cvRmseDaily coverage80 coverage95 }
    }
  }
`;
interface HourKg {
  supplierId: string;
  hour: number;
  kg: number;
}

/** data-core's emissionsSeries over the test's hourly figures (HOUR or DAY buckets, total or per supplier). */
function fakeDataCore(rows: HourKg[]) {
  return mockPlugin('data-core', {
    Query: {
      emissionsSeries(
        _: unknown,
        a: {
          from: string;
          to: string;
          bucket: 'HOUR' | 'DAY';
          groupBy: 'NONE' | 'SUPPLIER';
          supplierIds?: string[] | null;
        },
      ) {
        const size = a.bucket === 'DAY' ? 24 * H : H;
        const points = new Map<string, { bucketStart: string; key: string; co2eKg: number; eventCount: number }>();
        for (const r of rows) {
          if (r.hour < Date.parse(a.from) || r.hour >= Date.parse(a.to)) continue;
          if (a.supplierIds && !a.supplierIds.includes(r.supplierId)) continue;
          const start = Math.floor(r.hour / size) * size;
          const key = a.groupBy === 'SUPPLIER' ? r.supplierId : 'all';
          const p = points.get(`${key}|${start}`) ?? {
            bucketStart: new Date(start).toISOString(),
            key,
            co2eKg: 0,
            eventCount: 0,
          };
          p.co2eKg += r.kg;
          p.eventCount++;
          points.set(`${key}|${start}`, p);
        }
        return [...points.values()].map((p) => ({
          ...p,
          realCount: p.eventCount,
          predictedCount: 0,
          suspectCount: 0,
          pendingCount: 0,
        }));
      },
    },
  });
}

function expectOrdered(series: { mean: number; lo80: number; hi80: number; lo95: number; hi95: number }[]) {
  for (const p of series) {
    expect(p.lo95).toBeGreaterThanOrEqual(0);
    expect(p.lo95).toBeLessThanOrEqual(p.lo80);
    expect(p.lo80).toBeLessThanOrEqual(p.mean);
    expect(p.mean).toBeLessThanOrEqual(p.hi80);
    expect(p.hi80).toBeLessThanOrEqual(p.hi95);
  }
}

describe.each(testDatabaseTargets())('forecast of data-core emissions (%s)', (target) => {
  let kit: SubgraphTestkit;
  let steady: string;
  let joined: string;
  let fresh: string;
  const end = Math.floor(Date.now() / H) * H;

  const rows: HourKg[] = [];
  let dataCore: ReturnType<typeof fakeDataCore>;
  /** One articulated-truck leg per hour; its kg carries a daily and weekly pattern. */
  function legs(supplierId: string, from: number, to: number, scale: number) {
    for (let t = from; t < to; t += H) {
      const d = new Date(t);
      const daily = 1 + 0.5 * Math.sin(((d.getUTCHours() - 6) / 24) * 2 * Math.PI);
      const weekly = d.getUTCDay() === 0 || d.getUTCDay() === 6 ? 0.6 : 1;
      const noise = 1 + 0.05 * Math.sin(t / 7919);
      rows.push({ supplierId, hour: t, kg: 95 * scale * daily * weekly * noise });
    }
  }

  beforeAll(async () => {
    steady = '11111111-1111-4111-8111-111111111111';
    joined = '22222222-2222-4222-8222-222222222222';
    fresh = '33333333-3333-4333-8333-333333333333';
    legs(steady, end - WEEKS * 168 * H, end, 1);
    // a supplier that joined three days ago at twice the size: the total shifts up
    legs(joined, end - 72 * H, end, 2);
    legs(fresh, end - 10 * H, end, 1);
    dataCore = fakeDataCore(rows);
    kit = await createSubgraphTestkit(mlEngine, { with: [dataCore], target });
  });
  afterAll(async () => kit?.stop());

  it('forecasts the total from data-core emissionsSeries: 168 ordered hourly points continuing the same figure', async () => {
    const { forecast } = await kit.query(FORECAST, {});
    expect(forecast.entityType).toBe('total');
    expect(forecast.historySource).toBe('emissionsSeries');
    expect(forecast.historyHours).toBe(WEEKS * 168);
    expect(forecast.series).toHaveLength(168);
    expect(Date.parse(forecast.series[0].t)).toBe(end);
    for (let i = 1; i < forecast.series.length; i++)
      expect(Date.parse(forecast.series[i].t) - Date.parse(forecast.series[i - 1].t)).toBe(H);
    expectOrdered(forecast.series);
    // it continues data-core's numbers: the first forecast day sits at the level of the last day of emissionsSeries
    // (after the new supplier joined), not at the older, lower level
    const lastDay = rows.filter((r) => r.hour >= end - 24 * H).reduce((a, r) => a + r.kg, 0);
    const firstDay = forecast.series.slice(0, 24).reduce((a: number, p: any) => a + p.mean, 0);
    expect(lastDay).toBeGreaterThan(0);
    expect(firstDay / lastDay).toBeGreaterThan(0.8);
    expect(firstDay / lastDay).toBeLessThan(1.25);
    const stored = await kit.db.query<any>(`SELECT series, metrics FROM forecasts WHERE id = $1`, [forecast.id]);
    expect(stored[0].series).toHaveLength(168);
    expect(stored[0].metrics.historySource).toBe('emissionsSeries');
    // the history asked of data-core: 8 weeks of hourly totals up to this hour, all suppliers
    const asked = dataCore.callsOf('Query.emissionsSeries').at(-1)!.args;
    expect(asked).toMatchObject({
      bucket: 'HOUR',
      groupBy: 'NONE',
      to: new Date(end).toISOString(),
      from: new Date(end - 8 * 168 * H).toISOString(),
    });
    expect(asked.supplierIds ?? null).toBeNull();
  });

  it('learns the weekly pattern of a supplier and backtests it', async () => {
    const { forecast } = await kit.query(FORECAST, { entityType: 'supplier', entityId: steady });
    expectOrdered(forecast.series);
    const at = (day: number, hour: number) =>
      forecast.series.find((p: any) => new Date(p.t).getUTCDay() === day && new Date(p.t).getUTCHours() === hour).mean;
    expect(at(3, 12)).toBeGreaterThan(at(0, 12));
    expect(forecast.backtest.folds).toBeGreaterThanOrEqual(1);
    expect(forecast.backtest.cvRmseDaily).toBeLessThan(0.15);
    expect(dataCore.callsOf('Query.emissionsSeries').at(-1)!.args.supplierIds).toEqual([steady]);
  });

  it('forecasts a supplier with three days of history with ordered, wide bands', async () => {
    const { forecast } = await kit.query(FORECAST, { entityType: 'supplier', entityId: joined, h: 48 });
    expect(forecast.historyHours).toBe(72);
    expect(forecast.backtest).toBeNull();
    expectOrdered(forecast.series);
    for (const p of forecast.series) if (p.mean > 0) expect(p.hi80).toBeGreaterThan(p.mean * 1.2);
  });

  it('reuses a forecast younger than an hour', async () => {
    const a = (await kit.query(FORECAST, {})).forecast;
    const b = (await kit.query(FORECAST, {})).forecast;
    expect(b.id).toBe(a.id);
    expect(b.createdAt).toBe(a.createdAt);
  });

  it('forecasts a supplier via the Supplier entity and the forecastDaily job persists total and supplier forecasts', async () => {
    const r = await kit.entities(
      'Supplier',
      [{ id: steady }],
      `id forecast(horizonHours: 48) { entityType entityId series { mean } }`,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!._entities[0].forecast.entityId).toBe(steady);
    expect(r.data!._entities[0].forecast.series).toHaveLength(48);
    const before = await kit.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM forecasts WHERE horizon_hours = 168`,
    );
    await kit.runJob('forecastDaily');
    const after = await kit.db.query<{ entity_type: string; entity_id: string }>(
      `SELECT entity_type, entity_id FROM forecasts WHERE horizon_hours = 168`,
    );
    // total + steady + joined (fresh has too little history and is skipped)
    expect(after.length).toBe(before[0]!.n + 3);
    expect(after.some((x) => x.entity_type === 'supplier' && x.entity_id === steady)).toBe(true);
    expect(after.some((x) => x.entity_type === 'supplier' && x.entity_id === fresh)).toBe(false);
  });

  it('names bad arguments and refuses a total to a supplier-scoped token', async () => {
    const a = await kit.execute(FORECAST, { h: 0 });
    expect(a.errors?.[0]?.extensions?.field).toBe('horizonHours');
    const b = await kit.execute(FORECAST, { entityType: 'planet' });
    expect(b.errors?.[0]?.extensions?.field).toBe('entityType');
    const c = await kit.execute(FORECAST, {}, { auth: { sub: 'p', roles: ['partner'], supplierIds: [steady] } });
    expect(c.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('reports NOT_ENOUGH_DATA for an entity with less than two days of history', async () => {
    const r = await kit.execute(FORECAST, { entityType: 'supplier', entityId: fresh });
    expect(r.errors?.[0]?.extensions?.code).toBe('NOT_ENOUGH_DATA');
    expect(r.errors?.[0]?.message).toMatch(/48 hours/);
    const none = await kit.execute(FORECAST, {
      entityType: 'supplier',
      entityId: '44444444-4444-4444-8444-444444444444',
    });
    expect(none.errors?.[0]?.extensions?.code).toBe('NOT_ENOUGH_DATA');
  });
});
