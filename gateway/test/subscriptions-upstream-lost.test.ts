// When the subgraph behind a subscription goes away (its connection cut), every client of that subscription gets
// the documented error — a GraphQL error with extensions.code UPSTREAM_LOST naming the subgraph — and then the
// stream completes. The client's own graphql-ws connection stays up: subscribing again works once the subgraph is
// reachable. (graphql-ws serialises errors with toJSON(); a plain object there used to end the socket with 4500.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createTestDatabase, type Database } from '@carbon-nexus/db';
import { startSubgraph, type SubgraphServer } from '@carbon-nexus/plugin-sdk';
import { startTcpProxy, waitFor, type TcpProxy } from '@carbon-nexus/plugin-sdk/testkit';
import dataCore from '@carbon-nexus/data-core';
import { composePlugins, startGateway, type GatewayServer } from '../src/index.ts';

const PULSE = `subscription { emissionPulse { at } }`;

describe('subscription upstream lost', () => {
  let db: Database;
  let core: SubgraphServer;
  let proxy: TcpProxy;
  let gw: GatewayServer;
  let client: Client;
  const closes: number[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('pglite');
    const env = { ...process.env, DATABASE_URL: undefined, REDIS_URL: undefined, BUS_URL: undefined };
    core = await startSubgraph(dataCore, { port: 0, env, db, migrate: false, scheduler: false });
    proxy = await startTcpProxy({ host: '127.0.0.1', port: core.port });
    gw = await startGateway({
      supergraphSdl: composePlugins([dataCore]).supergraphSdl,
      subgraphUrls: { 'data-core': `http://127.0.0.1:${proxy.port}/graphql` },
      port: 0,
      serveWeb: false,
      env,
    });
    client = createClient({
      url: gw.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      on: { closed: (e: any) => void closes.push(e.code) },
    });
  }, 120_000);

  afterAll(async () => {
    await client?.dispose();
    await gw?.close();
    await proxy?.close();
    await core?.close();
    await db?.close();
  });

  function subscribe() {
    const results: any[] = [];
    const state = { completed: false, error: null as unknown };
    client.subscribe(
      { query: PULSE },
      {
        next: (r) => void results.push(r),
        error: (e) => void (state.error = e),
        complete: () => void (state.completed = true),
      },
    );
    return { results, state };
  }

  it('pushes UPSTREAM_LOST naming the subgraph, completes the stream, and keeps the client connection', async () => {
    const first = subscribe();
    await waitFor(
      'the first pulse through the gateway',
      () => first.results.some((r) => r.data?.emissionPulse),
      30_000,
    );
    proxy.cut(); // the gateway's graphql-ws connection to data-core drops
    await waitFor('the stream to end', () => first.state.completed || first.state.error, 30_000);
    expect(first.state.error).toBeNull();
    const lost = first.results.at(-1);
    expect(lost.data ?? null).toBeNull();
    expect(lost.errors).toHaveLength(1);
    expect(lost.errors[0].extensions).toMatchObject({ code: 'UPSTREAM_LOST', serviceName: 'data-core' });
    expect(lost.errors[0].message).toMatch(/^upstream subscription ended: subgraph "data-core": .+; subscribe again$/);
    expect(JSON.stringify(lost)).not.toContain('127.0.0.1');
    expect(closes).toEqual([]); // the client's socket to the gateway is still open

    proxy.restore();
    const again = subscribe();
    await waitFor('a pulse after resubscribing', () => again.results.some((r) => r.data?.emissionPulse), 30_000);
    expect(again.state.error).toBeNull();
  });
});
