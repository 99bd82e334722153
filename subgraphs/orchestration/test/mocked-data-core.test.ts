// orchestration against a MOCKED data-core (built from data-core's real SDL, so the mock cannot drift from the
// contract): the behaviours that only need data-core's answers, not its logic — baselines and a detection cycle on
// data-core's hourly series (names from its entity lookup, or ids when it cannot answer), the what-if arithmetic on
// the method engine's estimates, and supplier scope checked before any call. hotspots.integration.test.ts and the
// what-if tests run the same plugin with the real data-core (the end-to-end contract).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSubgraphTestkit,
  mockPlugin,
  testDatabaseTargets,
  waitFor,
  type SubgraphTestkit,
} from '@carbon-nexus/plugin-sdk/testkit';
import type { AuthClaims } from '@carbon-nexus/plugin-sdk';
import orchestration from '../src/plugin.ts';
import { alertRaised, type AlertRaised } from '../client/index.ts';

const H = 3_600_000;
const S1 = '11111111-1111-4111-8111-111111111111';
const S2 = '22222222-2222-4222-8222-222222222222';
const iso = (t: number) => new Date(t).toISOString();
const ANALYST: AuthClaims = { sub: 'ana', roles: ['analyst'], supplierIds: null };
const VIEWER: AuthClaims = { sub: 'vic', roles: ['viewer'], supplierIds: null };

type SeriesArgs = { from: string; to: string; bucket: 'HOUR' | 'DAY'; groupBy: string; supplierIds?: string[] | null };
type Activity = { eventType: string; distanceKm?: number; loadKg?: number; country?: string; preferMethod?: string };

const FUEL_FACTOR = {
  id: 'desnz.fuel.diesel.ttw',
  version: '2025',
  source: 'DESNZ',
  unit: 'L',
  boundary: 'TTW',
  result: 100,
  role: 'EMISSION',
};
const TKM_FACTOR = {
  id: 'desnz.hgv.rigid.tkm',
  version: '2025',
  source: 'DESNZ',
  unit: 't.km',
  boundary: 'WTW',
  role: 'EMISSION',
};

/**
 * A stand-in for data-core: every hour both suppliers emit 100 kg in 4 events, except S1 in `spikeFrom`..+1 h (300 kg
 * in 12 events); S1's recent transport legs (120 km, 12 t, a FUEL figure of 100 kg each); an ACTIVITY estimate of
 * 0.1 kg per t·km.
 */
function fakeDataCore(spikeFrom: number, opts: { namesDown?: () => boolean } = {}) {
  return mockPlugin('data-core', {
    Query: {
      emissionsSeries(_: unknown, a: SeriesArgs) {
        const points = [];
        for (let t = Math.ceil(Date.parse(a.from) / H) * H; t < Date.parse(a.to); t += H) {
          for (const s of [S1, S2]) {
            const spike = s === S1 && t >= spikeFrom && t < spikeFrom + H;
            const n = spike ? 12 : 4;
            points.push({
              bucketStart: iso(t),
              key: s,
              co2eKg: 25 * n,
              eventCount: n,
              realCount: n,
              predictedCount: 0,
              suspectCount: 0,
            });
          }
        }
        return points;
      },
      events(_: unknown, a: { filter?: { supplierIds?: string[] } }) {
        const nodes = a.filter?.supplierIds?.includes(S1)
          ? [1, 2].map((i) => ({
              id: `00000000-0000-4000-8000-00000000000${i}`,
              eventType: 'TRANSPORT',
              timestamp: iso(Date.now() - i * H),
              distanceKm: 120,
              loadKg: 12_000,
              vehicleType: 'rigid_12_20t',
              fuelType: 'diesel',
              fuelL: 38,
              fuelKg: null,
              energyKwh: null,
              route: 'R1',
              region: null,
              refrigerated: null,
              productionUnits: null,
              areaM2: null,
              tonneKm: 1440,
              co2eKg: 100,
              method: 'FUEL',
              dataSource: 'API',
              qualityStatus: 'VALID',
              supplierId: S1,
              factors: [FUEL_FACTOR],
            }))
          : [];
        return { nodes, pageInfo: { hasNextPage: false, endCursor: null } };
      },
      supplier: (_: unknown, a: { id: string }) => ({ id: a.id, country: 'GB' }),
      vehicleClasses: () => [
        { id: 'rigid_12_20t', label: 'Rigid 12-20 t', mode: 'hgv', electric: false, payloadKg: 9_000 },
      ],
      estimateEmissions(_: unknown, a: { activities: Activity[] }) {
        return a.activities.map((x, index) => {
          const tkm = ((x.loadKg ?? 0) / 1000) * (x.distanceKm ?? 0);
          const factors = [{ ...TKM_FACTOR, result: tkm * 0.1 }];
          return {
            index,
            co2eKg: tkm * 0.1,
            method: 'ACTIVITY',
            methodNote: null,
            vehicleClass: 'rigid_12_20t',
            factorSet: 'fs-2025',
            factors,
            errors: [],
          };
        });
      },
    },
    Supplier: {
      __resolveReference(ref: { id: string }) {
        if (opts.namesDown?.()) throw new Error('data-core is restarting');
        return {
          id: ref.id,
          name: ref.id === S1 ? 'North Haul' : 'Rhine Freight',
          category: 'TRANSPORT',
          country: 'GB',
        };
      },
    },
  });
}

