// The real plugins through the gateway: orchestration's alertRaised(after:) with Supplier.name from
// data-core, resumed by the partner client. Alerts are inserted as rows + bus signals (test fixture),
// exactly what orchestration's detection commits and publishes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type Database } from '@carbon-nexus/db';
import { signDevToken } from '@carbon-nexus/plugin-sdk/testkit';
import { memoryCursorStore, subscribeAlerts, type Alert } from '@carbon-nexus/partner-client';
import { startGateway, type GatewayServer } from '../src/index.ts';
import { eventually, gql_ } from './subscriptions.fixtures.ts';
import { alertRaised } from '@carbon-nexus/orchestration/client';

let gw: GatewayServer;
let db: Database;
let supplierId: string;

beforeAll(async () => {
  const plugins = [
    (await import('@carbon-nexus/data-core')).default,
    (await import('@carbon-nexus/ml-engine')).default,
    (await import('@carbon-nexus/orchestration')).default,
  ];
  db = await createTestDatabase('pglite');
  gw = await startGateway({ plugins, port: 0, serveWeb: false, host: { db, scheduler: false, migrate: false } });
  const admin = await signDevToken({ sub: 'admin', roles: ['admin'] });
  const r = await gql_(gw.url, `mutation { createSupplier(input: { name: "Nordic Haulage", category: TRANSPORT }) { id } }`, {}, admin);
  expect(r.errors).toBeUndefined();
  supplierId = r.data.createSupplier.id;
});

afterAll(async () => {
  await gw?.close();
  await db?.close();
});

/** What orchestration's detection does for a new hotspot: commit the rows, then signal. */
async function raiseAlert(level: 'info' | 'warn' | 'critical', percent: number) {
  const [h] = await db.query<{ id: string }>(
    `INSERT INTO hotspots (id, entity_type, entity_id, entity_name, supplier_id, metric_value, baseline, percent_above, severity, status, window_start, window_end)
     VALUES (gen_random_uuid(), 'supplier', $1, 'Nordic Haulage', $5::uuid, $2, 100, $3, $4, 'open', now() - interval '1 hour', now()) RETURNING id::text AS id`,
    [supplierId, 100 + percent, percent, level, supplierId],
  );
  const [a] = await db.query<{ id: string; seq: string }>(
    `INSERT INTO alerts (id, hotspot_id, supplier_id, level, message) VALUES (gen_random_uuid(), $1::uuid, $2::uuid, $3, $4) RETURNING id::text AS id, seq::text AS seq`,
    [h.id, supplierId, level, `Nordic Haulage exceeded emissions by ${percent}%`],
  );
  await gw.host!.bus.publish(alertRaised, { id: a.id, seq: a.seq, hotspotId: h.id, level, supplierId });
  return a;
}

describe('orchestration alertRaised through the gateway', () => {
  it('delivers live alerts with the supplier name from data-core, and resumes after a disconnect with exactly the missed ones', async () => {
    const partner = await signDevToken({ sub: 'partner', roles: ['partner'] });
    const store = memoryCursorStore();
    const got: Alert[] = [];
    const errors: unknown[] = [];
    const open = () =>
      subscribeAlerts({ url: gw.url + '/graphql', token: partner, minLevel: 'WARN', cursorStore: store, onAlert: (a) => void got.push(a), onError: (e) => void errors.push(e) });
    let sub = open();
    const upstreams = async () => Number(/^carbon_nexus_subscription_upstreams (\S+)$/m.exec(await (await fetch(gw.url + '/metrics')).text())?.[1] ?? 0);
    await eventually(async () => (await upstreams()) === 1, 10_000, 'subscribed');
    await raiseAlert('critical', 160);
    await eventually(() => got.length === 1, 10_000, 'live alert');
    expect(got[0]).toMatchObject({ level: 'CRITICAL', message: 'Nordic Haulage exceeded emissions by 160%', hotspot: { severity: 'CRITICAL', supplier: { id: supplierId, name: 'Nordic Haulage' } } });

    await sub.close();
    await eventually(async () => (await upstreams()) === 0, 10_000, 'disconnected');
    const missed = [await raiseAlert('warn', 110), await raiseAlert('info', 85), await raiseAlert('critical', 200)];
    sub = open();
    await eventually(() => got.length >= 3, 10_000, 'replayed alerts');
    const live = await raiseAlert('warn', 120);
    await eventually(() => got.length >= 4, 10_000, 'live after replay');
    await new Promise((r) => setTimeout(r, 300));
    await sub.close();
    expect(got.map((a) => a.id)).toEqual([got[0].id, missed[0].id, missed[2].id, live.id]);
    expect(got[1].hotspot.supplier?.name).toBe('Nordic Haulage');
    expect(store.value).toBe(live.seq);
  });
});
