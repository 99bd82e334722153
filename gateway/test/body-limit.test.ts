// The request body limit and the documented batch sizes agree: the largest documented requests — a 5,000-event
// ingestEvents batch with every field at its maximum length, and a 10,000-row predictBatch — pass the gateway
// (GRAPHQL_BODY_LIMIT, default 16 MiB) and succeed; a body above the limit gets HTTP 413 saying what the limit is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dataCore from '@carbon-nexus/data-core';
import mlEngine from '@carbon-nexus/ml-engine';
import { DEFAULT_BODY_LIMIT, type GatewayServer } from '../src/index.ts';
import { startTestPlatform, type TestPlatform } from '@carbon-nexus/gateway/testkit';

const MiB = 1024 * 1024;
const INGEST = `mutation($events: [EventInput!]!) { ingestEvents(events: $events) { accepted rejected duplicates } }`;
const PREDICT = `query($rows: [[FeatureValueInput!]!]!) { predictBatch(model: LOGISTICS, rows: $rows, explain: false, persist: false) { co2eKg } }`;

/** Exactly `n` characters, unique per `i` (fields documented as at most 200 characters). */
const text = (prefix: string, i: number, n = 200) => `${prefix}-${i}-`.padEnd(n, 'x');

describe('body limit vs documented batch sizes', () => {
  let platform: TestPlatform;
  let gw: GatewayServer;
  let token: string;
  let supplierId: string;

  beforeAll(async () => {
    const alone = { DATABASE_URL: undefined, REDIS_URL: undefined, BUS_URL: undefined };
    const env = { ...alone, GRAPHQL_BODY_LIMIT: undefined, RATE_LIMIT_PER_MINUTE: '0' };
    platform = await startTestPlatform({ plugins: [dataCore, mlEngine], env });
    gw = platform.gateway;
    token = await platform.token('analyst', { sub: 'limit-analyst' });
    const r = await post({
      query: `mutation { createSupplier(input: { name: "Limit Haulage", category: TRANSPORT }) { id } }`,
    });
    supplierId = (await r.json()).data.createSupplier.id;
  }, 180_000);
  afterAll(() => platform?.close());

  function post(body: unknown): Promise<Response> {
    return fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  it('a 5,000-event ingestEvents batch, every field set at its maximum length, is accepted whole', async () => {
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const events = Array.from({ length: 5000 }, (_, i) => ({
      externalId: text('limit', i),
      supplierId,
      eventType: 'TRANSPORT',
      timestamp: new Date(hour - 48 * 3_600_000 + i * 20_000).toISOString(),
      distanceKm: 123.456789,
      loadKg: 12345.678901,
      vehicleType: 'articulated_truck',
      fuelType: 'diesel',
      speedKmh: 71.234567,
      fuelL: 45.678901,
      energyKwh: 0.123456,
      route: text('route', i),
      facilityId: text('facility', i),
      region: 'UK',
      refrigerated: true,
      stops: 12,
      parcels: 340,
      idleMinutes: 17.5,
      gradientPct: 1.25,
      attributes: { trailer: 'curtain-sider', driverShift: 'night', notes: text('note', i, 120) },
    }));
    const body = JSON.stringify({ query: INGEST, variables: { events } });
    expect(body.length).toBeGreaterThan(5 * MiB); // far above the old 1 MiB limit
    expect(body.length).toBeLessThan(DEFAULT_BODY_LIMIT);
    const r = await post(body);
    expect(r.status).toBe(200);
    const json = await r.json();
    expect(json.errors).toBeUndefined();
    expect(json.data.ingestEvents).toEqual({ accepted: 5000, rejected: 0, duplicates: 0 });
  });

  it('a 10,000-row predictBatch (the documented maximum) is answered whole', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => [
      { name: 'distance_km', value: 5 + (i % 1000) + 0.123456789 },
      { name: 'load_kg', value: 50 + (i % 25_000) + 0.987654321 },
      { name: 'speed_kmh', value: 15 + (i % 80) + 0.5 },
      { name: 'gradient_pct', value: -2 + (i % 6) + 0.25 },
      { name: 'stops_per_100km', value: i % 60 },
      { name: 'idle_min', value: i % 180 },
      { name: 'refrigerated', value: i % 2 },
      { name: 'empty_share', value: (i % 50) / 100 },
      { name: 'vehicle_class', value: i % 4 },
      { name: 'grid_factor_kg_per_kwh', value: 0.177 + (i % 500) / 1000 },
    ]);
    const body = JSON.stringify({ query: PREDICT, variables: { rows } });
    expect(body.length).toBeGreaterThan(MiB);
    const r = await post(body);
    const json = await r.json();
    expect(json.errors).toBeUndefined();
    expect(r.status).toBe(200);
    expect(json.data.predictBatch).toHaveLength(10_000);
    expect(json.data.predictBatch.every((p: { co2eKg: number }) => p.co2eKg > 0)).toBe(true);
  });

  it('a body above the limit: HTTP 413 naming the limit and the setting', async () => {
    const body = JSON.stringify({ query: INGEST, variables: { events: [], padding: 'x'.repeat(DEFAULT_BODY_LIMIT) } });
    const r = await post(body);
    expect(r.status).toBe(413);
    const json = await r.json();
    expect(json.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect(json.errors[0].message).toBe(
      `request body is larger than ${DEFAULT_BODY_LIMIT} bytes (16 MiB, GRAPHQL_BODY_LIMIT)`,
    );
  });
});
