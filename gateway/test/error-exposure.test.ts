// What error responses reveal. Real subgraph processes with NODE_ENV unset (as `npm run start:distributed` and a
// plain `node` start them; vitest's NODE_ENV=test would hide the default): no stack traces unless explicitly asked
// for (EXPOSE_ERROR_STACKS=true), and the gateway strips any a subgraph sends. A subgraph that cannot be reached is
// named in the error — its internal address (127.0.0.1:<port>) appears nowhere in the response.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dataCore from '@carbon-nexus/data-core';
import mlEngine from '@carbon-nexus/ml-engine';
import { composePlugins, startGateway, type GatewayServer } from '../src/index.ts';
import { gql, productionEnv, spawnService, type Service } from './process-helpers.ts';

const INVALID = `{ suppliers(first: 1) { totalCount noSuchField } }`;
// A mutation without a token: the subgraph itself refuses it (UNAUTHENTICATED), so the error comes from its resolver.
const REFUSED = `mutation { createSupplier(input: { name: "Nope", category: TRANSPORT }) { id } }`;

async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('error responses: no stack traces unless asked, no internal addresses', () => {
  let plain: Service;
  let exposing: Service;
  let plainUrl: string;
  let exposingUrl: string;
  const gateways: GatewayServer[] = [];

  beforeAll(async () => {
    // PGlite in memory, the in-memory bus: each subgraph process alone.
    plain = spawnService(
      'gateway/src/cli/subgraph.ts',
      ['data-core'],
      productionEnv({ PORT: '0', AUTH_ANONYMOUS_READ: 'true' }),
    );
    exposing = spawnService(
      'gateway/src/cli/subgraph.ts',
      ['data-core'],
      productionEnv({ PORT: '0', EXPOSE_ERROR_STACKS: 'true' }),
    );
    [plainUrl, exposingUrl] = await Promise.all(
      [plain, exposing].map(async (s) => (await s.waitForOutput(/data-core subgraph at (http:\/\/\S+)/))[1]),
    );
  }, 240_000);

  afterAll(async () => {
    for (const gw of gateways) await gw.close();
    for (const s of [plain, exposing]) {
      s?.kill('SIGTERM');
      await s?.exited;
    }
  });

  it('a subgraph process with NODE_ENV unset sends no stack trace', async () => {
    expect(plain.child.exitCode).toBeNull();
    for (const q of [INVALID, REFUSED]) {
      const r = await gql(plainUrl, q);
      expect(r.body.errors?.length).toBeGreaterThan(0);
      expect(r.text).not.toMatch(/stacktrace|\bat .+\.(?:ts|js):\d+/);
    }
  });

  it('EXPOSE_ERROR_STACKS=true turns them on (development)', async () => {
    const r = await gql(exposingUrl, INVALID);
    expect(r.body.errors?.[0].extensions?.stacktrace).toEqual(
      expect.arrayContaining([expect.stringMatching(/GraphQLError/)]),
    );
  });

  it('the gateway strips stack traces a subgraph sends', async () => {
    const direct = await gql(exposingUrl, REFUSED);
    expect(direct.text).toMatch(/stacktrace/); // the subgraph did send one
    const gw = await startGateway({
      supergraphSdl: composePlugins([dataCore]).supergraphSdl,
      subgraphUrls: { 'data-core': exposingUrl },
      port: 0,
      serveWeb: false,
      env: productionEnv(),
    });
    gateways.push(gw);
    const r = await gql(`${gw.url}/graphql`, REFUSED);
    expect(r.body.errors?.[0].message).toMatch(/sign in|needs one of the roles|bearer token/i);
    expect(r.text).not.toMatch(/stacktrace|\bat .+\.(?:ts|js):\d+/);
  });

  it('an unreachable subgraph is named, its address never shown', async () => {
    const port = await deadPort();
    const gw = await startGateway({
      supergraphSdl: composePlugins([dataCore, mlEngine]).supergraphSdl,
      subgraphUrls: { 'data-core': plainUrl, 'ml-engine': `http://127.0.0.1:${port}/graphql` },
      port: 0,
      serveWeb: false,
      env: productionEnv(),
    });
    gateways.push(gw);
    const r = await gql(
      `${gw.url}/graphql`,
      `{ suppliers(first: 1) { totalCount } prediction(id: "00000000-0000-4000-8000-000000000000") { id } }`,
    );
    expect(r.status).toBe(200);
    expect(r.body.data?.suppliers).toEqual({ totalCount: expect.any(Number) });
    const err = r.body.errors?.find((e) => e.extensions?.code === 'SUBGRAPH_UNAVAILABLE');
    expect(err?.message).toBe('subgraph "ml-engine" is unavailable: connection refused');
    expect(err?.extensions?.serviceName).toBe('ml-engine');
    expect(r.text).not.toContain('127.0.0.1');
    expect(r.text).not.toContain(String(port));
  });
});
