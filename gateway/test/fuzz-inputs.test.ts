// Property-based fuzzing of GraphQL inputs through the gateway (fast-check): arbitrary variables — well-typed,
// ill-typed and nonsense — for ingestEvents (data-core), predict (ml-engine) and simulate (orchestration).
// Properties: never a 5xx, never an INTERNAL_SERVER_ERROR; the answer is GraphQL (data and/or errors) or a 400 with
// a message; the gateway keeps answering afterwards. Seeded (FUZZ_SEED=<n> replays; fast-check prints the seed on failure), bounded runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { GatewayServer } from '../src/index.ts';
import { startTestPlatform, type TestPlatform } from '@carbon-nexus/gateway/testkit';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_127);
const RUNS = Number(process.env.FUZZ_RUNS ?? 30);

const INGEST = `mutation($events: [EventInput!]!) { ingestEvents(events: $events) { accepted rejected duplicates results { index status errors { field reason } } } }`;
const PREDICT = `mutation($model: ModelName!, $features: [FeatureValueInput!]!) { predict(model: $model, features: $features) { __typename } }`;
const SIMULATE = `mutation($input: SimulationInput!) { simulate(input: $input) { __typename } }`;

const EVENT_FIELDS = [
  'externalId',
  'supplierId',
  'supplierExternalId',
  'eventType',
  'timestamp',
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
  'gasKwh',
  'attributes',
  'dataSource',
];
const FEATURES = [
  'distance_km',
  'load_kg',
  'speed_kmh',
  'payload_utilisation',
  'energy_kwh',
  'gas_kwh',
  'grid_intensity',
  'stops',
  'idle_minutes',
  'gradient_pct',
];

/** Mostly plausible values with a share of anything JSON can carry. */
const value = fc.oneof(
  { weight: 3, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'TRANSPORT',
      'FACTORY',
      'transport',
      'rigid_truck',
      'diesel',
      'UK',
      '2026-01-01T00:00:00Z',
      '00000000-0000-4000-8000-000000000000',
    ),
  },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
const event = fc.dictionary(
  fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...EVENT_FIELDS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
  ),
  value,
  { maxKeys: 10 },
);
const ingestVars = fc.oneof(
  { weight: 4, arbitrary: fc.record({ events: fc.array(event, { maxLength: 20 }) }) },
  { weight: 1, arbitrary: fc.record({ events: fc.jsonValue({ maxDepth: 3 }) }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }) },
);
const predictVars = fc.record({
  model: fc.oneof(
    fc.constantFrom('LOGISTICS', 'FACTORY', 'WAREHOUSE', 'LASTMILE'),
    fc.string({ maxLength: 12 }),
    value,
  ),
  features: fc.oneof(
    {
      weight: 4,
      arbitrary: fc.array(
        fc.record(
          { name: fc.oneof(fc.constantFrom(...FEATURES), fc.string({ maxLength: 12 })), value },
          { requiredKeys: ['name'] },
        ),
        { maxLength: 12 },
      ),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  ),
});
const simulateVars = fc.record({
  input: fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record(
        {
          supplierId: fc.oneof(fc.uuid(), fc.string({ maxLength: 12 })),
          route: fc.string({ maxLength: 20 }),
          activity: fc.oneof(
            fc.constantFrom('TRANSPORT', 'DELIVERY', 'FACTORY', 'WAREHOUSE'),
            fc.string({ maxLength: 8 }),
          ),
          features: fc.array(
            fc.record({ name: fc.oneof(fc.constantFrom(...FEATURES), fc.string({ maxLength: 12 })), value }),
            { maxLength: 8 },
          ),
          vehicleType: value,
          fuelType: value,
          loadChange: value,
          distanceChange: value,
          modalShift: fc.record({ kind: fc.constantFrom('ROAD_TO_RAIL', 'X'), sharePct: value }, { requiredKeys: [] }),
          loadFactor: value,
          lookbackHours: fc.oneof(fc.integer({ min: -10, max: 100_000 }), value),
        },
        { requiredKeys: [] },
      ),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  ),
});

describe('fuzzing GraphQL inputs through the gateway', () => {
  let platform: TestPlatform;
  let gw: GatewayServer;
  let token: string;

  beforeAll(async () => {
    const plugins = [
      (await import('@carbon-nexus/data-core')).default,
      (await import('@carbon-nexus/ml-engine')).default,
      (await import('@carbon-nexus/orchestration')).default,
    ];
    const env = { DATABASE_URL: undefined, REDIS_URL: undefined, BUS_URL: undefined, GRAPHQL_RATE_LIMIT: '1000000' };
    platform = await startTestPlatform({ plugins, env });
    gw = platform.gateway;
    token = await platform.token('analyst', { sub: 'fuzz-analyst' });
  }, 180_000);
  afterAll(() => platform?.close());

  async function post(query: string, variables: unknown) {
    const res = await fetch(gw.url + '/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    return {
      status: res.status,
      text,
      body: JSON.parse(text) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] },
    };
  }

  const check = (query: string) => async (variables: unknown) => {
    const r = await post(query, variables);
    const ctx = JSON.stringify({ variables, answer: r.text.slice(0, 2000) });
    expect(r.status, ctx).toBeLessThan(500);
    const graphql = r.body.data !== undefined || (r.body.errors?.length ?? 0) > 0;
    // Otherwise a 4xx from the HTTP layer with a message (e.g. a "__proto__" key is refused as prototype poisoning).
    if (!graphql)
      expect({ status: r.status, hasMessage: typeof (r.body as any).message === 'string' }, ctx).toEqual({
        status: 400,
        hasMessage: true,
      });
    for (const e of r.body.errors ?? []) expect(e.extensions?.code, ctx).not.toBe('INTERNAL_SERVER_ERROR');
  };

  it('ingestEvents never answers 5xx or an internal error', async () => {
    await fc.assert(fc.asyncProperty(ingestVars, check(INGEST)), { seed: SEED, numRuns: RUNS, endOnFailure: true });
  }, 120_000);

  it('predict never answers 5xx or an internal error', async () => {
    await fc.assert(fc.asyncProperty(predictVars, check(PREDICT)), { seed: SEED, numRuns: RUNS, endOnFailure: true });
  }, 120_000);

  it('simulate never answers 5xx or an internal error', async () => {
    await fc.assert(fc.asyncProperty(simulateVars, check(SIMULATE)), { seed: SEED, numRuns: RUNS, endOnFailure: true });
  }, 120_000);

  it("ill-typed variables are the client's error: 400 BAD_USER_INPUT naming the variable path", async () => {
    const r = await post(INGEST, {
      events: [{ eventType: 'TRANSPORT', timestamp: '2026-01-01T00:00:00Z', idleMinutes: 'long' }],
    });
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.body.errors?.[0].message).toContain('events[0].idleMinutes');
  });

  it('still answers normally after the fuzzing', async () => {
    const r = await post(`{ suppliers(first: 1) { totalCount } }`, {});
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
  });
});
