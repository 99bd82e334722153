// Fault: the bus (Redis) is unreachable while alerts are raised. The gateway runs data-core, ml-engine and
// orchestration on a Redis bus reached through a TCP proxy that the test cuts. Alerts are committed the way
// orchestration's detection commits them — alert rows and their outbox events in one transaction — during the cut.
// After the proxy is restored, a bus subscriber and a graphql-ws alertRaised subscription through the gateway each
// receive every one of them, in order, none twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createTestDatabase, testDatabaseTargets, type Database } from '@carbon-nexus/db';
import { createBus, type Bus } from '@carbon-nexus/plugin-sdk';
import { signDevToken, startTcpProxy, targetOf, waitFor, type TcpProxy } from '@carbon-nexus/plugin-sdk/testkit';
import { startGateway, type GatewayServer } from '../src/index.ts';
import { alertRaised, type AlertRaised } from '@carbon-nexus/orchestration/client';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.runIf(process.env.REDIS_URL)('fault: a bus outage loses no alert (outbox replay)', () => {
  let db: Database;
  let proxy: TcpProxy;
  let bus: Bus;
  let gw: GatewayServer;
  let client: Client;
  let supplierId: string;
  const heardOnBus: AlertRaised[] = [];
  const heardOnWs: { id: string; cursor: string; level: string }[] = [];
  const wsErrors: unknown[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(testDatabaseTargets().includes('postgres') ? 'postgres' : 'pglite');
    proxy = await startTcpProxy(targetOf(process.env.REDIS_URL!, 6379));
    bus = await createBus({ url: proxy.url(process.env.REDIS_URL!) });
    const plugins = [
      (await import('@carbon-nexus/data-core')).default,
      (await import('@carbon-nexus/ml-engine')).default,
      (await import('@carbon-nexus/orchestration')).default,
    ];
    const env = { ...process.env, DATABASE_URL: undefined, REDIS_URL: undefined, BUS_URL: undefined };
    gw = await startGateway({ plugins, port: 0, serveWeb: false, env, host: { db, bus, migrate: false, scheduler: false } });
    const admin = await signDevToken({ sub: 'outage-admin', roles: ['admin'] });
    const res = await fetch(gw.url + '/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ query: `mutation { createSupplier(input: { name: "Outage Haulage", category: TRANSPORT }) { id } }` }),
    });
    supplierId = ((await res.json()) as any).data.createSupplier.id;
    // Other suites may share this Redis: keep only this supplier's alerts.
    gw.host!.bus.subscribe(alertRaised, (p) => void (p.supplierId === supplierId && heardOnBus.push(p)));
    const viewer = await signDevToken({ sub: 'outage-viewer', roles: ['viewer'] });
    client = createClient({ url: gw.url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${viewer}` }, retryAttempts: 0 });
    client.subscribe(
      { query: `subscription($s: [ID!]) { alertRaised(supplierIds: $s) { id cursor level } }`, variables: { s: [supplierId] } },
      { next: (r: any) => void (r.data ? heardOnWs.push(r.data.alertRaised) : wsErrors.push(r.errors)), error: (e) => void wsErrors.push(e), complete: () => undefined },
    );
  }, 180_000);

  afterAll(async () => {
    await client?.dispose();
    await gw?.close();
    await bus?.close();
    await proxy?.close();
    await db?.close();
  });

  /** What detection commits: hotspot + alert rows and the alert.raised outbox event, in one transaction. */
  async function raiseAlert(percent: number) {
    const a = await db.transaction(async (tx) => {
      const [h] = await tx.query<{ id: string }>(
        `INSERT INTO hotspots (id, entity_type, entity_id, entity_name, supplier_id, metric_value, baseline, percent_above, severity, status, window_start, window_end)
         VALUES (gen_random_uuid(), 'supplier', $1::text, 'Outage Haulage', $1::uuid, $2, 100, $3, 'critical', 'open', now() - interval '1 hour', now()) RETURNING id::text AS id`,
        [supplierId, 100 + percent, percent],
      );
      const [row] = await tx.query<{ id: string; seq: string }>(
        `INSERT INTO alerts (id, hotspot_id, supplier_id, level, message) VALUES (gen_random_uuid(), $1::uuid, $2::uuid, 'critical', $3) RETURNING id::text AS id, seq::text AS seq`,
        [h.id, supplierId, `Outage Haulage exceeded emissions by ${percent}%`],
      );
      await gw.host!.outbox.enqueue(tx, alertRaised, { id: row.id, seq: row.seq, hotspotId: h.id, level: 'critical', supplierId });
      return row;
    });
    gw.host!.outbox.kick();
    return a;
  }

  it('delivers alerts raised during the outage after the bus returns: to a bus subscriber and a graphql-ws subscription, in order, once', async () => {
    const upstreams = async () => Number(/^carbon_nexus_subscription_upstreams (\S+)$/m.exec(await (await fetch(gw.url + '/metrics')).text())?.[1] ?? 0);
    await waitFor('the subscription to be live', async () => (await upstreams()) >= 1, 20_000);
    const before = await raiseAlert(110);
    await waitFor('the alert before the outage', () => heardOnBus.length >= 1 && heardOnWs.length >= 1, 20_000);

    proxy.cut();
    await waitFor('the bus to notice the outage', () => !gw.host!.bus.connected, 10_000);
    const during = [];
    for (let i = 0; i < 5; i++) during.push(await raiseAlert(150 + i));
    await sleep(1500);
    expect(heardOnBus).toHaveLength(1); // nothing got through while Redis was unreachable…
    expect(heardOnWs).toHaveLength(1);
    const [pending] = await db.query<{ n: number | string }>(`SELECT count(*) AS n FROM outbox_events WHERE published_at IS NULL`);
    expect(Number(pending.n)).toBe(5); // …and nothing was lost: it waits in the outbox

    proxy.restore();
    const expected = [before, ...during].map((a) => a.id);
    await waitFor('every alert on both subscribers', () => heardOnBus.length >= 6 && heardOnWs.length >= 6, 30_000);
    await sleep(700); // a duplicate would have arrived by now
    expect(heardOnBus.map((a) => a.id)).toEqual(expected);
    expect(heardOnWs.map((a) => a.id)).toEqual(expected);
    expect(heardOnWs.map((a) => a.cursor)).toEqual([before, ...during].map((a) => a.seq));
    expect(wsErrors).toEqual([]);
    const [left] = await db.query<{ n: number | string }>(`SELECT count(*) AS n FROM outbox_events WHERE published_at IS NULL`);
    expect(Number(left.n)).toBe(0);
  });

  it('events ingested during the outage are predicted once the bus returns (event.normalized goes through the outbox)', async () => {
    const admin = await signDevToken({ sub: 'outage-admin', roles: ['admin'] });
    proxy.cut();
    await waitFor('the bus to notice the outage', () => !gw.host!.bus.connected, 10_000);
    const at = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
    const res = await fetch(gw.url + '/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({
        query: `mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted results { eventId } } }`,
        variables: { e: [1, 2, 3].map((h) => ({ externalId: `outage-leg-${h}`, supplierId, eventType: 'TRANSPORT', timestamp: at(h), distanceKm: 100 * h, loadKg: 8000 })) },
      }),
    });
    const body = (await res.json()) as any;
    expect(body.errors).toBeUndefined();
    expect(body.data.ingestEvents.accepted).toBe(3); // ingestion does not depend on the bus
    const ids: string[] = body.data.ingestEvents.results.map((r: any) => r.eventId);
    const predicted = async () =>
      Number((await db.query<{ n: number | string }>(`SELECT count(DISTINCT event_id) AS n FROM predictions WHERE event_id = ANY($1::uuid[])`, [ids]))[0].n);
    await sleep(1500);
    expect(await predicted()).toBe(0); // the signal is waiting…
    const [pending] = await db.query<{ n: number | string }>(`SELECT count(*) AS n FROM outbox_events WHERE published_at IS NULL AND topic = 'event.normalized'`);
    expect(Number(pending.n)).toBe(1); // …in the outbox, committed with the events

    proxy.restore();
    await waitFor('predictions for every event ingested during the outage', async () => (await predicted()) === 3, 60_000);
  });
});
