// Fault: a subgraph goes down behind the gateway. data-core and ml-engine run as their own HTTP subgraph servers
// (startSubgraph, as in the distributed topology); the gateway routes to them over HTTP. With ml-engine stopped, a
// query spanning both answers data-core's part plus an error naming ml-engine (HTTP 200, no crash), the gateway
// keeps serving, and once ml-engine is back on its port the same query is whole again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type Database } from '@carbon-nexus/db';
import { startSubgraph, type SubgraphServer } from '@carbon-nexus/plugin-sdk';
import { signDevToken, waitFor } from '@carbon-nexus/plugin-sdk/testkit';
import dataCore from '@carbon-nexus/data-core';
import mlEngine from '@carbon-nexus/ml-engine';
import { composePlugins, startGateway, type GatewayServer } from '../src/index.ts';

const SPANNING = /* GraphQL */ `
  query Spanning {
    suppliers(first: 10, search: "Fault Freight") { totalCount nodes { id name } }
    prediction(id: "00000000-0000-4000-8000-000000000000") { id }
  }
`;

async function gql(url: string, query: string, token: string) {
  const res = await fetch(url + '/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return {
    status: res.status,
    body: (await res.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] },
  };
}

describe('fault: a subgraph goes down and comes back', () => {
  let db: Database;
  let core: SubgraphServer;
  let ml: SubgraphServer | null;
  let mlPort: number;
  let gw: GatewayServer;
  let token: string;
  const env = { ...process.env, DATABASE_URL: undefined, REDIS_URL: undefined, BUS_URL: undefined };

  const startMl = (port = 0) =>
    startSubgraph(mlEngine, { port, env, db, migrate: false, scheduler: false, remote: { 'data-core': core.url } });

  beforeAll(async () => {
    db = await createTestDatabase('pglite');
    core = await startSubgraph(dataCore, { port: 0, env, db, migrate: false, scheduler: false });
    ml = await startMl();
    mlPort = ml.port;
    gw = await startGateway({
      supergraphSdl: composePlugins([dataCore, mlEngine]).supergraphSdl,
      subgraphUrls: { 'data-core': core.url, 'ml-engine': ml.url },
      port: 0,
      serveWeb: false,
      env,
    });
    token = await signDevToken({ sub: 'fault-analyst', roles: ['analyst'] });
    const r = await fetch(gw.url + '/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: `mutation { createSupplier(input: { name: "Fault Freight", category: TRANSPORT }) { id } }`,
      }),
    });
    expect(((await r.json()) as any).errors).toBeUndefined();
  }, 180_000);

  afterAll(async () => {
    await gw?.close();
    await ml?.close();
    await core?.close();
    await db?.close();
  });

  it('answers in full while every subgraph is up', async () => {
    const r = await gql(gw.url, SPANNING, token);
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.suppliers.totalCount).toBe(1);
    expect(r.body.data.prediction).toBeNull();
  });

  it('with ml-engine down: data from data-core plus an error naming ml-engine, and the gateway keeps serving', async () => {
    await ml!.close();
    ml = null;
    const r = await gql(gw.url, SPANNING, token);
    expect(r.status).toBe(200);
    expect(r.body.data.suppliers).toMatchObject({ totalCount: 1, nodes: [{ name: 'Fault Freight' }] });
    expect(r.body.data.prediction).toBeNull();
    expect(r.body.errors?.length).toBeGreaterThanOrEqual(1);
    const err = r.body.errors![0];
    expect(err.message).toContain('subgraph "ml-engine" is unavailable');
    expect(err.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'ml-engine' });

    // Still serving: queries that do not touch ml-engine are whole; health stays up.
    for (let i = 0; i < 3; i++) {
      const only = await gql(gw.url, `{ suppliers(first: 1) { totalCount } }`, token);
      expect(only.body.errors).toBeUndefined();
      expect(only.body.data.suppliers.totalCount).toBe(1);
    }
    expect((await fetch(gw.url + '/healthz')).status).toBe(200);
  });

  it('once ml-engine is back on its port, the same query is whole again', async () => {
    ml = await startMl(mlPort);
    const r = await waitFor(
      'a whole answer after ml-engine restarted',
      async () => {
        const x = await gql(gw.url, SPANNING, token);
        return x.body.errors ? null : x;
      },
      30_000,
    );
    expect(r.status).toBe(200);
    expect(r.body.data.suppliers.totalCount).toBe(1);
    expect(r.body.data.prediction).toBeNull();
  });
});
