// The real plugins through the gateway: orchestration's alertRaised(after:) with Supplier.name from
// data-core, resumed by the partner client. Alerts are raised by orchestration's detection over events ingested
// through data-core (hotspots.fixtures.ts), so what is pushed is what detection commits and publishes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryCursorStore, subscribeAlerts, type Alert } from '@carbon-nexus/partner-client';
import { startTestPlatform, type TestPlatform } from '@carbon-nexus/gateway/testkit';
import type { GatewayServer } from '../src/index.ts';
import { eventually } from './subscriptions.fixtures.ts';
import { detectionWindows, gqlAt, raiseHotspot, type DetectionWindows, type Gql } from './hotspots.fixtures.ts';

let platform: TestPlatform;
let gw: GatewayServer;
let admin: Gql;
let windows: DetectionWindows;
let supplierId: string;

beforeAll(async () => {
  const plugins = [
    (await import('@carbon-nexus/data-core')).default,
    (await import('@carbon-nexus/ml-engine')).default,
    (await import('@carbon-nexus/orchestration')).default,
  ];
  platform = await startTestPlatform({ plugins });
  gw = platform.gateway;
  admin = gqlAt(gw.url, await platform.token('admin', { sub: 'admin' }));
  windows = detectionWindows();
  supplierId = await createSupplier();
});

afterAll(() => platform?.close());

async function createSupplier(): Promise<string> {
  const r = await admin(`mutation { createSupplier(input: { name: "Nordic Haulage", category: TRANSPORT }) { id } }`);
  expect(r.errors).toBeUndefined();
  return r.data.createSupplier.id;
}

/**
 * A new hotspot and its alert, from orchestration's detection. Detection alerts when it creates a hotspot, and one
 * supplier has one ongoing hotspot, so each alert after the first is for another supplier of the same name.
 */
let alerted = 0;
async function raiseAlert(level: 'info' | 'warn' | 'critical', percent: number) {
  const supplier = alerted++ === 0 ? supplierId : await createSupplier();
  const h = await raiseHotspot(admin, { supplierId: supplier, percent, windows });
  expect(h.level).toBe(level.toUpperCase());
  return { id: h.alertId, seq: h.alertSeq };
}

describe('orchestration alertRaised through the gateway', () => {
  it('delivers live alerts with the supplier name from data-core, and resumes after a disconnect with exactly the missed ones', async () => {
    const partner = await platform.token('partner', { sub: 'partner' });
    const store = memoryCursorStore();
    const got: Alert[] = [];
    const errors: unknown[] = [];
    const open = () =>
      subscribeAlerts({
        url: gw.url + '/graphql',
        token: partner,
        minLevel: 'WARN',
        cursorStore: store,
        onAlert: (a) => void got.push(a),
        onError: (e) => void errors.push(e),
      });
    let sub = open();
    const upstreams = async () =>
      Number(
        /^carbon_nexus_subscription_upstreams (\S+)$/m.exec(await (await fetch(gw.url + '/metrics')).text())?.[1] ?? 0,
      );
    await eventually(async () => (await upstreams()) === 1, 10_000, 'subscribed');
    await raiseAlert('critical', 160);
    await eventually(() => got.length === 1, 10_000, 'live alert');
    expect(got[0]).toMatchObject({
      level: 'CRITICAL',
      message: 'Nordic Haulage exceeded emissions by 160%',
      hotspot: { severity: 'CRITICAL', supplier: { id: supplierId, name: 'Nordic Haulage' } },
    });

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
