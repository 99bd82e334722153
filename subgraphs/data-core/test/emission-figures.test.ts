// One traceable figure per event: estimateEmissions (per-item errors), ingestion errors that name the field, MODEL
// figures filled from ml-engine's predictions (pending until then, never replacing a measured figure), and the
// recalculation of stored rows (on demand and at start, resumable, with progress). ml-engine is MOCKED from its real
// SDL where only its predictions matter; one test runs with the REAL ml-engine (its predictions, end to end).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSubgraphTestkit, mockPlugin, waitFor, type SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { createTestDatabase, testDatabaseTargets, type Database } from '@carbon-nexus/db';
import { predictionCreated } from '@carbon-nexus/ml-engine/client';
import { plugin, supplier, ingest, hoursAgo, kitFor } from './helpers.ts';

const ADMIN = { sub: 'root', roles: ['admin'], supplierIds: null };
const EST = `query($a: [ActivityInput!]!) { estimateEmissions(activities: $a) { index co2eKg ttwKg wttKg tonneKm method boundary methodNote
  vehicleClass factors { id role quantity result } errors { field reason } } }`;
const FIG = `query($ids: [ID!]) { events(filter: { ids: $ids }, orderBy: TIMESTAMP_ASC) { nodes { id externalId co2eKg ttwKg wttKg method pending
  methodNote factorSet factor { id version } factors { id version source } } } }`;

describe.each(testDatabaseTargets())('pending MODEL figures on %s (data-core alone: no estimate arrives)', (target) => {
  let kit: SubgraphTestkit;
  beforeAll(async () => {
    kit = await kitFor(target);
  }, 300_000);
  afterAll(() => kit?.stop());

  it('a warehouse without kWh is stored pending: null figure, counted (not summed) by series and pulse', async () => {
    const w = await supplier(kit, { name: 'Store', category: 'WAREHOUSE', country: 'GB' });
    const now = Date.now();
    const at = (min: number) => new Date(now - min * 60_000).toISOString();
    const r = await ingest(kit, [
      { externalId: 'w1', supplierId: w, eventType: 'WAREHOUSE', timestamp: at(10), areaM2: 12000 },
      { externalId: 'w2', supplierId: w, eventType: 'WAREHOUSE', timestamp: at(20), energyKwh: 400, region: 'UK' },
    ]);
    expect(r.accepted).toBe(2);
    const nodes = (await kit.query<{ events: { nodes: any[] } }>(FIG, { ids: r.results.map((x) => x.eventId) })).events
      .nodes;
    const [w1, w2] = ['w1', 'w2'].map((x) => nodes.find((n) => n.externalId === x));
    expect(w1).toMatchObject({
      method: 'MODEL',
      pending: true,
      co2eKg: null,
      factor: { id: 'ml-engine.warehouse', version: 'pending' },
    });
    expect(w1.methodNote).toMatch(/no metered energy.*pending/);
    const uk = 0.177 + 0.01853 + 0.0459 + 0.00397;
    expect(w2.co2eKg).toBeCloseTo(400 * uk, 6);
    const s = await kit.query<{ emissionsSeries: any[] }>(
      `{ emissionsSeries(from: "${at(120)}", to: "${at(0)}", supplierIds: ["${w}"], bucket: DAY) { co2eKg eventCount pendingCount } }`,
    );
    const tot = s.emissionsSeries.reduce(
      (a, p) => ({ kg: a.kg + p.co2eKg, n: a.n + p.eventCount, pend: a.pend + p.pendingCount }),
      { kg: 0, n: 0, pend: 0 },
    );
    expect(tot).toMatchObject({ n: 2, pend: 1 });
    expect(tot.kg).toBeCloseTo(400 * uk, 6);
    const pulse = await kit.query<{ emissionPulse: { pendingCount: number; kgPerHour: number } }>(
      `{ emissionPulse { pendingCount kgPerHour } }`,
    );
    expect(pulse.emissionPulse.pendingCount).toBe(1);
  });
});

const env = { ...process.env, BUS_URL: undefined, REDIS_URL: undefined, DATA_CORE_MODEL_FILL_CRON: '0 0 1 1 *' };

interface FakePrediction {
  id: string;
  eventId: string;
  model: string;
  modelVersion: string;
  co2eKg: number;
  lowerKg: number | null;
  upperKg: number | null;
}

