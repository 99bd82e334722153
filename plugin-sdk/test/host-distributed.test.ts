// A process that is part of a distributed platform (other plugins at CARBON_NEXUS_SUBGRAPH_<ID>_URL) must have a
// shared bus: with the in-memory default its events would silently never reach the other processes, so it refuses
// to start and says what to set. And a subgraph's /readyz reports the bus: with Redis unreachable it answers 503
// naming it, and 200 again once Redis is back.
import { afterAll, describe, expect, it } from 'vitest';
import {
  createBus,
  createHost,
  definePlugin,
  gql,
  startSubgraph,
  type Bus,
  type SubgraphServer,
} from '@carbon-nexus/plugin-sdk';
import { createTestDatabase, startTcpProxy, targetOf, waitFor, type TcpProxy } from '@carbon-nexus/plugin-sdk/testkit';
import type { Database } from '@carbon-nexus/db';

const echo = definePlugin({
  id: 'echo',
  typeDefs: gql`
    type Query { echo(text: String!): String! }
  `,
  resolvers: { Query: { echo: (_: unknown, a: { text: string }) => a.text } },
});

describe('a distributed process without a bus', () => {
  it('refuses to start, naming the remote plugins and the setting to add', async () => {
    const db = await createTestDatabase('pglite');
    const host = createHost({
      plugins: [echo],
      db,
      migrate: false,
      env: { CARBON_NEXUS_SUBGRAPH_DATA_CORE_URL: 'http://data-core:4101/graphql' },
    });
    try {
      await expect(host.start()).rejects.toThrow(
        /runs distributed \(CARBON_NEXUS_SUBGRAPH_DATA_CORE_URL set\) but has no bus: set REDIS_URL=redis:\/\/… or BUS_URL=postgres:\/\//,
      );
    } finally {
      await host.stop();
      await db.close();
    }
  });

  it('starts with BUS_URL=memory (an explicit choice) and, alone, with no bus setting at all', async () => {
    const db = await createTestDatabase('pglite');
    try {
      for (const env of [
        { CARBON_NEXUS_SUBGRAPH_DATA_CORE_URL: 'http://data-core:4101/graphql', BUS_URL: 'memory' },
        {},
      ]) {
        const host = createHost({ plugins: [echo], db, migrate: false, scheduler: false, env });
        await host.start();
        expect(host.bus.kind).toBe('memory');
        expect((await host.plugins.get('echo')!.execute('{ echo(text: "hi") }')).data).toEqual({ echo: 'hi' });
        await host.stop();
      }
    } finally {
      await db.close();
    }
  });
});

describe.runIf(process.env.REDIS_URL)('subgraph /readyz checks the bus (Redis cut and restored)', () => {
  let db: Database;
  let proxy: TcpProxy;
  let bus: Bus;
  let sub: SubgraphServer;
  afterAll(async () => {
    await sub?.close();
    await bus?.close();
    await proxy?.close();
    await db?.close();
  });

  it('503 naming the bus while Redis is unreachable, 200 once it is back; the process keeps answering queries', async () => {
    db = await createTestDatabase('pglite');
    proxy = await startTcpProxy(targetOf(process.env.REDIS_URL!, 6379));
    bus = await createBus({ url: proxy.url(process.env.REDIS_URL!) });
    sub = await startSubgraph(echo, { port: 0, db, bus, migrate: false, scheduler: false, env: {} });
    const ready = async () => {
      const r = await fetch(`http://127.0.0.1:${sub.port}/readyz`);
      return { status: r.status, body: (await r.json()) as { status: string; checks: Record<string, boolean> } };
    };
    expect(await ready()).toMatchObject({
      status: 200,
      body: { status: 'ready', checks: { database: true, bus: true, echo: true } },
    });
    proxy.cut();
    const down = await waitFor(
      'readyz to report the bus down',
      async () => {
        const r = await ready();
        return r.status === 503 ? r : null;
      },
      20_000,
    );
    expect(down.body).toMatchObject({ status: 'not ready', checks: { database: true, bus: false } });
    // Still serving what does not need the bus.
    const q = await fetch(sub.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ echo(text: "still here") }' }),
    });
    expect(((await q.json()) as any).data).toEqual({ echo: 'still here' });
    proxy.restore();
    await waitFor('readyz ready again', async () => (await ready()).status === 200, 30_000);
  });
});
