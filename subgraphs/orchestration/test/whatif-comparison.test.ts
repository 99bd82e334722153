// What-if simulation through the REAL ml-engine (predictBatch via services.call) on recent data-core activity, and
// the supplier comparison (intensity per t·km, ranking, trend) over data-core's API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { createSupplier, HOUR, ingest, leg, startKit } from './helpers.ts';

const SIM = `mutation($i: SimulationInput!) { simulate(input: $i) { id newValue delta deltaPct baselineValue explanation model basisEvents
  changes { feature from to note } contributions { feature contributionKg } } }`;
const VIEWER = { sub: 'vic', roles: ['viewer'], supplierIds: null };

describe('what-if simulation and supplier comparison (real data-core + ml-engine, pglite)', () => {
  let kit: SubgraphTestkit;
  let x: string, y: string;
  const now = new Date();

  beforeAll(async () => {
    kit = await startKit();
    x = await createSupplier(kit, 'Heavy Haul');
    y = await createSupplier(kit, 'Light Loads');
    // Metered fuel (30 L per leg): data-core's estimate is fuel-based, so intensity per t·km follows the load.
    const events: ReturnType<typeof leg>[] = [];
    const fuelled = (s: string, hoursAgo: number, loadKg: number) => ({ ...leg(s, new Date(now.getTime() - hoursAgo * HOUR), loadKg), fuelL: 30 });
    for (let h = 1; h <= 20; h++) {
      events.push(fuelled(x, h, 12_000), fuelled(y, h, 3_000)); // y runs light now
      events.push(fuelled(x, 24 + h, 12_000), fuelled(y, 24 + h, 12_000)); // fully loaded in the previous period
    }
    await ingest(kit, events);
  }, 300_000); // PGlite start + migration alone take 30-40 s on a loaded 2-core machine
  afterAll(async () => {
    await kit?.stop();
  });

  type Sim = { simulate: { id: string; newValue: number; delta: number; baselineValue: number; explanation: string; basisEvents: number; changes: any[]; contributions: any[] } };

  it('load change: predicts basis and scenario, returns the delta in kg CO2e, saves and audits the scenario', async () => {
    const r = await kit.query<Sim>(SIM, { i: { supplierId: x, loadChange: -20, lookbackHours: 22 } }, { auth: VIEWER });
    const s = r.simulate;
    expect(s.basisEvents).toBe(20);
    expect(s.baselineValue).toBeGreaterThan(0);
    expect(s.newValue).toBeLessThan(s.baselineValue);
    expect(s.delta).toBeCloseTo(s.newValue - s.baselineValue, 6);
    expect(s.changes).toEqual([expect.objectContaining({ feature: 'load_kg', from: 12_000, to: 9_600 })]);
    expect(s.explanation).toMatch(/Basis: 20 transport events of the last 22 h/);
    expect(s.explanation).toMatch(/load -20\.0 % per trip/);
    expect(s.contributions.length).toBeGreaterThan(0);
    const [saved] = await kit.db.query<{ new_value: number; user_id: string }>(`SELECT new_value, user_id FROM scenarios WHERE id = $1`, [s.id]);
    expect(saved).toEqual({ new_value: s.newValue, user_id: 'vic' });
    const audit = await kit.db.query(`SELECT 1 FROM audit_logs WHERE action = 'simulate' AND entity_id = $1 AND user_id = 'vic'`, [s.id]);
    expect(audit).toHaveLength(1);
  });

  it('modal shift road -> rail: the shifted t·km at the sourced rail factor', async () => {
    const base = (await kit.query<Sim>(SIM, { i: { supplierId: x, lookbackHours: 22 } })).simulate;
    expect(base.delta).toBeCloseTo(0, 6);
    const r = (await kit.query<Sim>(SIM, { i: { supplierId: x, lookbackHours: 22, modalShift: { kind: 'ROAD_TO_RAIL', sharePct: 50 } } })).simulate;
    const tkm = 20 * 12 * 120; // 20 legs × 12 t × 120 km
    expect(r.newValue).toBeCloseTo(base.baselineValue * 0.5 + tkm * 0.5 * 0.00691, 6);
    expect(r.explanation).toMatch(/by rail at 0\.00691 kg CO2e\/t·km \(rail UK, UK DESNZ GHG conversion factors 2025\)/);
  });

  it('fuel switch to electric, vehicle change and load factor change the model features', async () => {
    const ev = (await kit.query<Sim>(SIM, { i: { supplierId: x, lookbackHours: 22, fuelType: 'electric' } })).simulate;
    expect(ev.changes[0]).toMatchObject({ feature: 'vehicle_class', from: 0, to: 3 });
    expect(ev.newValue).not.toBeCloseTo(ev.baselineValue, 3);
    const lf = (await kit.query<Sim>(SIM, { i: { supplierId: y, lookbackHours: 22, loadFactor: 0.9 } })).simulate;
    // 3 t on a 17 t rigid = 0.18 load factor: at 0.9 the same tonnage needs a fifth of the trips.
    expect(lf.changes[0]).toMatchObject({ feature: 'load_factor', to: 0.9 });
    expect(lf.changes[0].from).toBeCloseTo(3 / 17, 6);
    expect(lf.newValue).toBeLessThan(lf.baselineValue);
    const explicit = (await kit.query<Sim>(SIM, {
      i: { features: [{ name: 'distance_km', value: 100 }, { name: 'load_kg', value: 10_000 }, { name: 'speed_kmh', value: 60 }, { name: 'gradient_pct', value: 0 },
        { name: 'stops_per_100km', value: 2 }, { name: 'idle_min', value: 0 }, { name: 'refrigerated', value: 0 }, { name: 'empty_share', value: 0 },
        { name: 'vehicle_class', value: 1 }, { name: 'grid_factor_kg_per_kwh', value: 0.177 }], distanceChange: 50 },
    })).simulate;
    expect(explicit.basisEvents).toBe(0);
    expect(explicit.newValue).toBeGreaterThan(explicit.baselineValue);
  });

  it('bad input names the field; a scoped caller cannot simulate another supplier', async () => {
    const bad = await kit.execute(SIM, { i: { supplierId: x, loadFactor: 1.5 } });
    expect(bad.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.loadFactor' } });
    const fuel = await kit.execute(SIM, { i: { supplierId: x, fuelType: 'hydrogen' } });
    expect(fuel.errors?.[0].message).toMatch(/^input\.fuelType: "hydrogen" is not modelled/);
    const none = await kit.execute(SIM, { i: { supplierId: x, route: 'nowhere', lookbackHours: 22 } });
    expect(none.errors?.[0].message).toMatch(/^input\.route: no transport events/);
    const scoped = await kit.execute(SIM, { i: { supplierId: x, loadChange: 5 } }, { auth: { sub: 'p', roles: ['viewer'], supplierIds: [y] } });
    expect(scoped.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('ranks suppliers by kg CO2e per t·km with the trend against the previous period', async () => {
    const from = new Date(now.getTime() - 22 * HOUR).toISOString();
    const r = await kit.query<{ supplierComparison: { rankedBy: string; rows: any[] } }>(
      `query($from: String!, $to: String!) { supplierComparison(from: $from, to: $to) { rankedBy rows { rank supplier { id } co2eKg tonneKm
        intensityKgPerTonneKm eventCount kgPerEvent previousIntensityKgPerTonneKm changePct trend } } }`,
      { from, to: now.toISOString() },
    );
    expect(r.supplierComparison.rankedBy).toBe('kg CO2e per t·km');
    const [first, second] = r.supplierComparison.rows;
    expect(first).toMatchObject({ rank: 1, supplier: { id: y }, eventCount: 20, tonneKm: 20 * 3 * 120, trend: 'UP' });
    expect(second).toMatchObject({ rank: 2, supplier: { id: x }, eventCount: 20, tonneKm: 20 * 12 * 120, trend: 'FLAT' });
    // Intensity = data-core's own activity estimates over the t·km.
    const ev = await kit.query<{ events: { nodes: { co2eKg: number; tonneKm: number }[] } }>(
      `query($f: EventFilter) { events(filter: $f, first: 100) { nodes { co2eKg tonneKm } } }`,
      { f: { supplierIds: [y], from, to: now.toISOString() } },
      { plugin: 'data-core' },
    );
    const sum = (k: 'co2eKg' | 'tonneKm') => ev.events.nodes.reduce((s, n) => s + n[k], 0);
    expect(first.intensityKgPerTonneKm).toBeCloseTo(sum('co2eKg') / sum('tonneKm'), 9);
    expect(first.changePct).toBeGreaterThan(2);
    const bad = await kit.execute(`{ supplierComparison(from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z") { rankedBy } }`);
    expect(bad.errors?.[0].message).toBe('to: must be after from');
  });
});