/** ml-engine as data-core sees it: predictions by id (entity) and a supplier's latest ones. */
function fakeMlEngine(stored: (FakePrediction & { supplierId: string })[]) {
  return mockPlugin('ml-engine', {
    Query: {
      predictions: (_: unknown, a: { supplierId?: string | null; model?: string | null }) =>
        stored.filter(
          (p) => (!a.supplierId || p.supplierId === a.supplierId) && (!a.model || p.model === a.model.toLowerCase()),
        ),
    },
    Prediction: { __resolveReference: (ref: { id: string }) => stored.find((p) => p.id === ref.id) ?? null },
  });
}

/** Two factory days of `plant` two hours ago: `<prefix>1` without kWh (MODEL), `<prefix>2` metered; their ids. */
async function ingestFactoryPair(kit: SubgraphTestkit, plant: string, prefix: string): Promise<string[]> {
  const r = await ingest(kit, [
    {
      externalId: `${prefix}1`,
      supplierId: plant,
      eventType: 'FACTORY',
      timestamp: hoursAgo(2, 10),
      productionUnits: 800,
    },
    {
      externalId: `${prefix}2`,
      supplierId: plant,
      eventType: 'FACTORY',
      timestamp: hoursAgo(2, 20),
      energyKwh: 1200,
      productionUnits: 800,
    },
  ]);
  expect(r.accepted).toBe(2);
  return r.results.map((x) => x.eventId!);
}

