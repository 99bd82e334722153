// The prediction pipeline against a data-core MOCKED from its real SDL: what only needs data-core's answers (the
// events by id, the ids stored in a window). pipeline.test.ts keeps the end-to-end run with the real data-core.
// Also the catch-up after start (issue 17 follow-up): periodic, and after the bus reconnects, an event whose
// event.normalized never reached ml-engine gets exactly one prediction.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import {
  createSubgraphTestkit,
  mockPlugin,
  startTcpProxy,
  waitFor,
  type SubgraphTestkit,
  type TcpProxy,
} from '@carbon-nexus/plugin-sdk/testkit';
import { createBus, type Bus } from '@carbon-nexus/plugin-sdk';
import { testDatabaseTargets } from '@carbon-nexus/db';
import { eventNormalized, type EventNormalized } from '@carbon-nexus/data-core/client';
import mlEngine from '../src/plugin.ts';
import type { MlState } from '../src/state.ts';
import { predictionCreated, type PredictionCreated } from '../client/index.ts';

const SUPPLIER = '11111111-1111-4111-8111-111111111111';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const t0 = Date.UTC(2026, 10, 20, 8, 0, 0);
const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();

/** The fields EventsModelInputsPage selects; absent ones are null, as data-core answers. */
const FIELDS = [
  'distanceKm',
  'loadKg',
  'vehicleType',
  'fuelType',
  'speedKmh',
  'fuelL',
  'energyKwh',
  'route',
  'facilityId',
  'region',
  'productionUnits',
  'areaM2',
  'refrigerated',
  'stops',
  'parcels',
  'idleMinutes',
  'gradientPct',
  'attributes',
] as const;

interface StoredEvent {
  id: string;
  eventType: string;
  timestamp: string;
  dataSource?: string;
  ingestedAt: number;
  [field: string]: unknown;
}

/** data-core's `events` over a list the test fills: by ids, or stored in a window (INGESTED_ASC), one page. */
function fakeDataCore() {
  const events: StoredEvent[] = [];
  const node = (e: StoredEvent) => ({
    ...Object.fromEntries(FIELDS.map((f) => [f, e[f] ?? null])),
    id: e.id,
    supplierId: SUPPLIER,
    eventType: e.eventType,
    timestamp: e.timestamp,
    dataSource: e.dataSource ?? 'API',
    qualityStatus: e.dataSource === 'GAP_FILL' ? 'PREDICTED' : 'VALID',
  });
  type Filter = { ids?: string[]; ingestedFrom?: string; ingestedTo?: string; dataSources?: string[] };
  const mock = mockPlugin('data-core', {
    Query: {
      events(_: unknown, a: { filter?: Filter }) {
        const f = a.filter ?? {};
        const hit = events
          .filter((e) => !f.ids || f.ids.includes(e.id))
          .filter((e) => !f.ingestedFrom || e.ingestedAt >= Date.parse(f.ingestedFrom))
          .filter((e) => !f.ingestedTo || e.ingestedAt < Date.parse(f.ingestedTo))
          .filter((e) => !f.dataSources || f.dataSources.includes(e.dataSource ?? 'API'))
          .sort((x, y) => x.ingestedAt - y.ingestedAt);
        const nodes = hit.map(node);
        return { nodes, edges: [], totalCount: nodes.length, pageInfo: { hasNextPage: false, endCursor: null } };
      },
    },
  });
  /** Stores events in the fake data-core (no signal: the test announces them, or not). */
  const store = (list: Omit<StoredEvent, 'id' | 'ingestedAt'>[]) =>
    list.map((e) => {
      const stored = { ...e, id: randomUUID(), ingestedAt: Date.now() } as StoredEvent;
      events.push(stored);
      return stored.id;
    });
  return { mock, store };
}

const signal = (ids: string[]): EventNormalized => ({
  ids,
  supplierIds: [SUPPLIER],
  count: ids.length,
  co2eKg: 0,
  from: at(0),
  to: at(60),
});

