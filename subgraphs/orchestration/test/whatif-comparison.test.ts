// What-if through data-core's method engine (estimateEmissions via services.call, REAL data-core) on
// recent data-core activity, a hotspot's window, or explicit activities; and the supplier comparison (intensity per
// t·km, ranking, trend) over data-core's API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@carbon-nexus/db';
import type { SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { createSupplier, HOUR, ingest, leg, startKit } from './helpers.ts';

const SIM = `mutation($i: SimulationInput!) { simulate(input: $i) { id newValue delta deltaPct baselineValue explanation model modelVersion basisEvents
  notes supplier { id } route hotspotId windowStart windowEnd changes { feature from to note } contributions { feature contributionKg }
  before { co2eKg methods { method events co2eKg } factors { id version source co2eKg } }
  after { co2eKg methods { method events co2eKg } factors { id version source co2eKg } } } }`;
const EST = `query($a: [ActivityInput!]!) { estimateEmissions(activities: $a) { co2eKg method factors { id role } errors { field reason } } }`;
const VIEWER = { sub: 'vic', roles: ['viewer'], supplierIds: null };

type Side = {
  co2eKg: number;
  methods: { method: string; events: number; co2eKg: number }[];
  factors: { id: string; version: string; source: string; co2eKg: number }[];
};
type Sim = {
  simulate: {
    id: string;
    newValue: number;
    delta: number;
    baselineValue: number;
    explanation: string;
    basisEvents: number;
    notes: string[];
    changes: any[];
    contributions: any[];
    before: Side;
    after: Side;
    supplier: { id: string } | null;
    hotspotId: string | null;
    windowStart: string | null;
    windowEnd: string | null;
    model: string;
    modelVersion: string;
  };
};

describe.each(testDatabaseTargets())('what-if simulation and supplier comparison (real data-core, %s)', (target) => {
  let kit: SubgraphTestkit;
  let x: string, y: string;
  const now = new Date();
  const sumOf = async (supplierId: string, from: Date, to: Date) => {
    const ev = await kit.query<{ events: { nodes: { co2eKg: number }[] } }>(
      `query($f: EventFilter) { events(filter: $f, first: 1000) { nodes { co2eKg } } }`,
      { f: { supplierIds: [supplierId], eventTypes: ['TRANSPORT'], from: from.toISOString(), to: to.toISOString() } },
      { plugin: 'data-core' },
    );
    return ev.events.nodes.reduce((s, n) => s + n.co2eKg, 0);
  };
  const estimate = async (a: Record<string, unknown>[]) =>
    (
      await kit.query<{
        estimateEmissions: { co2eKg: number; method: string; factors: { id: string; role: string }[]; errors: any[] }[];
      }>(EST, { a }, { plugin: 'data-core' })
    ).estimateEmissions;

  beforeAll(async () => {
    kit = await startKit({ target });
    x = await createSupplier(kit, 'Heavy Haul');
    y = await createSupplier(kit, 'Light Loads');
    // Metered fuel (30 L per leg) on x and y; intensity per t·km follows the load.
    const events: ReturnType<typeof leg>[] = [];
    const fuelled = (s: string, hoursAgo: number, loadKg: number) => ({
      ...leg(s, new Date(now.getTime() - hoursAgo * HOUR), loadKg),
      fuelL: 30,
    });
    for (let h = 1; h <= 20; h++) {
      events.push(fuelled(x, h, 12_000), fuelled(y, h, 3_000)); // y runs light now
      events.push(fuelled(x, 24 + h, 12_000), fuelled(y, 24 + h, 12_000)); // fully loaded in the previous period
    }
    await ingest(kit, events);
  }, 300_000); // PGlite start + migration alone take 30-40 s on a loaded 2-core machine
  afterAll(async () => {
    await kit?.stop();
  });

  it('load change: the current value is the stored figures; the scenario moves them by the method engine; saved and audited', async () => {
    const r = await kit.query<Sim>(SIM, { i: { supplierId: x, loadChange: -20, lookbackHours: 22 } }, { auth: VIEWER });
    const s = r.simulate;
    expect(s.basisEvents).toBe(20);
    // The current value is exactly what data-core stores for those events (one figure everywhere).
    expect(s.baselineValue).toBeCloseTo(await sumOf(x, new Date(now.getTime() - 22 * HOUR), new Date()), 6);
    expect(s.before.methods).toEqual([{ method: 'FUEL', events: 20, co2eKg: s.baselineValue }]);
    expect(s.before.factors.map((f) => f.id).sort()).toEqual(['desnz.fuel.diesel.ttw', 'desnz.fuel.diesel.wtt']);
    expect(s.newValue).toBeLessThan(s.baselineValue);
    expect(s.newValue).toBeGreaterThan(s.baselineValue * 0.8); // load is only part of the fuel
    expect(s.after.methods).toEqual([{ method: 'FUEL scaled by ACTIVITY', events: 20, co2eKg: s.newValue }]);
    expect(s.delta).toBeCloseTo(s.newValue - s.baselineValue, 6);
    expect(s.changes).toEqual([expect.objectContaining({ feature: 'loadKg', from: 12_000, to: 9_600 })]);
    expect(s.explanation).toMatch(/Basis: 20 transport events of the last 22 h/);
    expect(s.explanation).toMatch(/load -20\.0 % per trip/);
    expect(s.model).toBe('method-engine');
    expect(s.modelVersion).toMatch(/\S/);
    const [saved] = await kit.db.query<{ new_value: number; user_id: string }>(
      `SELECT new_value, user_id FROM scenarios WHERE id = $1`,
      [s.id],
    );
    expect(saved).toEqual({ new_value: s.newValue, user_id: 'vic' });
    const audit = await kit.db.query(
      `SELECT 1 FROM audit_logs WHERE action = 'simulate' AND entity_id = $1 AND user_id = 'vic'`,
      [s.id],
    );
    expect(audit).toHaveLength(1);
  });

  it('modal shift road → rail: the shifted t·km at the full WTW rail factor (TTW + WTT), the rest unchanged', async () => {
    const base = (await kit.query<Sim>(SIM, { i: { supplierId: x, lookbackHours: 22 } })).simulate;
    expect(base.delta).toBeCloseTo(0, 6);
    const r = (
      await kit.query<Sim>(SIM, {
        i: { supplierId: x, lookbackHours: 22, modalShift: { kind: 'ROAD_TO_RAIL', sharePct: 50 } },
      })
    ).simulate;
    const tkm = 20 * 12 * 120; // 20 legs × 12 t × 120 km
    const [railPerTkm] = await estimate([{ vehicleType: 'rail', distanceKm: 1000, loadKg: 1000 }]);
    expect(railPerTkm.factors.map((f) => f.id).sort()).toEqual(['desnz.rail.freight.ttw', 'desnz.rail.freight.wtt']);
    expect(r.newValue).toBeCloseTo(base.baselineValue * 0.5 + tkm * 0.5 * (railPerTkm.co2eKg / 1000), 5);
    expect(r.after.factors.map((f) => f.id)).toEqual(
      expect.arrayContaining(['desnz.rail.freight.ttw', 'desnz.rail.freight.wtt']),
    );
    expect(r.explanation).toMatch(
      /by rail at 0\.03470 kg CO2e\/t·km WTW \(desnz\.rail\.freight\.ttw \+ desnz\.rail\.freight\.wtt\)/,
    );
  });

  it('battery-electric: the same class, kWh/km × the grid of the supplier region (direct, not scaled by diesel litres)', async () => {
    const ev = (await kit.query<Sim>(SIM, { i: { supplierId: x, lookbackHours: 22, fuelType: 'electric' } })).simulate;
    const one = await estimate([
      { distanceKm: 120, loadKg: 12_000, vehicleType: 'rigid_truck', fuelType: 'electric', region: 'UK' },
    ]);
    expect(one[0].factors.find((f) => f.role === 'BASIS')!.id).toBe('bev.truck.rigid-all.kwh-per-km'); // same class: all rigids
    expect(ev.newValue).toBeCloseTo(20 * one[0].co2eKg, 5);
    expect(ev.after.factors.map((f) => f.id).sort()).toEqual([
      'desnz.electricity.uk.generation',
      'desnz.electricity.uk.td',
      'desnz.electricity.uk.wtt-generation',
      'desnz.electricity.uk.wtt-td',
    ]);
    expect(ev.newValue).toBeLessThan(ev.baselineValue);
    expect(ev.newValue).toBeGreaterThan(ev.baselineValue * 0.15); // not the −91 % of a van
    // The dashboard's legacy "ev" vehicle means the same thing.
    const legacy = (await kit.query<Sim>(SIM, { i: { supplierId: x, lookbackHours: 22, vehicleType: 'ev' } })).simulate;
    expect(legacy.newValue).toBeCloseTo(ev.newValue, 6);
  });

  it('HVO, CNG and LNG are simulated with their sourced factors; a vehicle class change uses that class', async () => {
    const hvo = (await kit.query<Sim>(SIM, { i: { supplierId: x, lookbackHours: 22, fuelType: 'hvo' } })).simulate;
    expect(hvo.after.factors.map((f) => f.id).sort()).toEqual(['desnz.fuel.hvo.ttw', 'desnz.fuel.hvo.wtt']);
    expect(hvo.newValue).toBeLessThan(hvo.baselineValue * 0.3);
    expect(hvo.newValue).toBeGreaterThan(hvo.baselineValue * 0.1);
    const cng = (await kit.query<Sim>(SIM, { i: { supplierId: x, lookbackHours: 22, fuelType: 'cng' } })).simulate;
    expect(cng.after.factors.map((f) => f.id).sort()).toEqual(['desnz.fuel.cng.ttw', 'desnz.fuel.cng.wtt']);
    expect(cng.newValue).toBeLessThan(cng.baselineValue * 1.05);
    const artic = (
      await kit.query<Sim>(SIM, { i: { supplierId: x, lookbackHours: 22, vehicleType: 'articulated_40_44t' } })
    ).simulate;
    expect(artic.after.factors.every((f) => f.id.includes('artic-gt33t'))).toBe(true);
    expect(artic.changes[0].note).toMatch(/Articulated truck 40–44 t/);
    const lf = (await kit.query<Sim>(SIM, { i: { supplierId: y, lookbackHours: 22, loadFactor: 0.9 } })).simulate;
    // 3 t on rigid_truck (DESNZ "All rigids": 100 %-laden payload 0.93695 / 0.13155 t) → fewer, fuller trips.
    expect(lf.changes[0]).toMatchObject({ feature: 'load_factor', to: 0.9 });
    expect(lf.changes[0].from).toBeCloseTo(3 / (0.93695 / 0.13155), 2);
    expect(lf.newValue).toBeLessThan(lf.baselineValue);
  });

  it('a what-if can start from a hotspot: its supplier, route and window are the basis', async () => {
    const ws = new Date(Math.floor(now.getTime() / HOUR) * HOUR - 6 * HOUR);
    const we = new Date(ws.getTime() + 4 * HOUR);
    const [h] = await kit.db.query<{ id: string }>(
      `INSERT INTO hotspots (id, entity_type, entity_id, entity_name, supplier_id, metric_value, baseline, percent_above, severity, status, window_start, window_end)
       VALUES (gen_random_uuid(), 'route', 'R1', 'R1', $1, 500, 200, 150, 'critical', 'open', $2, $3) RETURNING id::text AS id`,
      [x, ws.toISOString(), we.toISOString()],
    );
    const r = (await kit.query<Sim>(SIM, { i: { hotspotId: h.id, loadChange: -10 } }, { auth: VIEWER })).simulate;
    const inWindow = await sumOf(x, ws, we);
    expect(r.basisEvents).toBe(4);
    expect(r.baselineValue).toBeCloseTo(inWindow, 6);
    expect(r).toMatchObject({
      hotspotId: h.id,
      supplier: { id: x },
      windowStart: ws.toISOString(),
      windowEnd: we.toISOString(),
    });
    expect(r.explanation).toMatch(new RegExp(`hotspot ${h.id} \\(route R1`));
    const missing = await kit.execute(SIM, { i: { hotspotId: '00000000-0000-4000-8000-000000000000' } });
    expect(missing.errors?.[0].message).toMatch(/^input\.hotspotId: no hotspot/);
    const scoped = await kit.execute(
      SIM,
      { i: { hotspotId: h.id } },
      { auth: { sub: 'p', roles: ['viewer'], supplierIds: [y] } },
    );
    expect(scoped.errors?.[0].message).toMatch(/^input\.(supplierId|hotspotId)/);
  });

  it('explicit activities: current value by the same engine (FUEL with litres), the seed shape {vehicle_type, route, load_change} → {new_value, delta}', async () => {
    const r = (
      await kit.query<Sim>(SIM, {
        i: {
          activities: [
            {
              distanceKm: 100,
              loadKg: 20_000,
              vehicleType: 'articulated_40_44t',
              fuelL: 32,
              fuelType: 'diesel',
              region: 'UK',
            },
          ],
          vehicleType: 'articulated_40_44t',
          loadChange: 10,
        },
      })
    ).simulate;
    expect(r.basisEvents).toBe(0);
    expect(r.baselineValue).toBeCloseTo(32 * (2.57082 + 0.61101), 6);
    expect(r.newValue).toBeGreaterThanOrEqual(r.baselineValue);
    expect(r.delta).toBeCloseTo(r.newValue - r.baselineValue, 6);
  });

  it('bad input names the field; a scoped caller cannot simulate another supplier', async () => {
    const bad = await kit.execute(SIM, { i: { supplierId: x, loadFactor: 1.5 } });
    expect(bad.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.loadFactor' } });
    const fuel = await kit.execute(SIM, { i: { supplierId: x, fuelType: 'hydrogen' } });
    expect(fuel.errors?.[0].message).toMatch(/^input\.fuelType: "hydrogen" is not in the factor set; accepted: .*hvo/);
    const veh = await kit.execute(SIM, { i: { supplierId: x, vehicleType: 'spaceship' } });
    expect(veh.errors?.[0].message).toMatch(
      /^input\.vehicleType: "spaceship" is not a known vehicle class; accepted: .*articulated_40_44t/,
    );
    const none = await kit.execute(SIM, { i: { supplierId: x, route: 'nowhere', lookbackHours: 22 } });
    expect(none.errors?.[0].message).toMatch(/^input\.route: no transport events/);
    const act = await kit.execute(SIM, { i: { activities: [{ distanceKm: 10, vehicleType: 'rail' }] } });
    expect(act.errors?.[0].message).toMatch(/^input\.activities\[0\]\.loadKg: required for rail freight/);
    const scoped = await kit.execute(
      SIM,
      { i: { supplierId: x, loadChange: 5 } },
      { auth: { sub: 'p', roles: ['viewer'], supplierIds: [y] } },
    );
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
    expect(second).toMatchObject({
      rank: 2,
      supplier: { id: x },
      eventCount: 20,
      tonneKm: 20 * 12 * 120,
      trend: 'FLAT',
    });
    // Intensity = data-core's stored figures over the t·km.
    const ev = await kit.query<{ events: { nodes: { co2eKg: number; tonneKm: number }[] } }>(
      `query($f: EventFilter) { events(filter: $f, first: 100) { nodes { co2eKg tonneKm } } }`,
      { f: { supplierIds: [y], from, to: now.toISOString() } },
      { plugin: 'data-core' },
    );
    const sum = (k: 'co2eKg' | 'tonneKm') => ev.events.nodes.reduce((s, n) => s + n[k], 0);
    expect(first.intensityKgPerTonneKm).toBeCloseTo(sum('co2eKg') / sum('tonneKm'), 9);
    expect(first.changePct).toBeGreaterThan(2);
    const bad = await kit.execute(
      `{ supplierComparison(from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z") { rankedBy } }`,
    );
    expect(bad.errors?.[0].message).toBe('to: must be after from');
  });
});