describe.each(testDatabaseTargets())('emission figures on %s (ml-engine mocked)', (target) => {
  let db: Database;
  let kit: SubgraphTestkit;
  let haul: string;
  let plant: string;
  const stored: (FakePrediction & { supplierId: string })[] = [];
  const ml = fakeMlEngine(stored);
  const start = () => createSubgraphTestkit(plugin, { db, with: [ml], env });

  beforeAll(async () => {
    db = await createTestDatabase(target);
    kit = await start();
    haul = await supplier(kit, { name: 'Haul', category: 'TRANSPORT', country: 'GB' });
    plant = await supplier(kit, { name: 'Plant', category: 'FACTORY', country: 'DE' });
  }, 300_000);
  afterAll(async () => {
    await kit?.stop();
    await db?.close();
  });

  it('estimateEmissions: the ingestion engine on request, one result per activity, errors naming the field', async () => {
    const r = await kit.query<{ estimateEmissions: any[] }>(EST, {
      a: [
        { distanceKm: 100, loadKg: 20000, vehicleType: 'articulated_40_44t', region: 'UK' },
        { distanceKm: 100, vehicleType: 'spaceship' },
        { distanceKm: 500, vehicleType: 'rail' },
        { distanceKm: 100, loadKg: 20000, vehicleType: 'articulated_40_44t', fuelL: 32, fuelType: 'diesel' },
        {
          distanceKm: 100,
          loadKg: 20000,
          vehicleType: 'articulated_40_44t',
          fuelL: 32,
          fuelType: 'diesel',
          preferMethod: 'ACTIVITY',
        },
        { distanceKm: -4 },
        { eventType: 'FACTORY', productionUnits: 100 },
      ],
    });
    const [act, unknown, rail, fuel, preferred, negative, model] = r.estimateEmissions;
    expect(act).toMatchObject({
      index: 0,
      method: 'ACTIVITY',
      tonneKm: 2000,
      vehicleClass: 'articulated_40_44t',
      boundary: 'WTW',
      errors: [],
    });
    expect(act.co2eKg).toBeGreaterThan(80);
    expect(act.co2eKg).toBeLessThan(140);
    expect(act.methodNote).toMatch(/extrapolated linearly beyond 100 % laden/);
    expect(unknown.errors[0]).toMatchObject({
      field: 'vehicleType',
      reason: expect.stringMatching(/not a known vehicle class; accepted: /),
    });
    expect(unknown.co2eKg).toBeNull();
    expect(rail.errors).toEqual([
      { field: 'loadKg', reason: 'required for rail freight: its factors are per tonne-km' },
    ]);
    expect(fuel).toMatchObject({ method: 'FUEL' });
    expect(fuel.co2eKg).toBeCloseTo(32 * (2.57082 + 0.61101), 6);
    expect(preferred.co2eKg).toBeCloseTo(act.co2eKg, 6);
    expect(negative.errors).toEqual([{ field: 'distanceKm', reason: 'must be between 0 and 20000 km' }]);
    expect(model).toMatchObject({ method: 'MODEL', co2eKg: null });
    const vc = await kit.query<{ vehicleClasses: { id: string; mode: string; note: string | null }[] }>(
      `{ vehicleClasses { id mode note } }`,
    );
    expect(vc.vehicleClasses.find((c) => c.id === 'articulated_truck')!.note).toMatch(/"All artics"/);
  });

  it('ingestion: an unknown class or a missing load for a per-t·km mode is a row error naming the field', async () => {
    const r = await ingest(kit, [
      {
        externalId: 'x1',
        supplierId: haul,
        eventType: 'TRANSPORT',
        timestamp: hoursAgo(3, 1),
        distanceKm: 10,
        vehicleType: 'hovercraft',
      },
      {
        externalId: 'x2',
        supplierId: haul,
        eventType: 'TRANSPORT',
        timestamp: hoursAgo(3, 2),
        distanceKm: 10,
        vehicleType: 'rail',
      },
      {
        externalId: 'x3',
        supplierId: haul,
        eventType: 'TRANSPORT',
        timestamp: hoursAgo(3, 3),
        distanceKm: 10,
        fuelType: 'cng',
        fuelL: 4,
      },
      {
        externalId: 'x4',
        supplierId: haul,
        eventType: 'TRANSPORT',
        timestamp: hoursAgo(3, 4),
        distanceKm: 10,
        fuelType: 'hvo',
        fuelL: 4,
      },
    ]);
    expect(r.results.map((x) => x.status)).toEqual(['REJECTED', 'REJECTED', 'REJECTED', 'ACCEPTED']);
    expect(r.results[0].errors[0].field).toBe('vehicleType');
    expect(r.results[1].errors).toEqual([
      { field: 'loadKg', reason: 'required for rail freight: its factors are per tonne-km' },
    ]);
    expect(r.results[2].errors[0]).toMatchObject({ field: 'fuelKg' });
    const [ev] = (await kit.query<{ events: { nodes: any[] } }>(FIG, { ids: [r.results[3].eventId] })).events.nodes;
    expect(ev).toMatchObject({ method: 'FUEL', pending: false });
    expect(ev.co2eKg).toBeCloseTo(4 * (0.03558 + 0.56439), 6);
  });

  it('MODEL: pending until prediction.created names its prediction; the catch-up fills a missed one; a measured figure stays', async () => {
    const ids = await ingestFactoryPair(kit, plant, 'k');
    const figures = async () => (await kit.query<{ events: { nodes: any[] } }>(FIG, { ids })).events.nodes;
    expect((await figures())[0]).toMatchObject({ method: 'MODEL', pending: true, co2eKg: null });
    const p1 = {
      id: 'a1111111-1111-4111-8111-111111111111',
      eventId: ids[0],
      co2eKg: 321.5,
      lowerKg: 300,
      upperKg: 350,
    };
    const p2 = {
      id: 'a2222222-2222-4222-8222-222222222222',
      eventId: ids[1],
      co2eKg: 9999,
      lowerKg: null,
      upperKg: null,
    };
    for (const p of [p1, p2]) stored.push({ ...p, supplierId: plant, model: 'factory', modelVersion: '9.9.9' });
    const signal = {
      ids: [p1.id, p2.id],
      count: 2,
      supplierIds: [plant],
      from: hoursAgo(3),
      to: new Date().toISOString(),
    };
    await kit.services.bus.publish(predictionCreated, signal);
    let nodes: any[] = [];
    await waitFor(
      'the model figure of k1',
      async () => {
        nodes = await figures();
        return nodes[0].co2eKg !== null;
      },
      30_000,
    );
    const [k1, k2] = nodes;
    expect(k1).toMatchObject({
      method: 'MODEL',
      pending: false,
      co2eKg: 321.5,
      factor: { id: 'ml-engine.factory', version: '9.9.9' },
    });
    expect(k1.methodNote).toBe('no metered energy: ml-engine factory model estimate (80 % interval 300.0–350.0 kg)');
    expect(k1.factors[0].source).toMatch(/prediction a1111111-1111-4111-8111-111111111111/);
    // k2 has metered energy: ENERGY (EU-27 grid, supplier country DE), whatever the model predicted for it.
    expect(k2).toMatchObject({ method: 'ENERGY' });
    expect(k2.co2eKg).toBeCloseTo(1200 * 0.281, 6);
    expect(ml.callsOf('Prediction.__resolveReference').map((c) => c.args.id)).toEqual(
      expect.arrayContaining([p1.id, p2.id]),
    );
    // Catch-up for a missed signal: the row is pending again (as if prediction.created was lost); the job fills it
    // from the supplier's latest FACTORY predictions.
    await kit.db.query(
      `UPDATE events_normalized SET co2e_kg = NULL, created_at = now() - interval '1 hour' WHERE id = $1`,
      [k1.id],
    );
    await kit.runJob('fillModelFigures', 'data-core');
    expect(ml.callsOf('Query.predictions').at(-1)!.args).toMatchObject({ supplierId: plant, model: 'FACTORY' });
    const [again] = await figures();
    expect(again).toMatchObject({ method: 'MODEL', pending: false, co2eKg: 321.5 });
  });

  it('recalculation: rows without a method or from another factor set are recomputed (on demand and at start)', async () => {
    const r = await ingest(kit, [
      {
        externalId: 'r1',
        supplierId: haul,
        eventType: 'TRANSPORT',
        timestamp: hoursAgo(6, 1),
        distanceKm: 100,
        loadKg: 20000,
        vehicleType: 'articulated_40_44t',
      },
      {
        externalId: 'r2',
        supplierId: haul,
        eventType: 'DELIVERY',
        timestamp: hoursAgo(6, 2),
        distanceKm: 80,
        vehicleType: 'van',
      },
      {
        externalId: 'r3',
        supplierId: haul,
        eventType: 'TRANSPORT',
        timestamp: hoursAgo(6, 3),
        distanceKm: 100,
        loadKg: 10000,
        vehicleType: 'rail',
      },
    ]);
    const ids = r.results.map((x) => x.eventId!);
    const before = (await kit.query<{ events: { nodes: any[] } }>(FIG, { ids })).events.nodes;
    // Make them look like rows of an old data directory: an old figure, no method, no factor set; r3 loses its load
    // (a legacy rail row the current set cannot compute per t·km).
    const legacy = async () => {
      await kit.db.query(
        `UPDATE events_normalized SET co2e_kg = 999, method = NULL, factor_set = NULL, factors = '[]' WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      await kit.db.query(`UPDATE events_normalized SET load_kg = NULL WHERE id = $1`, [ids[2]]);
    };
    await legacy();
    const progress = `{ emissionRecalculation { running remaining done failed factorSet lastError } }`;
    const p0 = await kit.query<{ emissionRecalculation: any }>(progress, {}, { auth: ADMIN });
    expect(p0.emissionRecalculation.remaining).toBeGreaterThanOrEqual(3);
    const denied = await kit.execute(
      `mutation { recalculateEmissions { running } }`,
      {},
      { auth: { sub: 'a', roles: ['analyst'], supplierIds: null } },
    );
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    await kit.query(`mutation { recalculateEmissions { running } }`, {}, { auth: ADMIN });
    await waitFor(
      'recalculation done',
      async () => {
        const p = (await kit.query<{ emissionRecalculation: any }>(progress, {}, { auth: ADMIN }))
          .emissionRecalculation;
        return !p.running && p.remaining === 0;
      },
      60_000,
    );
    const check = async () => {
      const after = (await kit.query<{ events: { nodes: any[] } }>(FIG, { ids })).events.nodes;
      expect(after[0]).toMatchObject({ method: 'ACTIVITY', factorSet: before[0].factorSet });
      expect(after[0].co2eKg).toBeCloseTo(before[0].co2eKg, 6);
      expect(after[1].co2eKg).toBeCloseTo(before[1].co2eKg, 6);
      // Not computable now: keeps its previous figure and says why.
      expect(after[2]).toMatchObject({ co2eKg: 999, method: null });
      expect(after[2].methodNote).toMatch(/not recomputed .*loadKg: required for rail freight/);
    };
    await check();
    const done = (await kit.query<{ emissionRecalculation: any }>(progress, {}, { auth: ADMIN })).emissionRecalculation;
    expect(done.failed).toBeGreaterThanOrEqual(1);
    // At start: an old data directory is recomputed without anyone asking.
    await legacy();
    await kit.stop();
    kit = await start();
    await waitFor(
      'recalculation at start',
      async () => {
        const p = (await kit.query<{ emissionRecalculation: any }>(progress, {}, { auth: ADMIN }))
          .emissionRecalculation;
        return p.remaining === 0;
      },
      60_000,
    );
    await check();
  });
});

describe.each(testDatabaseTargets())('MODEL figures from the real ml-engine on %s (end to end)', (target) => {
  let kit: SubgraphTestkit;
  let plant: string;

  beforeAll(async () => {
    const mlEngine = (await import('@carbon-nexus/ml-engine')).default;
    kit = await createSubgraphTestkit(plugin, { target, with: [mlEngine], env });
    plant = await supplier(kit, { name: 'Plant', category: 'FACTORY', country: 'DE' });
  }, 300_000);
  afterAll(() => kit?.stop());

  it('MODEL: a factory without kWh is pending until ml-engine predicts it; a measured figure is never replaced', async () => {
    const ids = await ingestFactoryPair(kit, plant, 'm');
    let nodes: any[] = [];
    await waitFor(
      'the model figure of m1',
      async () => {
        nodes = (await kit.query<{ events: { nodes: any[] } }>(FIG, { ids })).events.nodes;
        return nodes[0].co2eKg !== null;
      },
      60_000,
    );
    const [m1, m2] = nodes;
    const preds = await kit.query<{ predictions: { eventId: string; co2eKg: number; modelVersion: string }[] }>(
      `query($s: ID) { predictions(supplierId: $s, first: 50) { eventId co2eKg modelVersion } }`,
      { s: plant },
      { plugin: 'ml-engine' },
    );
    const p1 = preds.predictions.find((p) => p.eventId === m1.id)!;
    const p2 = preds.predictions.find((p) => p.eventId === m2.id);
    expect(m1).toMatchObject({
      method: 'MODEL',
      pending: false,
      co2eKg: p1.co2eKg,
      factor: { id: 'ml-engine.factory', version: p1.modelVersion },
    });
    expect(m1.methodNote).toMatch(/ml-engine factory model estimate/);
    const modelOnly = await kit.query<{ events: { nodes: { id: string }[] } }>(
      `query($s: [ID!]) { events(filter: { supplierIds: $s, methods: [MODEL], pending: false }) { nodes { id } } }`,
      { s: [plant] },
    );
    expect(modelOnly.events.nodes.map((n) => n.id)).toEqual([m1.id]);
    // ml-engine keeps its estimate beside every event (Event.prediction via federation), m2's too.
    const side = await kit.query<{ _entities: { prediction: { co2eKg: number } | null }[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Event { prediction { co2eKg } } } }`,
      { r: [m1.id, m2.id].map((id) => ({ __typename: 'Event', id })) },
      { plugin: 'ml-engine' },
    );
    expect(side._entities[0].prediction!.co2eKg).toBe(p1.co2eKg);
    if (p2) expect(side._entities[1].prediction!.co2eKg).toBe(p2.co2eKg);
    // m2 has metered energy: ENERGY (EU-27 grid, supplier country DE), whatever the model predicted for it.
    expect(m2).toMatchObject({ method: 'ENERGY' });
    expect(m2.co2eKg).toBeCloseTo(1200 * 0.281, 6);
    if (p2) expect(m2.co2eKg).not.toBeCloseTo(p2.co2eKg, 3);
    // Catch-up for a missed signal: the row is pending again (as if prediction.created was lost); the job fills it.
    await kit.db.query(
      `UPDATE events_normalized SET co2e_kg = NULL, created_at = now() - interval '1 hour' WHERE id = $1`,
      [m1.id],
    );
    await kit.runJob('fillModelFigures', 'data-core');
    const [again] = (await kit.query<{ events: { nodes: any[] } }>(FIG, { ids: [m1.id] })).events.nodes;
    expect(again).toMatchObject({ method: 'MODEL', pending: false, co2eKg: p1.co2eKg });
  });
});
