import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startSubgraph, type SubgraphServer } from '@carbon-nexus/plugin-sdk';
import { createTestDatabase, testDatabaseTargets, type Database } from '@carbon-nexus/db';
import mlEngine from '../src/plugin.ts';
import { LOGISTICS_ROW, PREDICT, PREDICT_BATCH, toFeatures } from './helpers.ts';

describe.each(testDatabaseTargets())('metrics at /metrics (%s)', (target) => {
  let server: SubgraphServer | undefined;
  let db: Database | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(target);
    server = await startSubgraph(mlEngine, {
      db,
      migrate: false,
      scheduler: false,
      env: { ...process.env, PORT: '0' },
    });
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('exposes model_inference_seconds by model and batch-size bucket and the prediction counter', async () => {
    const post = async (query: string, variables: unknown) => {
      const res = await fetch(server!.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as any;
      expect(body.errors?.map((e: any) => e.message)).toBeUndefined();
      return body.data;
    };
    await post(PREDICT, { model: 'LOGISTICS', features: toFeatures(LOGISTICS_ROW) });
    const rows = Array.from({ length: 25 }, (_, i) => toFeatures({ ...LOGISTICS_ROW, distance_km: 50 + i * 10 }));
    await post(PREDICT_BATCH, { model: 'LOGISTICS', rows, persist: false });
    const text = await (await fetch(server!.url.replace(/\/graphql$/, '/metrics'))).text();
    expect(text).toMatch(/carbon_nexus_model_inference_seconds_bucket\{[^}]*model="logistics"[^}]*batch="1"/);
    expect(text).toMatch(/carbon_nexus_model_inference_seconds_count\{model="logistics",batch="<=100"\} 1/);
    expect(text).toMatch(/carbon_nexus_predictions_total\{model="logistics",source="api"\} 26/);
  });
});
