// Fault: the bus (Redis) is unreachable while alerts are raised. The gateway runs data-core, ml-engine and
// orchestration on a Redis bus reached through a TCP proxy that the test cuts. Alerts are raised by orchestration's
// detection during the cut (hotspots.fixtures.ts: events and baselines before it, detectHotspots during it), which
// commits alert rows and their outbox events in one transaction. After the proxy is restored, a bus subscriber and a graphql-ws alertRaised subscription through the gateway each
// receive every one of them, in order, none twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { testDatabaseTargets, type Database } from '@carbon-nexus/db';
import { createBus, type Bus } from '@carbon-nexus/plugin-sdk';
import { startTcpProxy, targetOf, waitFor, type TcpProxy } from '@carbon-nexus/plugin-sdk/testkit';
import { startTestPlatform, type TestPlatform } from '@carbon-nexus/gateway/testkit';
import type { GatewayServer } from '../src/index.ts';
import { alertRaised, type AlertRaised } from '@carbon-nexus/orchestration/client';
import { detectionWindows, gqlAt, prepareHotspot, type Gql, type RaisedHotspot } from './hotspots.fixtures.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.runIf(process.env.REDIS_URL)('fault: a bus outage loses no alert (outbox replay)', () => {
  let platform: TestPlatform;
  let db: Database;
  let proxy: TcpProxy;
  let bus: Bus;
  let gw: GatewayServer;
  let client: Client;
  let supplierId: string;
  let admin: Gql;
  /** The alerts of this test, one supplier each (detection alerts when it creates a supplier's hotspot). */
  const suppliers: string[] = [];
  const windows = detectionWindows();
  const heardOnBus: AlertRaised[] = [];
  const heardOnWs: { id: string; cursor: string; level: string }[] = [];
  const wsErrors: unknown[] = [];

  beforeAll(async () => {
    proxy = await startTcpProxy(targetOf(process.env.REDIS_URL!, 6379));
    bus = await createBus({ url: proxy.url(process.env.REDIS_URL!), channelPrefix: `outage-${process.pid}` });
    const plugins = [
      (await import('@carbon-nexus/data-core')).default,
      (await import('@carbon-nexus/ml-engine')).default,
      (await import('@carbon-nexus/orchestration')).default,
    ];
    const env = { DATABASE_URL: undefined, REDIS_URL: undefined, BUS_URL: undefined };
    const target = testDatabaseTargets().includes('postgres') ? 'postgres' : 'pglite';
    platform = await startTestPlatform({ plugins, target, env, gateway: { host: { bus } } });
    ({ gateway: gw, db } = platform);
    admin = gqlAt(gw.url, await platform.token('admin', { sub: 'outage-admin' }));
    for (let i = 0; i < 6; i++) {
      const r = await admin(
        `mutation { createSupplier(input: { name: "Outage Haulage", category: TRANSPORT }) { id } }`,
      );
      suppliers.push(r.data.createSupplier.id);
    }
    supplierId = suppliers[0];
    // Other suites may share this Redis: keep only this test's alerts.
    gw.host!.bus.subscribe(alertRaised, (p) => void (suppliers.includes(p.supplierId ?? '') && heardOnBus.push(p)));
    const viewer = await platform.token('viewer', { sub: 'outage-viewer' });
    client = createClient({
      url: gw.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${viewer}` },
      retryAttempts: 0,
    });
    platform.defer(() => client.dispose());
    client.subscribe(
      {
        query: `subscription($s: [ID!]) { alertRaised(supplierIds: $s) { id cursor level } }`,
        variables: { s: suppliers },
      },
      {
        next: (r: any) => void (r.data ? heardOnWs.push(r.data.alertRaised) : wsErrors.push(r.errors)),
        error: (e) => void wsErrors.push(e),
        complete: () => undefined,
      },
    );
  }, 180_000);

  afterAll(async () => {
    await platform?.close(); // the gateway first: its host still uses the bus while it drains
    await bus?.close();
    await proxy?.close();
  });

  /** A hotspot and its alert from detection, for the next of the test's suppliers (events and baseline beforehand). */
  const prepared: (() => Promise<RaisedHotspot>)[] = [];
  async function prepareAlerts(percents: number[]) {
    for (const percent of percents)
      prepared.push(await prepareHotspot(admin, { supplierId: suppliers[prepared.length], percent, windows }));
  }
  let raised = 0;
  async function raiseAlert() {
    const h = await prepared[raised++]();
    return { id: h.alertId, seq: h.alertSeq };
  }

  it('delivers alerts raised during the outage after the bus returns: to a bus subscriber and a graphql-ws subscription, in order, once', async () => {
    const upstreams = async () =>
      Number(
        /^carbon_nexus_subscription_upstreams (\S+)$/m.exec(await (await fetch(gw.url + '/metrics')).text())?.[1] ?? 0,
      );
    await waitFor('the subscription to be live', async () => (await upstreams()) >= 1, 20_000);
    await prepareAlerts([110, 150, 151, 152, 153, 154]);
    const before = await raiseAlert();
    await waitFor('the alert before the outage', () => heardOnBus.length >= 1 && heardOnWs.length >= 1, 20_000);

    proxy.cut();
    await waitFor('the bus to notice the outage', () => !gw.host!.bus.connected, 10_000);
    const during = [];
    for (let i = 0; i < 5; i++) during.push(await raiseAlert());
    await sleep(1500);
    expect(heardOnBus).toHaveLength(1); // nothing got through while Redis was unreachable…
    expect(heardOnWs).toHaveLength(1);
    // Detection commits each alert.raised (beside its hotspot.changed) into the outbox.
    const [pending] = await db.query<{ n: number | string }>(
      `SELECT count(*) AS n FROM outbox_events WHERE published_at IS NULL AND topic = 'alert.raised'`,
    );
    expect(Number(pending.n)).toBe(5); // …and nothing was lost: it waits in the outbox

    proxy.restore();
    const expected = [before, ...during].map((a) => a.id);
    await waitFor('every alert on both subscribers', () => heardOnBus.length >= 6 && heardOnWs.length >= 6, 30_000);
    await sleep(700); // a duplicate would have arrived by now
    expect(heardOnBus.map((a) => a.id)).toEqual(expected);
    expect(heardOnWs.map((a) => a.id)).toEqual(expected);
    expect(heardOnWs.map((a) => a.cursor)).toEqual([before, ...during].map((a) => a.seq));
    expect(wsErrors).toEqual([]);
    const [left] = await db.query<{ n: number | string }>(
      `SELECT count(*) AS n FROM outbox_events WHERE published_at IS NULL`,
    );
    expect(Number(left.n)).toBe(0);
  });

  it('events ingested during the outage are predicted once the bus returns (event.normalized goes through the outbox)', async () => {
    const admin = await platform.token('admin', { sub: 'outage-admin' });
    proxy.cut();
    await waitFor('the bus to notice the outage', () => !gw.host!.bus.connected, 10_000);
    const at = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
    const res = await fetch(gw.url + '/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({
        query: `mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted results { eventId } } }`,
        variables: {
          e: [1, 2, 3].map((h) => ({
            externalId: `outage-leg-${h}`,
            supplierId,
            eventType: 'TRANSPORT',
            timestamp: at(h),
            distanceKm: 100 * h,
            loadKg: 8000,
          })),
        },
      }),
    });
    const body = (await res.json()) as any;
    expect(body.errors).toBeUndefined();
    expect(body.data.ingestEvents.accepted).toBe(3); // ingestion does not depend on the bus
    const ids: string[] = body.data.ingestEvents.results.map((r: any) => r.eventId);
    const predicted = async () =>
      Number(
        (
          await db.query<{ n: number | string }>(
            `SELECT count(DISTINCT event_id) AS n FROM predictions WHERE event_id = ANY($1::uuid[])`,
            [ids],
          )
        )[0].n,
      );
    await sleep(1500);
    expect(await predicted()).toBe(0); // the signal is waiting…
    const [pending] = await db.query<{ n: number | string }>(
      `SELECT count(*) AS n FROM outbox_events WHERE published_at IS NULL AND topic = 'event.normalized'`,
    );
    expect(Number(pending.n)).toBe(1); // …in the outbox, committed with the events

    proxy.restore();
    await waitFor(
      'predictions for every event ingested during the outage',
      async () => (await predicted()) === 3,
      60_000,
    );
  });
});