describe.each(testDatabaseTargets())('orchestration on %s with a mocked data-core', (target) => {
  const spikeFrom = Math.floor(Date.now() / H) * H - 3 * H;
  let namesDown = false;
  const mock = fakeDataCore(spikeFrom, { namesDown: () => namesDown });
  let kit: SubgraphTestkit;
  const heard: AlertRaised[] = [];

  beforeAll(async () => {
    kit = await createSubgraphTestkit(orchestration, { with: [mock], target, env: { HOTSPOT_WINDOW_MINUTES: '60' } });
    kit.services.bus.subscribe(alertRaised, (p) => void heard.push(p));
  }, 300_000); // PGlite start + migration alone take 30-40 s on a loaded 2-core machine
  afterAll(async () => {
    await kit?.stop();
  });

  it("baselines and a detection cycle on data-core's hourly series: one CRITICAL hotspot, named, flagged as a backfill", async () => {
    const RECALC = `mutation($t: String) { recalculateBaselines(asOf: $t) { entityType rows entities } }`;
    const r = await kit.query<any>(RECALC, { t: iso(spikeFrom) }, { auth: ANALYST });
    expect(r.recalculateBaselines).toEqual([{ entityType: 'supplier', rows: expect.any(Number), entities: 2 }]);
    // Four weeks of hourly history, grouped by supplier: one emissionsSeries call per entity type.
    expect(mock.callsOf('Query.emissionsSeries').map((c) => c.args)).toEqual([
      {
        from: iso(spikeFrom - 4 * 7 * 24 * H),
        to: iso(spikeFrom),
        bucket: 'HOUR',
        groupBy: 'SUPPLIER',
        supplierIds: null,
      },
    ]);

    const DETECT = `mutation($s: String, $e: String) { detectHotspots(windowStart: $s, windowEnd: $e) { entitiesEvaluated created alertsRaised } }`;
    const d = await kit.query<any>(DETECT, { s: iso(spikeFrom), e: iso(spikeFrom + H) }, { auth: ANALYST });
    expect(d.detectHotspots).toEqual({ entitiesEvaluated: 2, created: 1, alertsRaised: 1 });
    const HOTSPOTS = `{ hotspots(first: 10) { nodes { entityId entityName severity percentAbove predictedKg baselineKg eventCount
      baselineMethod baselineEvents backfill alerts { message backfill } } } }`;
    const h = (await kit.query<any>(HOTSPOTS, {}, { auth: VIEWER })).hotspots.nodes;
    expect(h).toEqual([
      {
        entityId: S1,
        entityName: 'North Haul',
        severity: 'CRITICAL',
        percentAbove: 200,
        predictedKg: 300,
        baselineKg: 100,
        eventCount: 12,
        // Four weeks give each hour of the week 4 samples (< 8): the hour of day on the same kind of day (20 or 8).
        baselineMethod: 'hour_of_day_median',
        baselineEvents: 4,
        // The window ended two hours ago (more than one detection window): a backfill, and its alert says so.
        backfill: true,
        alerts: [{ message: 'North Haul exceeded emissions by 200%', backfill: true }],
      },
    ]);
    await waitFor('the alert on the bus', () => heard.length > 0, 5_000);
    expect(heard[0]).toMatchObject({ supplierId: S1, level: 'critical', backfill: true });
    // Names are asked for once per cycle, only for suppliers that may raise an alert.
    expect(mock.callsOf('Supplier.__resolveReference').map((c) => c.args)).toEqual([
      { __typename: 'Supplier', id: S1 },
    ]);

    // data-core cannot name suppliers: detection goes on, the alert names the supplier by id.
    namesDown = true;
    await kit.query(
      `mutation($i: BaselineOverrideInput!) { setBaselineOverride(input: $i) { id } }`,
      { i: { entityType: 'supplier', entityId: S2, valueKgPerHour: 40 } },
      { auth: ANALYST },
    );
    const d2 = await kit.query<any>(DETECT, { s: iso(spikeFrom + H), e: iso(spikeFrom + 2 * H) }, { auth: ANALYST });
    expect(d2.detectHotspots.created).toBe(1);
    const ALERTS = `{ alerts(first: 10) { nodes { level message supplier { id } hotspot { baselineMethod baselineEvents } } } }`;
    const alerts = (await kit.query<any>(ALERTS, {}, { auth: VIEWER })).alerts.nodes;
    expect(alerts[0]).toEqual({
      level: 'CRITICAL',
      message: `${S2} exceeded emissions by 150%`,
      supplier: { id: S2 },
      // The override sets the level; the usual event count still comes from the data.
      hotspot: { baselineMethod: 'override', baselineEvents: 4 },
    });
  });

  it("the what-if moves each stored figure by the method engine's ACTIVITY ratio; scope is checked before any call", async () => {
    const SIM = `mutation($i: SimulationInput!) { simulate(input: $i) { newValue baselineValue delta basisEvents modelVersion
      before { methods { method events co2eKg } } after { methods { method events co2eKg } factors { id co2eKg } } changes { feature from to } } }`;
    const s = (
      await kit.query<any>(SIM, { i: { supplierId: S1, loadChange: -50, lookbackHours: 24 } }, { auth: VIEWER })
    ).simulate;
    // B × A(changed) / A(original) = 100 × 72 / 144 per event; the factors scale by B / A(original).
    expect(s).toEqual({
      newValue: 100,
      baselineValue: 200,
      delta: -100,
      basisEvents: 2,
      modelVersion: 'fs-2025',
      before: { methods: [{ method: 'FUEL', events: 2, co2eKg: 200 }] },
      after: {
        methods: [{ method: 'FUEL scaled by ACTIVITY', events: 2, co2eKg: 100 }],
        factors: [{ id: TKM_FACTOR.id, co2eKg: 100 }],
      },
      changes: [{ feature: 'loadKg', from: 12_000, to: 6_000 }],
    });
    const filter = mock.callsOf('Query.events')[0].args.filter as { from: string; to: string };
    expect(filter).toMatchObject({ supplierIds: [S1], eventTypes: ['TRANSPORT'] });
    expect(Date.parse(filter.to) - Date.parse(filter.from)).toBe(24 * H);
    // One estimate call: the originals, then the changed legs, all ACTIVITY, in the supplier's country.
    const asked = mock.callsOf('Query.estimateEmissions')[0].args.activities as Activity[];
    expect(asked.map((a: Activity) => [a.loadKg, a.preferMethod, a.country, a.eventType])).toEqual([
      [12_000, 'ACTIVITY', 'GB', 'TRANSPORT'],
      [12_000, 'ACTIVITY', 'GB', 'TRANSPORT'],
      [6_000, 'ACTIVITY', 'GB', 'TRANSPORT'],
      [6_000, 'ACTIVITY', 'GB', 'TRANSPORT'],
    ]);

    const calls = mock.calls.length;
    const scoped: AuthClaims = { sub: 'p', roles: ['partner'], supplierIds: [S2] };
    const denied = await kit.execute(SIM, { i: { supplierId: S1, loadChange: -50 } }, { auth: scoped });
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const bad = await kit.execute(SIM, { i: { supplierId: S1, loadChange: -150 } }, { auth: VIEWER });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.loadChange' });
    expect(mock.calls.length).toBe(calls);
  });
});