async function predictionsOf(kit: SubgraphTestkit, ids: string[]): Promise<number> {
  const [r] = await kit.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM predictions WHERE event_id = ANY($1::uuid[])`,
    [ids],
  );
  return r!.n;
}

const ROAD_LEG = { eventType: 'TRANSPORT', distanceKm: 210, loadKg: 8000, vehicleType: 'rigid_truck' };

describe.each(testDatabaseTargets())('the prediction pipeline with a mocked data-core (%s)', (target) => {
  let kit: SubgraphTestkit;
  let dc: ReturnType<typeof fakeDataCore>;
  const created: PredictionCreated[] = [];
  const state = () => kit.state as MlState;

  beforeAll(async () => {
    dc = fakeDataCore();
    kit = await createSubgraphTestkit(mlEngine, { with: [dc.mock], target });
    kit.services.bus.subscribe(predictionCreated, (p: PredictionCreated) => void created.push(p));
    await state().pipeline.catchUpDone();
  });
  afterAll(async () => kit?.stop());

  it('predicts each announced event once with its context; a redelivered signal adds no row and no announcement', async () => {
    const ids = dc.store([
      { ...ROAD_LEG, timestamp: at(0), route: 'R1', region: 'UK' },
      {
        eventType: 'FACTORY',
        timestamp: at(10),
        productionUnits: 2000,
        energyKwh: 5000,
        facilityId: 'F1',
        region: 'CN',
      },
    ]);
    await kit.services.bus.publish(eventNormalized, signal(ids));
    await waitFor('2 predictions announced', () => (created.reduce((a, c) => a + c.count, 0) >= 2 ? true : undefined));
    const rows = await kit.db.query<{ event_id: string; model: string; route: string | null; supplier_id: string }>(
      `SELECT event_id, model, route, supplier_id FROM predictions WHERE event_id = ANY($1::uuid[]) ORDER BY "timestamp"`,
      [ids],
    );
    expect(rows.map((r) => [r.event_id, r.model, r.route])).toEqual([
      [ids[0], 'logistics', 'R1'],
      [ids[1], 'factory', null],
    ]);
    expect(rows.every((r) => r.supplier_id === SUPPLIER)).toBe(true);
    // the pipeline asked data-core for exactly these events
    expect(dc.mock.callsOf('Query.events').some((c) => JSON.stringify(c.args).includes(ids[0]!))).toBe(true);

    const announcements = created.length;
    await kit.services.bus.publish(eventNormalized, signal(ids));
    await waitFor('the redelivered batch is processed', () =>
      state().pipeline.stats.duplicates >= 2 ? true : undefined,
    );
    expect(await predictionsOf(kit, ids)).toBe(2);
    expect(created.length).toBe(announcements);
  });

  it('gap fills are not predicted (counted as skipped); an id data-core does not know is skipped too', async () => {
    const skippedBefore = state().pipeline.stats.skipped;
    const [fill, real] = dc.store([
      { eventType: 'TRANSPORT', timestamp: at(300), dataSource: 'GAP_FILL' },
      { ...ROAD_LEG, timestamp: at(400), route: 'R9' },
    ]);
    await kit.services.bus.publish(eventNormalized, signal([fill!, real!, randomUUID()]));
    await waitFor('prediction of the real event', async () =>
      (await predictionsOf(kit, [real!])) === 1 ? true : undefined,
    );
    expect(await predictionsOf(kit, [fill!])).toBe(0);
    await waitFor(
      'the gap fill and the unknown id counted as skipped',
      () => state().pipeline.stats.skipped >= skippedBefore + 2,
    );
  });

  it('Supplier.predictions resolves newest first and predictionAggregates sums them', async () => {
    const r = await kit.entities(
      'Supplier',
      [{ id: SUPPLIER }],
      `id predictions(first: 2) { id model eventType co2eKg timestamp }`,
    );
    expect(r.errors).toBeUndefined();
    const preds = r.data!._entities[0].predictions;
    expect(preds).toHaveLength(2);
    expect(preds[0].timestamp >= preds[1].timestamp).toBe(true);
    // The list reads only the columns its selection needs (predictionColumns): with every field selected, each one
    // equals what the prediction's own entity (all columns) says; with one field, the others are not read.
    const ALL = `id model modelVersion supplier { id } eventId eventType entityType entityId route timestamp co2eKg
      lowerKg upperKg confidence contributions { feature value contributionKg } contributionMethod createdAt cursor`;
    const listed = (await kit.entities('Supplier', [{ id: SUPPLIER }], `predictions(first: 2) { ${ALL} }`)).data!
      ._entities[0].predictions;
    const own = (
      await kit.entities(
        'Prediction',
        listed.map((p: any) => ({ id: p.id })),
        ALL,
      )
    ).data!._entities;
    expect(listed).toEqual(own);
    expect(listed[0].contributions.length).toBeGreaterThan(0);
    const idsOnly = (await kit.entities('Supplier', [{ id: SUPPLIER }], `predictions(first: 2) { id }`)).data!
      ._entities[0].predictions;
    expect(idsOnly).toEqual(listed.map((p: any) => ({ id: p.id })));
    const [total] = await kit.db.query<{ s: number; n: number }>(
      `SELECT sum(output_co2_kg) AS s, count(*)::int AS n FROM predictions WHERE supplier_id = $1`,
      [SUPPLIER],
    );
    const { predictionAggregates } = await kit.query(
      `{ predictionAggregates(from: "2026-11-20T00:00:00Z", to: "2026-11-21T00:00:00Z", bucket: DAY, groupBy: SUPPLIER) { key co2eKg count } }`,
    );
    expect(predictionAggregates).toEqual([
      { key: SUPPLIER, co2eKg: expect.closeTo(Number(total!.s), 6), count: total!.n },
    ]);
  });

  it('Supplier.predictions orders by event time (none last), then newest written, per supplier, for every supplier asked', async () => {
    const A = 'a0a0a0a0-0000-4000-8000-00000000000a';
    const B = 'b0b0b0b0-0000-4000-8000-00000000000b';
    // Event times with ties and an API prediction (no event time); written at different times.
    const rows: [string, string, string | null, string][] = [
      [A, 'a-old', '2026-11-20T01:00:00Z', '2026-11-20T01:00:05Z'],
      [A, 'a-tie-first', '2026-11-20T03:00:00Z', '2026-11-20T03:00:01Z'],
      [A, 'a-tie-second', '2026-11-20T03:00:00Z', '2026-11-20T03:00:09Z'],
      [A, 'a-api', null, '2026-11-20T09:00:00Z'],
      [A, 'a-new', '2026-11-20T05:00:00Z', '2026-11-20T05:00:00Z'],
      [B, 'b-api', null, '2026-11-20T02:00:00Z'],
      [B, 'b-one', '2026-11-20T00:30:00Z', '2026-11-20T00:30:00Z'],
    ];
    for (const [sup, hash, ts, written] of rows)
      await kit.db.query(
        `INSERT INTO predictions (id, model, model_version, input_hash, supplier_id, "timestamp", output_co2_kg, created_at)
         VALUES (gen_random_uuid(), 'logistics', 'order-test', $1, $2, $3, 1, $4)`,
        [hash, sup, ts, written],
      );
    const expected = async (sup: string, n: number) =>
      (
        await kit.db.query<{ input_hash: string }>(
          `SELECT input_hash FROM predictions WHERE supplier_id = $1 ORDER BY "timestamp" DESC NULLS LAST, created_at DESC LIMIT $2`,
          [sup, n],
        )
      ).map((r) => r.input_hash);
    expect(await expected(A, 10)).toEqual(['a-new', 'a-tie-second', 'a-tie-first', 'a-old', 'a-api']);
    const byHash = new Map(
      (
        await kit.db.query<{ id: string; input_hash: string }>(
          `SELECT id, input_hash FROM predictions WHERE model_version = 'order-test'`,
        )
      ).map((r) => [r.id, r.input_hash]),
    );
    for (const n of [10, 3, 1]) {
      const r = await kit.entities('Supplier', [{ id: B }, { id: A }], `id predictions(first: ${n}) { id }`);
      expect(r.errors).toBeUndefined();
      const [b, a] = r.data!._entities;
      expect(a.predictions.map((p: { id: string }) => byHash.get(p.id))).toEqual(await expected(A, n));
      expect(b.predictions.map((p: { id: string }) => byHash.get(p.id))).toEqual(await expected(B, n));
    }
  });

  it('the periodic catch-up (ML_CATCHUP_INTERVAL_SECONDS) predicts an event whose signal never came, exactly once', async () => {
    const dc2 = fakeDataCore();
    await using periodic = await createSubgraphTestkit(mlEngine, {
      with: [dc2.mock],
      target,
      env: { ...process.env, ML_CATCHUP_INTERVAL_SECONDS: '1' },
    });
    const pipeline = (periodic.state as MlState).pipeline;
    await pipeline.catchUpDone();
    const [missed] = dc2.store([{ ...ROAD_LEG, timestamp: at(600) }]); // stored, never announced
    await waitFor(
      'the missed event predicted',
      async () => ((await predictionsOf(periodic, [missed!])) === 1 ? true : undefined),
      30_000,
    );
    const runs = (await pipeline.status()).catchUp.runs;
    await waitFor(
      'two more catch-up runs',
      async () => ((await pipeline.status()).catchUp.runs >= runs + 2 ? true : undefined),
      30_000,
    );
    await pipeline.idle();
    expect(await predictionsOf(periodic, [missed!])).toBe(1);
    expect(pipeline.stats.caughtUp).toBe(1);
  });

  it('after the bus (Redis) reconnects, an event announced while it was away gets exactly one prediction', async () => {
    const dc3 = fakeDataCore();
    const [host, port] = new URL(REDIS_URL).host.split(':');
    const proxy: TcpProxy = await startTcpProxy({ host: host!, port: Number(port ?? 6379) });
    // A prefix of its own: nothing else on this Redis reaches the test, and the test reaches nothing else.
    const prefix = `ml-reconnect-${randomUUID().slice(0, 8)}:`;
    // Catch-up only at start and on reconnect (no periodic run could do the work instead).
    const env = {
      ...process.env,
      REDIS_URL: proxy.url(REDIS_URL),
      BUS_URL: undefined,
      BUS_CHANNEL_PREFIX: prefix,
      ML_CATCHUP_INTERVAL_SECONDS: '0',
    };
    const publisher: Bus = await createBus({ url: REDIS_URL, channelPrefix: prefix });
    try {
      await using ml = await createSubgraphTestkit(mlEngine, { with: [dc3.mock], target, env });
      const pipeline = (ml.state as MlState).pipeline;
      expect(ml.services.bus.kind).toBe('redis');
      await pipeline.catchUpDone();
      // heard while connected: predicted through the bus
      const [heard] = dc3.store([{ ...ROAD_LEG, timestamp: at(700) }]);
      await waitFor('the bus delivers to ml-engine', () => (ml.services.bus.connected ? true : undefined));
      await publisher.publish(eventNormalized, signal([heard!]));
      await waitFor(
        'the announced event predicted',
        async () => ((await predictionsOf(ml, [heard!])) === 1 ? true : undefined),
        30_000,
      );
      const runsBefore = (await pipeline.status()).catchUp.runs;

      proxy.cut();
      await waitFor('ml-engine no longer hears the bus', () => (!ml.services.bus.connected ? true : undefined));
      const [missed] = dc3.store([{ ...ROAD_LEG, timestamp: at(800), distanceKm: 95 }]);
      await publisher.publish(eventNormalized, signal([missed!])); // to nobody: ml-engine's subscription is cut
      await new Promise((r) => setTimeout(r, 2500)); // a poll passes while the bus is away: nothing predicted
      expect(await predictionsOf(ml, [missed!])).toBe(0);

      proxy.restore();
      await waitFor(
        'the missed event predicted after the reconnect',
        async () => ((await predictionsOf(ml, [missed!])) === 1 ? true : undefined),
        60_000,
      );
      const status = await pipeline.status();
      expect(status.catchUp).toMatchObject({ reason: 'reconnect', runs: runsBefore + 1, enqueued: 1 });
      await pipeline.idle();
      expect(await predictionsOf(ml, [heard!, missed!])).toBe(2);
    } finally {
      await publisher.close();
      await proxy.close();
    }
  });
});
