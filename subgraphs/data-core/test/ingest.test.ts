import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { testDatabaseTargets } from '@carbon-nexus/plugin-sdk/testkit';
import type { SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { kitFor, supplier, ingest, hoursAgo } from './helpers.ts';
import { validateEvent } from '../src/ingest/validate.ts';
import { FACTORS } from '../src/domain/factors/index.ts';

describe('validateEvent (per field, per event type)', () => {
  const opts = { defaultSource: 'api' as const, allowGapFill: false };
  const sid = '6f1c7a52-1111-4c4c-8888-123456789abc';
  const errs = (e: unknown) => {
    const r = validateEvent(e, opts);
    return r.ok ? [] : r.errors;
  };
  it('names the field and reason for each bad value', () => {
    const e = errs({
      supplierId: sid,
      eventType: 'TRANSPORT',
      timestamp: '2026-01-01T10:00:00Z',
      distanceKm: -5,
      loadKg: 70000,
      speedKmh: 200,
    });
    expect(e).toEqual(
      expect.arrayContaining([
        { field: 'distanceKm', reason: 'must be between 0 and 20000 km' },
        { field: 'loadKg', reason: 'must be between 0 and 60000 kg' },
        { field: 'speedKmh', reason: 'must be between 0 and 160 km/h' },
      ]),
    );
  });
  it('requires a time zone and rejects the future', () => {
    expect(errs({ supplierId: sid, eventType: 'factory', timestamp: '2026-01-01T10:00:00', energyKwh: 1 })).toEqual([
      { field: 'timestamp', reason: 'needs a time zone (Z or ±hh:mm)' },
    ]);
    const future = new Date(Date.now() + 10 * 60_000).toISOString();
    expect(errs({ supplierId: sid, eventType: 'factory', timestamp: future, energyKwh: 1 })[0]).toEqual({
      field: 'timestamp',
      reason: 'is more than 5 minutes in the future',
    });
    expect(errs({ supplierId: sid, eventType: 'factory', timestamp: 'yesterday', energyKwh: 1 })[0].field).toBe(
      'timestamp',
    );
  });
  it('checks required measures per event type and wrong JSON types', () => {
    expect(errs({ supplierId: sid, eventType: 'factory', timestamp: '2026-01-01T10:00:00+02:00' })).toEqual([
      { field: 'energyKwh', reason: 'required for factory events (kWh), or productionUnits for a model estimate' },
    ]);
    expect(
      errs({
        supplierId: sid,
        eventType: 'transport',
        timestamp: '2026-01-01T10:00:00Z',
        distanceKm: 5,
        vehicleType: 'spaceship',
      })[0],
    ).toMatchObject({
      field: 'vehicleType',
      reason: expect.stringMatching(/^is not a known vehicle class; accepted: .*articulated_40_44t/),
    });
    // Weight classes may be written with dots or dashes.
    expect(
      validateEvent(
        {
          supplierId: sid,
          eventType: 'transport',
          timestamp: '2026-01-01T10:00:00Z',
          distanceKm: 5,
          vehicleType: 'Rigid-3.5-7.5t',
        },
        opts,
      ).ok,
    ).toBe(true);
    expect(errs({ supplierId: sid, eventType: 'delivery', timestamp: '2026-01-01T10:00:00Z' })[0].field).toBe(
      'distanceKm',
    );
    expect(
      errs({ supplierId: sid, eventType: 'transport', timestamp: '2026-01-01T10:00:00Z', distanceKm: '12' }),
    ).toEqual([{ field: 'distanceKm', reason: 'must be a number (km), got "12"' }]);
    expect(
      errs({ supplierId: sid, eventType: 'transport', timestamp: 5, distanceKm: 3, refrigerated: 'yes' })
        .map((x) => x.field)
        .sort(),
    ).toEqual(['refrigerated', 'timestamp']);
    expect(errs([1, 2])[0]).toEqual({ field: '(event)', reason: 'must be a JSON object, got an array' });
    expect(errs({ eventType: 'warehouse', timestamp: '2026-01-01T10:00:00Z', energyKwh: 3 })[0].field).toBe(
      'supplierId',
    );
    // An electric vehicle without metered kWh is accepted: ACTIVITY with the class's kWh/km (see method-engine tests).
    expect(
      errs({
        supplierId: sid,
        eventType: 'transport',
        timestamp: '2026-01-01T10:00:00Z',
        distanceKm: 3,
        vehicleType: 'ev_truck',
      }),
    ).toEqual([]);
    expect(errs({ supplierId: sid, eventType: 'warehouse', timestamp: '2026-01-01T10:00:00Z', areaM2: 5000 })).toEqual(
      [],
    );
  });
  it('allows GAP_FILL only for system/admin, with a value, on the hour', () => {
    const fill = {
      supplierId: sid,
      eventType: 'transport',
      timestamp: '2026-01-01T10:00:00Z',
      dataSource: 'GAP_FILL',
      co2eKg: 5,
    };
    expect(errs(fill)).toEqual([{ field: 'dataSource', reason: 'GAP_FILL needs the system or admin role' }]);
    expect(validateEvent(fill, { ...opts, allowGapFill: true }).ok).toBe(true);
    expect(validateEvent({ ...fill, timestamp: '2026-01-01T10:30:00Z' }, { ...opts, allowGapFill: true }).ok).toBe(
      false,
    );
    expect(
      errs({ supplierId: sid, eventType: 'factory', timestamp: '2026-01-01T10:00:00Z', energyKwh: 1, co2eKg: 3 }),
    ).toEqual([{ field: 'co2eKg', reason: 'only allowed for GAP_FILL events' }]);
  });
  it('every default factor carries id, version, unit, boundary and source', () => {
    for (const f of FACTORS) {
      expect(f.id && f.version && f.unit && f.boundary && f.source, f.id).toBeTruthy();
      expect(f.value).toBeGreaterThan(0);
    }
  });
});

describe.each(testDatabaseTargets())('ingestEvents on %s', (target) => {
  let kit: SubgraphTestkit;
  let truck: string;
  let plant: string;
  beforeAll(async () => {
    kit = await kitFor(target);
    truck = await supplier(kit, { name: 'Truckers', category: 'TRANSPORT', country: 'GB', externalId: 'T-1' });
    plant = await supplier(kit, { name: 'Plant', category: 'FACTORY', country: 'IN', externalId: 'F-1' });
  });
  afterAll(() => kit?.stop());

  it('accepts valid events, rejects bad ones with field errors and keeps them in events_raw', async () => {
    const r = await ingest(kit, [
      {
        externalId: 'a1',
        supplierId: truck,
        eventType: 'TRANSPORT',
        timestamp: hoursAgo(3, 5),
        distanceKm: 100,
        loadKg: 10000,
        vehicleType: 'rigid_truck',
      },
      {
        externalId: 'a2',
        supplierExternalId: 'T-1',
        eventType: 'TRANSPORT',
        timestamp: hoursAgo(3, 6),
        distanceKm: -1,
      },
      { externalId: 'a3', supplierExternalId: 'NOPE', eventType: 'FACTORY', timestamp: hoursAgo(3), energyKwh: 10 },
    ]);
    expect(r.accepted).toBe(1);
    expect(r.rejected).toBe(2);
    expect(r.results[1]).toMatchObject({
      status: 'REJECTED',
      errors: [{ field: 'distanceKm', reason: 'must be between 0 and 20000 km' }],
    });
    expect(r.results[2].errors).toEqual([{ field: 'supplierExternalId', reason: 'unknown supplier "NOPE"' }]);
    const raw = await kit.db.query<{ quality_status: string; errors: any; data_source: string }>(
      `SELECT quality_status, errors, data_source FROM events_raw WHERE external_id IN ('a2', 'a3') ORDER BY external_id`,
    );
    expect(raw.map((x) => x.quality_status)).toEqual(['rejected', 'rejected']);
    expect(raw[0].errors).toEqual([{ field: 'distanceKm', reason: 'must be between 0 and 20000 km' }]);
    expect(raw[0].data_source).toBe('api');
  });

  it('normalizes with the method, the factors used (id, version, source) and the TTW/WTT parts', async () => {
    const r = await ingest(kit, [
      {
        externalId: 'n1',
        supplierId: truck,
        eventType: 'TRANSPORT',
        timestamp: hoursAgo(5, 1),
        distanceKm: 200,
        loadKg: 20000,
        vehicleType: 'rigid_truck',
      },
      {
        externalId: 'n2',
        supplierId: truck,
        eventType: 'TRANSPORT',
        timestamp: hoursAgo(5, 2),
        distanceKm: 200,
        loadKg: 20000,
        fuelL: 60,
        fuelType: 'diesel',
      },
      {
        externalId: 'n3',
        supplierId: plant,
        eventType: 'FACTORY',
        timestamp: hoursAgo(5, 3),
        energyKwh: 1000,
        gasKwh: 100,
      },
      { externalId: 'n4', supplierId: truck, eventType: 'DELIVERY', timestamp: hoursAgo(5, 4), distanceKm: 40 },
      {
        externalId: 'n5',
        supplierId: truck,
        eventType: 'TRANSPORT',
        timestamp: hoursAgo(5, 5),
        distanceKm: 50,
        vehicleType: 'ev_truck',
        energyKwh: 60,
      },
    ]);
    expect(r.accepted).toBe(5);
    const ev = await kit.query<{ events: { nodes: any[] } }>(
      `query($ids: [ID!]) { events(filter: { ids: $ids }, orderBy: TIMESTAMP_ASC) { nodes { externalId co2eKg ttwKg wttKg method boundary methodNote pending
        tonneKm qualityStatus dataSource factor { id version source unit value } factors { id version source quantity result role } supplier { name } } } }`,
      { ids: r.results.map((x) => x.eventId) },
    );
    const [t, f, p, d, e] = ev.events.nodes;
    for (const x of ev.events.nodes) {
      expect(x.co2eKg).toBeCloseTo(x.ttwKg + x.wttKg, 6);
      expect(x.pending).toBe(false);
    }
    // rigid_truck with 20 t: DESNZ "All rigids" per-km factors, linear in load from 0 % laden; 20 t is above the
    // band's 100 %-laden payload (0.93695 / 0.13155 = 7.1 t) and below the 2× cap: f = 20 / 7.12.
    const lf = Math.min(2, 20 / (0.93695 / 0.13155));
    expect(t).toMatchObject({ method: 'ACTIVITY', tonneKm: 4000, boundary: 'WTW' });
    expect(t.co2eKg).toBeCloseTo(200 * (0.67912 + (0.93695 - 0.67912) * lf + 0.16044 + (0.22218 - 0.16044) * lf), 6);
    expect(t.methodNote).toMatch(/"All rigids"/);
    expect(t.factors.map((x: any) => x.id)).toContain('desnz.hgv.rigid-all.laden-100.ttw');
    expect(t.factors.find((x: any) => x.id === 'desnz.hgv.rigid-all.laden-100.ttw').source).toContain(
      '27_304_3123_4_1',
    );
    expect(t.supplier.name).toBe('Truckers');
    expect(f).toMatchObject({ method: 'FUEL' });
    expect(f.co2eKg).toBeCloseTo(60 * (2.57082 + 0.61101), 6);
    expect(f.factors.map((x: any) => x.id)).toEqual(['desnz.fuel.diesel.ttw', 'desnz.fuel.diesel.wtt']);
    expect(f.factors[0]).toMatchObject({
      version: 'DESNZ-2025',
      quantity: 60,
      role: 'EMISSION',
      source: expect.stringContaining('DESNZ'),
    });
    // The row stores each factor's identity and use; the published fields come from the factor set on read.
    const [stored] = await kit.db.query<{ factors: any[] }>(`SELECT factors FROM events_normalized WHERE id = $1`, [
      r.results[1].eventId,
    ]);
    expect(stored.factors[0]).toEqual({
      id: 'desnz.fuel.diesel.ttw',
      version: 'DESNZ-2025',
      quantity: 60,
      result: 60 * 2.57082,
      role: 'emission',
    });
    // Factory in India: generation-only grid factor (said in the boundary) + natural gas TTW + WTT.
    expect(p).toMatchObject({ method: 'ENERGY', boundary: 'WTW (grid: generation only, no T&D or upstream)' });
    expect(p.co2eKg).toBeCloseTo(1000 * 0.727 + 100 * (0.18231 + 0.03021), 6);
    expect(p.factor).toMatchObject({ id: 'grid.in.generation', version: 'CEA-FY2023-24' });
    expect(d).toMatchObject({ method: 'ACTIVITY' });
    expect(d.co2eKg).toBeCloseTo(40 * (0.25561 + 0.06128), 6);
    expect(d.methodNote).toMatch(/no vehicleType/);
    // Battery-electric truck with metered kWh in the UK: all of it is energy provision (no TTW).
    expect(e).toMatchObject({ method: 'ENERGY', ttwKg: 0 });
    expect(e.co2eKg).toBeCloseTo(60 * (0.177 + 0.01853 + 0.0459 + 0.00397), 6);
    expect(e.dataSource).toBe('API');
    const factors = await kit.query<{ emissionFactors: any[] }>(
      `{ emissionFactors { id version source boundary year } }`,
    );
    expect(factors.emissionFactors.length).toBeGreaterThanOrEqual(FACTORS.length);
    expect(factors.emissionFactors.every((x) => x.source && x.boundary)).toBe(true);
    expect(factors.emissionFactors.find((x) => x.id === 'desnz.rail.freight.wtt')).toMatchObject({
      version: 'DESNZ-2025',
      year: 2025,
    });
  });

  it('dedupes by externalId per supplier and by content hash', async () => {
    const ev = { supplierId: truck, eventType: 'TRANSPORT', timestamp: hoursAgo(6, 1), distanceKm: 10, loadKg: 1000 };
    const a = await ingest(kit, [{ ...ev, externalId: 'd1' }, { ...ev, externalId: 'd1' }, ev, ev]);
    expect(a.results.map((x) => x.status)).toEqual(['ACCEPTED', 'DUPLICATE', 'ACCEPTED', 'DUPLICATE']);
    expect(a.results[1].eventId).toBe(a.results[0].eventId);
    const b = await ingest(kit, [{ ...ev, externalId: 'd1', distanceKm: 11 }, { ...ev }]);
    expect(b.duplicates).toBe(2);
    expect(b.results[0].eventId).toBe(a.results[0].eventId);
    expect(b.results[1].eventId).toBe(a.results[2].eventId);
    // Stored and new events in one batch: the new one is stored, the stored one comes back with its id.
    const mixed = await ingest(kit, [{ ...ev }, { ...ev, externalId: 'd2' }]);
    expect(mixed.results.map((x) => x.status)).toEqual(['DUPLICATE', 'ACCEPTED']);
    expect(mixed.results[0].eventId).toBe(a.results[2].eventId);
    const [{ n }] = await kit.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events_normalized WHERE id = $1`,
      [mixed.results[1].eventId],
    );
    expect(n).toBe(1);
    // the same externalId for another supplier is a different event
    const c = await ingest(kit, [
      {
        ...ev,
        supplierId: plant,
        eventType: 'FACTORY',
        energyKwh: 5,
        externalId: 'd1',
        distanceKm: undefined,
        loadKg: undefined,
      },
    ]);
    expect(c.accepted).toBe(1);
  });

  it('the same events sent by several requests at once are stored once; the others get them as duplicates', async () => {
    const events = Array.from({ length: 6 }, (_, i) => ({
      externalId: `race-${i}`,
      supplierId: truck,
      eventType: 'TRANSPORT',
      timestamp: hoursAgo(7, i),
      distanceKm: 20 + i,
      loadKg: 1000,
    }));
    // Each request looks its events up before its transaction, so all of them may find none stored: the ones that
    // lose the race store the batch again and then see them as duplicates.
    const all = await Promise.all([1, 2, 3, 4].map(() => ingest(kit, events)));
    expect(all.map((r) => r.accepted).sort()).toEqual([0, 0, 0, 6]);
    expect(all.every((r) => r.accepted + r.duplicates === 6 && r.rejected === 0)).toBe(true);
    const winner = all.find((r) => r.accepted === 6)!;
    for (const r of all) expect(r.results.map((x) => x.eventId)).toEqual(winner.results.map((x) => x.eventId));
    const [{ raw, normalized, signals }] = await kit.db.query<{ raw: number; normalized: number; signals: number }>(
      `SELECT (SELECT count(*)::int FROM events_raw WHERE external_id LIKE 'race-%') AS raw,
              (SELECT count(*)::int FROM events_normalized WHERE external_id LIKE 'race-%') AS normalized,
              (SELECT count(*)::int FROM outbox_events o, jsonb_array_elements_text(o.payload->'data'->'ids') AS e(eid)
                 WHERE e.eid::uuid = ANY($1::uuid[])) AS signals`,
      [winner.results.map((x) => x.eventId)],
    );
    expect({ raw, normalized, signals }).toEqual({ raw: 6, normalized: 6, signals: 6 });
  });

  it('gap fills: admin only; real data supersedes them and they never overwrite real data', async () => {
    const viewer = { sub: 'an', roles: ['analyst'], supplierIds: null };
    const fill = (h: number) => ({
      supplierId: truck,
      eventType: 'TRANSPORT',
      timestamp: hoursAgo(h),
      dataSource: 'GAP_FILL',
      co2eKg: 50,
      confidence: 0.7,
      predictedBy: 'test-model',
    });
    const denied = await ingest(kit, [fill(20)], viewer);
    expect(denied.results[0].errors).toEqual([
      { field: 'dataSource', reason: 'GAP_FILL needs the system or admin role' },
    ]);
    const f1 = await ingest(kit, [fill(20), fill(21)]);
    expect(f1.accepted).toBe(2);
    // real event inside hour 20 supersedes that fill
    await ingest(kit, [
      {
        externalId: 'real-20',
        supplierId: truck,
        eventType: 'TRANSPORT',
        timestamp: hoursAgo(20, 30),
        distanceKm: 10,
        loadKg: 1000,
      },
    ]);
    // a fill for an hour that already has real data arrives superseded
    await ingest(kit, [
      {
        externalId: 'real-22',
        supplierId: truck,
        eventType: 'TRANSPORT',
        timestamp: hoursAgo(22, 10),
        distanceKm: 10,
        loadKg: 1000,
      },
    ]);
    const f2 = await ingest(kit, [fill(22)]);
    const q = await kit.query<{ events: { nodes: any[] } }>(
      `query($s: [ID!]) { events(filter: { supplierIds: $s, dataSources: [GAP_FILL] }, orderBy: TIMESTAMP_ASC) { nodes { id timestamp qualityStatus confidence predictedBy co2eKg } } }`,
      { s: [truck] },
    );
    const byId = new Map(q.events.nodes.map((n) => [n.id, n]));
    expect(byId.get(f1.results[0].eventId!)!.qualityStatus).toBe('SUPERSEDED');
    expect(byId.get(f1.results[1].eventId!)!).toMatchObject({
      qualityStatus: 'PREDICTED',
      confidence: 0.7,
      predictedBy: 'test-model',
      co2eKg: 50,
    });
    expect(byId.get(f2.results[0].eventId!)!.qualityStatus).toBe('SUPERSEDED');
    // one fill per supplier-hour
    const again = await ingest(kit, [{ ...fill(21), co2eKg: 99 }]);
    expect(again.results[0].status).toBe('DUPLICATE');
  });

  it('supplier-scoped tokens can only send data for their suppliers; lastSeenAt is updated', async () => {
    const scoped = { sub: 'p', roles: ['partner'], supplierIds: [plant] };
    const r = await ingest(
      kit,
      [
        {
          externalId: 's1',
          supplierId: truck,
          eventType: 'TRANSPORT',
          timestamp: hoursAgo(1),
          distanceKm: 1,
          loadKg: 1,
        },
        { externalId: 's2', supplierId: plant, eventType: 'FACTORY', timestamp: hoursAgo(1, 1), energyKwh: 1 },
      ],
      scoped,
    );
    expect(r.results[0].errors).toEqual([
      { field: 'supplierId', reason: 'this token may not send data for this supplier' },
    ]);
    expect(r.results[1].status).toBe('ACCEPTED');
    const s = await kit.query<{ supplier: { lastSeenAt: string } }>(
      `query($id: ID!) { supplier(id: $id) { lastSeenAt } }`,
      { id: plant },
    );
    expect(s.supplier.lastSeenAt).toBe(hoursAgo(1, 1));
    const viewer = await kit.execute(
      `mutation { ingestEvents(events: []) { accepted } }`,
      {},
      { auth: { sub: 'v', roles: ['viewer'], supplierIds: null } },
    );
    expect(viewer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
