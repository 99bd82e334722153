// Scale-out: two gateway replicas and separately running subgraphs (each with its OWN Redis bus
// connection, one PostgreSQL database). A client on replica B receives an alert raised through replica A.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type Database } from '@carbon-nexus/db';
import { createBus, startSubgraph, type SubgraphServer } from '@carbon-nexus/plugin-sdk';
import { signDevToken, testBusPrefix } from '@carbon-nexus/plugin-sdk/testkit';
import { composePlugins, startGateway, type GatewayServer } from '../src/index.ts';
import {
  ALERT_SUBSCRIPTION,
  RAISE,
  S1,
  S2,
  collect,
  eventually,
  gql_,
  tcAlerts,
  tcSuppliers,
  wsClient,
} from './subscriptions.fixtures.ts';

const REDIS_URL = process.env.REDIS_URL;
const DATABASE_URL = process.env.DATABASE_URL;

describe.runIf(!!REDIS_URL && !!DATABASE_URL)('two gateway replicas over Redis + PostgreSQL', () => {
  let db: Database;
  const subgraphs: SubgraphServer[] = [];
  let gwA: GatewayServer;
  let gwB: GatewayServer;
  let analyst: string;
  let viewer: string;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    const standalone = async (plugin: typeof tcAlerts) => {
      const s = await startSubgraph(plugin, {
        db,
        bus: await createBus({ url: REDIS_URL, channelPrefix: testBusPrefix(db) }), // other suites share this Redis
        port: 0,
        migrate: false,
        scheduler: false,
        env: process.env,
      });
      subgraphs.push(s);
      return s;
    };
    const suppliers = await standalone(tcSuppliers as any);
    // Two instances of the alert-owning subgraph: one behind each gateway replica.
    const alertsA = await standalone(tcAlerts);
    const alertsB = await standalone(tcAlerts);
    const { supergraphSdl } = composePlugins([tcSuppliers, tcAlerts]);
    gwA = await startGateway({
      subgraphUrls: { 'tc-suppliers': suppliers.url, 'tc-alerts': alertsA.url },
      supergraphSdl,
      port: 0,
      serveWeb: false,
    });
    gwB = await startGateway({
      subgraphUrls: { 'tc-suppliers': suppliers.url, 'tc-alerts': alertsB.url },
      supergraphSdl,
      port: 0,
      serveWeb: false,
    });
    analyst = await signDevToken({ sub: 'ana', roles: ['analyst'] });
    viewer = await signDevToken({ sub: 'vic', roles: ['viewer'] });
  });

  afterAll(async () => {
    await gwA?.close();
    await gwB?.close();
    for (const s of subgraphs) await s.close();
    for (const s of subgraphs) await s.host.bus.close();
    await db?.close();
  });

  it('a client on replica B receives an alert raised through replica A, with cross-subgraph fields', async () => {
    const client = wsClient(gwB.url, viewer);
    const sub = collect(client, ALERT_SUBSCRIPTION, { minLevel: 'WARN' });
    const bState = subgraphs[2].host.plugins.get('tc-alerts')!.state as { active: number };
    await eventually(() => bState.active === 1, 10_000, 'B subscribed to its alerts subgraph');
    const r = await gql_(gwA.url, RAISE, { level: 'CRITICAL', supplierId: S2, message: 'raised through A' }, analyst);
    expect(r.errors).toBeUndefined();
    await sub.until(() => sub.results.length >= 1, 10_000, 'the alert on B');
    expect(sub.results[0].data.alertRaised).toMatchObject({
      id: r.data.raiseTestAlert.id,
      message: 'raised through A',
      hotspot: { supplier: { id: S2, name: 'Borealis Steel' } },
      supplier: { name: 'Borealis Steel' },
    });
    await client.dispose();
  });

  it('resumes with a cursor through replica B from the shared alerts table', async () => {
    const first = await gql_(gwA.url, RAISE, { level: 'WARN', supplierId: S1, message: 'while away 1' }, analyst);
    await gql_(gwA.url, RAISE, { level: 'WARN', supplierId: S1, message: 'while away 2' }, analyst);
    const client = wsClient(gwB.url, viewer);
    const sub = collect(client, ALERT_SUBSCRIPTION, { after: String(Number(first.data.raiseTestAlert.cursor) - 1) });
    await sub.until(() => sub.results.length >= 2, 10_000, 'replayed alerts');
    expect(sub.results.map((x) => x.data.alertRaised.message)).toEqual(['while away 1', 'while away 2']);
    expect(sub.results[0].data.alertRaised.supplier).toEqual({ name: 'Acme Freight' });
    await client.dispose();
  });
});
