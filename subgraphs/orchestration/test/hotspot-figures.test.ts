// Hotspots and baselines measure data-core's one figure per event, whatever its method: events with FUEL, ACTIVITY,
// ENERGY and MODEL figures (the last filled in from ml-engine's prediction) give a hotspot whose predictedKg and
// eventCount are exactly those events' stored figures and count, and baselines that are medians of the same hourly
// sums emissionsSeries shows. REAL data-core, ml-engine and orchestration.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@carbon-nexus/db';
import { waitFor, type SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { median } from '../src/domain/time.ts';
import { createSupplier, HOUR, startKit } from './helpers.ts';

const ANALYST = { sub: 'ana', roles: ['analyst'], supplierIds: null };
const dc = { plugin: 'data-core' } as const;

describe.each(testDatabaseTargets())("hotspots and baselines on data-core's figure (%s)", (target) => {
  let kit: SubgraphTestkit;
  let haul: string;
  let plant: string;
  const hourStart = Math.floor(Date.now() / HOUR) * HOUR;
  // Three whole past hours of events, so baselines (whole hours before now) see exactly them.
  const at = (hoursBack: number, min: number) => new Date(hourStart - hoursBack * HOUR + min * 60_000).toISOString();
  const from = new Date(hourStart - 3 * HOUR).toISOString();
  const to = new Date(hourStart).toISOString();

  beforeAll(async () => {
    kit = await startKit({ target, mlEngine: true, env: { HOTSPOT_MIN_EVENTS: '1' } });
    haul = await createSupplier(kit, 'Haul', 'TRANSPORT', 'GB');
    plant = await createSupplier(kit, 'Plant', 'FACTORY', 'DE');
    const events = [];
    for (const h of [3, 2, 1]) {
      events.push(
        {
          externalId: `f${h}`,
          supplierId: haul,
          eventType: 'TRANSPORT',
          timestamp: at(h, 10),
          distanceKm: 100,
          loadKg: 20000,
          vehicleType: 'articulated_40_44t',
          fuelType: 'diesel',
          fuelL: 28 + h,
        },
        {
          externalId: `a${h}`,
          supplierId: haul,
          eventType: 'TRANSPORT',
          timestamp: at(h, 25),
          distanceKm: 60 * h,
          loadKg: 9000,
          vehicleType: 'rigid_12_20t',
        },
        {
          externalId: `e${h}`,
          supplierId: haul,
          eventType: 'TRANSPORT',
          timestamp: at(h, 40),
          distanceKm: 50,
          vehicleType: 'ev_truck',
          energyKwh: 40 + 10 * h,
          region: 'UK',
        },
        {
          externalId: `k${h}`,
          supplierId: plant,
          eventType: 'FACTORY',
          timestamp: at(h, 15),
          energyKwh: 500 * h,
          gasKwh: 100,
          productionUnits: 300,
        },
        {
          externalId: `m${h}`,
          supplierId: plant,
          eventType: 'FACTORY',
          timestamp: at(h, 45),
          productionUnits: 200 + 100 * h,
        },
      );
    }
    const r = await kit.query<any>(
      `mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted } }`,
      { e: events },
      dc,
    );
    expect(r.ingestEvents.accepted).toBe(events.length);
    await waitFor(
      'the MODEL figures',
      async () => {
        const [row] = await kit.db.query<{ n: number }>(
          `SELECT COUNT(*)::int AS n FROM events_normalized WHERE co2e_kg IS NULL`,
        );
        return row.n === 0;
      },
      60_000,
    );
  }, 300_000);
  afterAll(async () => kit?.stop());

  it('a hotspot is the sum of the stored figures of its window’s events, every method included', async () => {
    const ev = await kit.query<any>(
      `query($f: EventFilter) { events(filter: $f, first: 100) { nodes { supplierId co2eKg method } } }`,
      { f: { from, to } },
      dc,
    );
    expect(new Set(ev.events.nodes.map((n: any) => n.method))).toEqual(
      new Set(['FUEL', 'ACTIVITY', 'ENERGY', 'MODEL']),
    );
    const expected = new Map<string, { kg: number; n: number }>();
    for (const n of ev.events.nodes) {
      const e = expected.get(n.supplierId) ?? { kg: 0, n: 0 };
      e.kg += n.co2eKg;
      e.n++;
      expected.set(n.supplierId, e);
    }
    // A manual baseline of 1 kg/h makes both suppliers hot over the three hours.
    for (const s of [haul, plant]) {
      await kit.query(
        `mutation($i: BaselineOverrideInput!) { setBaselineOverride(input: $i) { id } }`,
        { i: { entityType: 'supplier', entityId: s, valueKgPerHour: 1 } },
        { auth: ANALYST },
      );
    }
    const d = await kit.query<any>(
      `mutation($s: String, $e: String) { detectHotspots(windowStart: $s, windowEnd: $e) { created } }`,
      { s: from, e: to },
      { auth: ANALYST },
    );
    expect(d.detectHotspots.created).toBe(2);
    const h = await kit.query<any>(`{ hotspots(first: 10) { nodes { entityId predictedKg baselineKg eventCount } } }`);
    for (const s of [haul, plant]) {
      const hot = h.hotspots.nodes.find((x: any) => x.entityId === s);
      expect(hot.predictedKg).toBeCloseTo(expected.get(s)!.kg, 6);
      expect(hot.eventCount).toBe(expected.get(s)!.n);
      expect(hot.baselineKg).toBeCloseTo(3, 9);
    }
  });

  it('baselines are medians of the hourly sums emissionsSeries shows, with their event counts', async () => {
    await kit.query(`mutation { recalculateBaselines { entities } }`, {}, { auth: ANALYST });
    const series = await kit.query<any>(
      `query($f: String!, $t: String!) { emissionsSeries(from: $f, to: $t, bucket: HOUR, groupBy: SUPPLIER) { key co2eKg eventCount } }`,
      { f: from, t: to },
      dc,
    );
    const b = await kit.query<any>(
      `{ baselines(entityType: "supplier", hourly: true, first: 100) { nodes { entityId method valueKgPerHour eventsPerHour samples isOverride } } }`,
    );
    for (const s of [haul, plant]) {
      const hours = series.emissionsSeries.filter((p: any) => p.key === s);
      expect(hours).toHaveLength(3);
      const flat = b.baselines.nodes.find((n: any) => n.entityId === s && n.method === 'flat_median' && !n.isOverride);
      expect(flat.samples).toBe(3);
      expect(flat.valueKgPerHour).toBeCloseTo(median(hours.map((p: any) => p.co2eKg)), 6);
      expect(flat.eventsPerHour).toBe(median(hours.map((p: any) => p.eventCount)));
    }
  });
});
