// Hotspots per supplier, event type and route (HOTSPOT_ENTITY_TYPES=supplier,event_type,route), each measured on
// data-core's emissionsSeries grouped that way, with baselines of its own. REAL data-core.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@carbon-nexus/db';
import type { SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { createSupplier, figureOf, history, ingest, legsBefore, startKit } from './helpers.ts';

const ANALYST = { sub: 'ana', roles: ['analyst'], supplierIds: null };

describe.each(testDatabaseTargets())('hotspots by supplier, event type and route (%s)', (target) => {
  let kit: SubgraphTestkit;
  let a: string;
  let b: string;
  let legKg: number;

  beforeAll(async () => {
    kit = await startKit({ target, env: { HOTSPOT_ENTITY_TYPES: 'supplier,event_type,route' } });
    a = await createSupplier(kit, 'Hauler A');
    b = await createSupplier(kit, 'Hauler B');
    const now = new Date();
    const past = history([a, b], now, 30, 4); // every leg on route R1
    await ingest(kit, past);
    legKg = await figureOf(kit, past[0].externalId);
    await kit.query(`mutation { recalculateBaselines { entityType entities } }`, {}, { auth: ANALYST });
    // A runs 17 legs in the last hour, B its usual 4: route R1 and TRANSPORT carry 21 instead of 8 (+162.5 %; clear of
    // the 150 % threshold, which sums of floats could land a hair under).
    await ingest(kit, [...legsBefore(a, now, 17), ...legsBefore(b, now, 4)]);
  }, 300_000);
  afterAll(async () => kit?.stop());

  it('computes baselines per entity type from the matching series', async () => {
    const r = await kit.query<any>(`{ baselines(first: 100) { nodes { entityType entityId valueKgPerHour method } } }`);
    const flat = r.baselines.nodes.filter((n: any) => n.method === 'flat_median');
    expect(flat.map((n: any) => `${n.entityType}:${n.entityId}`).sort()).toEqual(
      [`event_type:transport`, `route:R1`, `supplier:${a}`, `supplier:${b}`].sort(),
    );
    expect(flat.find((n: any) => n.entityType === 'route').valueKgPerHour).toBeCloseTo(8 * legKg, 4);
    expect(flat.find((n: any) => n.entityType === 'event_type').valueKgPerHour).toBeCloseTo(8 * legKg, 4);
  });

  it('one cycle raises the supplier, event-type and route hotspots, each with its own figures and message', async () => {
    const d = await kit.query<any>(`mutation { detectHotspots { created alertsRaised } }`, {}, { auth: ANALYST });
    expect(d.detectHotspots).toMatchObject({ created: 3, alertsRaised: 3 });
    const h = await kit.query<any>(
      `{ hotspots(first: 10) { nodes { entityType entityId severity percentAbove eventCount supplier { id } alerts { message } } } }`,
    );
    const by = new Map(h.hotspots.nodes.map((n: any) => [n.entityType, n]));
    expect(by.get('supplier')).toMatchObject({
      entityId: a,
      severity: 'CRITICAL',
      eventCount: 17,
      supplier: { id: a },
    });
    expect((by.get('supplier') as any).percentAbove).toBeCloseTo(325, 3);
    for (const t of ['route', 'event_type']) {
      expect(by.get(t)).toMatchObject({ severity: 'CRITICAL', eventCount: 21, supplier: null });
      expect((by.get(t) as any).percentAbove).toBeCloseTo(162.5, 3);
    }
    expect((by.get('route') as any).alerts[0].message).toBe('Route R1 exceeded emissions by 163%');
    expect((by.get('event_type') as any).alerts[0].message).toBe('Event type transport exceeded emissions by 163%');
  });
});
