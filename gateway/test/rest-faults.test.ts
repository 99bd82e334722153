// REST refusals that come from the gateway rather than a plugin: the per-token rate limit (429 with Retry-After) and
// a subgraph that cannot be reached (503 naming it), both as problem+json — and the same over GraphQL.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dataCore from '@carbon-nexus/data-core';
import { startTestPlatform, type TestPlatform } from '@carbon-nexus/gateway/testkit';
import { composePlugins, startGateway, type GatewayServer } from '../src/index.ts';
import { graphql, op, rest } from './rest.fixtures.ts';

const env = { ...process.env, DATABASE_URL: undefined, REDIS_URL: undefined, BUS_URL: undefined };

async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('REST faults', () => {
  let platform: TestPlatform;
  let limited: GatewayServer;
  let orphan: GatewayServer;
  let token: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ plugins: [dataCore], env: { ...env, RATE_LIMIT_PER_MINUTE: '3' } });
    limited = platform.gateway;
    // data-core "runs elsewhere", at an address where nothing listens: a gateway without plugins or database.
    orphan = await startGateway({
      supergraphSdl: composePlugins([dataCore]).supergraphSdl,
      subgraphUrls: { 'data-core': `http://127.0.0.1:${await deadPort()}/graphql` },
      port: 0,
      serveWeb: false,
      env,
    });
    platform.defer(() => orphan.close());
    token = await platform.token('analyst', { sub: 'faults' });
  }, 120_000);

  afterAll(() => platform?.close());

  it('the rate limit answers 429 problem+json with Retry-After, counted per token', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof rest>> | null = null;
    for (let i = 0; i < 4; i++) {
      last = await rest(limited.url, op('Suppliers'), { first: 1 }, token);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(last!.type).toMatch(/^application\/problem\+json/);
    expect(last!.body).toMatchObject({ status: 429, code: 'RATE_LIMITED', instance: '/api/v1/suppliers' });
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last!.body.retryAfterSeconds).toBeGreaterThan(0);
    // Another caller has its own budget.
    const other = await platform.token('analyst', { sub: 'faults-2' });
    expect((await rest(limited.url, op('Suppliers'), { first: 1 }, other)).status).toBe(200);
  });

  it('an unreachable subgraph is a 503 naming it, as GraphQL names it', async () => {
    const g = await graphql(orphan.url, op('Suppliers'), { first: 1 }, token);
    expect(g.errors?.[0].extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'data-core' });
    const r = await rest(orphan.url, op('Suppliers'), { first: 1 }, token);
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({
      status: 503,
      code: 'SUBGRAPH_UNAVAILABLE',
      subgraph: 'data-core',
      subgraphs: ['data-core'],
      instance: '/api/v1/suppliers',
    });
    expect(r.body.detail).toContain('data-core');
    expect(r.headers.get('retry-after')).toBe('5');
    const m = await rest(
      orphan.url,
      op('CreateSupplier'),
      { input: { name: 'Nowhere', category: 'TRANSPORT' } },
      token,
    );
    expect(m.status).toBe(503);
    expect(m.body.subgraph).toBe('data-core');
  });
});
