// Gateway /readyz checks its subgraphs (their own /readyz, which covers database and bus): a subgraph that is down
// is named (`degraded`) while the gateway stays ready to serve the others' data; when no subgraph answers — or with
// READY_REQUIRE_ALL_SUBGRAPHS=true, when any is not ready — it answers 503. Checks are cached (READY_CACHE_MS) and
// shared, so a burst of probes costs each subgraph at most one request.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type Database } from '@carbon-nexus/db';
import { startSubgraph, type SubgraphServer } from '@carbon-nexus/plugin-sdk';
import { waitFor } from '@carbon-nexus/plugin-sdk/testkit';
import dataCore from '@carbon-nexus/data-core';
import mlEngine from '@carbon-nexus/ml-engine';
import { composePlugins, startGateway, type GatewayServer } from '../src/index.ts';

/** A port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function readyz(gw: GatewayServer) {
  const r = await fetch(`${gw.url}/readyz`);
  return {
    status: r.status,
    body: (await r.json()) as { status: string; checks: Record<string, boolean>; degraded?: string[] },
  };
}

describe('gateway /readyz with remote subgraphs', () => {
  let db: Database;
  let core: SubgraphServer;
  const gateways: GatewayServer[] = [];
  let readyzHits = 0;
  let urls: Record<string, string>;
  const env = { ...process.env, DATABASE_URL: undefined, REDIS_URL: undefined, BUS_URL: undefined };
  const supergraphSdl = composePlugins([dataCore, mlEngine]).supergraphSdl;
  const gateway = async (extra: Record<string, string> = {}) => {
    const gw = await startGateway({
      supergraphSdl,
      subgraphUrls: urls,
      port: 0,
      serveWeb: false,
      env: { ...env, ...extra },
    });
    gateways.push(gw);
    return gw;
  };

  beforeAll(async () => {
    db = await createTestDatabase('pglite');
    core = await startSubgraph(dataCore, { port: 0, env, db, migrate: false, scheduler: false });
    core.app.server.on('request', (req) => void (req.url === '/readyz' && readyzHits++));
    // ml-engine is "down": its URL points at a port nothing listens on.
    urls = { 'data-core': core.url, 'ml-engine': `http://127.0.0.1:${await deadPort()}/graphql` };
  }, 120_000);

  afterAll(async () => {
    for (const gw of gateways) await gw.close();
    await core?.close();
    await db?.close();
  });

  it('one subgraph down: 200 "degraded", naming it; the others are checked through their own /readyz', async () => {
    const gw = await gateway();
    const r = await readyz(gw);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      status: 'degraded',
      degraded: ['ml-engine'],
      checks: { 'subgraph:data-core': true, 'subgraph:ml-engine': false },
    });
  });

  it('READY_REQUIRE_ALL_SUBGRAPHS=true: any subgraph not ready fails the probe', async () => {
    const gw = await gateway({ READY_REQUIRE_ALL_SUBGRAPHS: 'true' });
    const r = await readyz(gw);
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({
      status: 'not ready',
      checks: { 'subgraph:data-core': true, 'subgraph:ml-engine': false },
    });
  });

  it('a burst of probes reaches each subgraph at most once per cache period', async () => {
    const gw = await gateway({ READY_CACHE_MS: '600000' });
    const before = readyzHits;
    const burst = await Promise.all(Array.from({ length: 25 }, () => readyz(gw)));
    for (let i = 0; i < 10; i++) burst.push(await readyz(gw));
    expect(burst.every((r) => r.status === 200)).toBe(true);
    expect(readyzHits - before).toBe(1);
  });

  it('no subgraph answering: 503', async () => {
    const gw = await gateway({ READY_CACHE_MS: '50' });
    expect((await readyz(gw)).status).toBe(200);
    await core.close();
    const r = await waitFor(
      'readyz 503 with every subgraph down',
      async () => {
        const x = await readyz(gw);
        return x.status === 503 ? x : null;
      },
      20_000,
    );
    expect(r.body).toMatchObject({
      status: 'not ready',
      checks: { 'subgraph:data-core': false, 'subgraph:ml-engine': false },
    });
  });
});
