// Federated subscriptions through the gateway, embedded topology, with real graphql-ws clients.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient as createSseClient } from 'graphql-sse';
import { signDevToken } from '@carbon-nexus/plugin-sdk/testkit';
import type { GatewayServer } from '../src/index.ts';
import { startTestPlatform, type TestPlatform } from '@carbon-nexus/gateway/testkit';
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

let platform: TestPlatform;
let gw: GatewayServer;
let analyst: string;
let viewer: string;

async function raise(level: string, supplierId = S1, message?: string) {
  const r = await gql_(gw.url, RAISE, { level, supplierId, message }, analyst);
  expect(r.errors).toBeUndefined();
  return r.data.raiseTestAlert as { id: string; cursor: string };
}

beforeAll(async () => {
  platform = await startTestPlatform({ plugins: [tcSuppliers, tcAlerts] });
  gw = platform.gateway;
  analyst = await platform.token('analyst', { sub: 'ana' });
  viewer = await platform.token('viewer', { sub: 'vic' });
});

// Every client a test opens is closed after it, pass or fail, so upstream counts start from zero.
const open: { dispose(): unknown }[] = [];
function client(token?: string) {
  const c = wsClient(gw.url, token);
  open.push(c);
  return c;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.dispose()));
  const alerts = gw.host!.plugins.get('tc-alerts')!.state as { active: number };
  await eventually(
    async () => alerts.active === 0 && (await engineStats()).upstreams === 0,
    5000,
    'upstreams released',
  );
});

afterAll(() => platform?.close());

describe('federated subscriptions over graphql-ws', () => {
  it('delivers events with fields owned by another subgraph, resolved per event through the plan', async () => {
    const ws = client(viewer);
    const sub = collect(ws, ALERT_SUBSCRIPTION);
    const st = () => (gw.host!.plugins.get('tc-alerts')!.state as { active: number }).active;
    await eventually(() => st() > 0, 5000, 'upstream subscription');
    const raised = await raise('CRITICAL', S2, 'Borealis exceeded by 120%');
    await sub.until(() => sub.results.length >= 1, 5000, 'one alert');
    const ev = sub.results[0];
    expect(ev.errors).toBeUndefined();
    expect(ev.data.alertRaised).toEqual({
      id: raised.id,
      cursor: raised.cursor,
      level: 'CRITICAL',
      message: 'Borealis exceeded by 120%',
      hotspot: { id: raised.id, severity: 'CRITICAL', supplier: { id: S2, name: 'Borealis Steel' } },
      supplier: { name: 'Borealis Steel' },
    });
    sub.dispose();
  });

  it('shares one upstream among identical subscriptions and batches entity fetches of coalesced events', async () => {
    const alerts = gw.host!.plugins.get('tc-alerts')!.state as { subscribeCalls: number; active: number };
    const suppliers = gw.host!.plugins.get('tc-suppliers')!.state as { entityCalls: number; entityIds: string[][] };
    await eventually(() => alerts.active === 0, 5000, 'previous upstreams closed');
    const before = alerts.subscribeCalls;
    const clients = [client(viewer), client(viewer), client(viewer)];
    const m0 = await engineStats();
    const subs = clients.map((c) => collect(c, ALERT_SUBSCRIPTION, { minLevel: 'WARN' }));
    await eventually(
      async () => alerts.active === 1 && (await engineStats()).clients === 3,
      5000,
      'three clients on one upstream',
    );
    expect(alerts.subscribeCalls - before).toBe(1);
    expect((await engineStats()).upstreams).toBe(1);

    // A burst: 20 alerts committed back to back arrive while the first batch is being completed.
    const callsBefore = suppliers.entityCalls;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => raise(i % 2 ? 'WARN' : 'CRITICAL', i % 3 ? S1 : S2, `burst ${i}`)),
    );
    for (const s of subs) await s.until(() => s.results.length >= 20, 10_000, '20 alerts');
    for (const s of subs) {
      expect(s.results.map((r) => r.data.alertRaised.message).sort()).toEqual(
        Array.from({ length: 20 }, (_, i) => `burst ${i}`).sort(),
      );
      for (const r of s.results)
        expect(r.data.alertRaised.hotspot.supplier.name).toMatch(/Acme Freight|Borealis Steel/);
    }
    // Events are completed once per shared upstream (not once per client), in batches: the plan's two
    // Supplier fetches run once per batch, each resolving the suppliers of every event in the batch.
    const m1 = await engineStats();
    const batches = m1.batches - m0.batches;
    expect(m1.batchedEvents - m0.batchedEvents).toBe(20);
    expect(batches).toBeLessThan(20);
    expect(suppliers.entityCalls - callsBefore).toBe(2 * batches);
    expect(Math.max(...suppliers.entityIds.slice(callsBefore).map((b) => b.length))).toBeGreaterThan(1);
    subs.forEach((s) => s.dispose());
    await Promise.all(clients.map((c) => c.dispose()));
    await eventually(
      async () => alerts.active === 0 && (await engineStats()).upstreams === 0,
      5000,
      'upstream released when the last client leaves',
    );
  });

  it('gives subscriptions with a replay cursor their own upstream', async () => {
    const alerts = gw.host!.plugins.get('tc-alerts')!.state as { subscribeCalls: number; active: number };
    const first = await raise('WARN', S1, 'replay base');
    const c1 = client(viewer);
    const c2 = client(viewer);
    const a = collect(c1, ALERT_SUBSCRIPTION, { after: String(Number(first.cursor) - 1) });
    await a.until(() => a.results.length >= 1, 5000, 'replayed alert for the first client');
    const b = collect(c2, ALERT_SUBSCRIPTION, { after: String(Number(first.cursor) - 1) });
    await b.until(() => b.results.length >= 1, 5000, 'replayed alert for the late joiner');
    expect(b.results[0].data.alertRaised.id).toBe(first.id);
    expect(alerts.active).toBe(2);
    a.dispose();
    b.dispose();
    await Promise.all([c1.dispose(), c2.dispose()]);
  });

  it('runs queries over the same WebSocket (the explorer sends everything through its ws client when asked)', async () => {
    const ws = client(viewer);
    const q = collect(ws, `{ testSupplier(id: "${S1}") { id name } testAlertCount }`);
    await q.until(() => q.completed, 5000, 'query result');
    expect(q.results[0].data.testSupplier).toEqual({ id: S1, name: 'Acme Freight' });
    expect(q.results[0].data.testAlertCount).toBeGreaterThan(0);
  });

  it("serves the explorer: GraphiQL's graphql-ws client configuration (lazy, token from a function) runs a subscription", async () => {
    // Same options as web/src/explorer/main.tsx.
    const explorer = wsClient(gw.url, undefined, {
      lazy: true,
      retryAttempts: 5,
      connectionParams: () => ({ authorization: `Bearer ${viewer}` }),
    });
    open.push(explorer);
    const s = collect(explorer, `subscription { alertRaised { message supplier { name } } }`);
    await eventually(async () => (await engineStats()).clients >= 1, 5000, 'explorer subscription');
    await raise('INFO', S2, 'seen in the explorer');
    await s.until(() => s.results.length >= 1, 5000, 'an event in the explorer');
    expect(s.results[0].data.alertRaised).toEqual({
      message: 'seen in the explorer',
      supplier: { name: 'Borealis Steel' },
    });
  });

  it('reports validation errors for bad subscriptions', async () => {
    const ws = client(viewer);
    const q = collect(ws, `subscription { alertRaised(minLevel: LOUD) { id } }`);
    await q.until(() => !!q.error || q.completed, 5000, 'an error');
    expect(JSON.stringify(q.error)).toMatch(/LOUD/);
  });
});

describe('auth', () => {
  it('a supplier-scoped user receives only events of their suppliers', async () => {
    const scoped = await signDevToken({ sub: 'sup-1', roles: ['viewer'], supplierIds: [S1] });
    const ws = client(scoped);
    const all = client(viewer);
    const s = collect(ws, ALERT_SUBSCRIPTION);
    const v = collect(all, ALERT_SUBSCRIPTION);
    // Different auth scopes never share an upstream.
    await eventually(async () => (await engineStats()).upstreams === 2, 5000, 'two upstreams (two scopes)');
    await raise('CRITICAL', S2, 'other supplier');
    await raise('CRITICAL', S1, 'own supplier');
    await v.until(() => v.results.length >= 2, 5000, 'unscoped sees both');
    await s.until(() => s.results.length >= 1, 5000, 'scoped sees its own');
    await new Promise((r) => setTimeout(r, 200));
    expect(s.results.map((r) => r.data.alertRaised.message)).toEqual(['own supplier']);
    expect(s.results[0].data.alertRaised.supplier).toEqual({ name: 'Acme Freight' });
    s.dispose();
    v.dispose();
    await Promise.all([ws.dispose(), all.dispose()]);
  });

  it('ends the stream with close code 4401 "token expired" when the token expires', async () => {
    const shortLived = await signDevToken({ sub: 'brief', roles: ['viewer'], expiresIn: '2s' });
    const ws = client(shortLived);
    const s = collect(ws, ALERT_SUBSCRIPTION);
    await s.until(() => !!s.error, 6000, 'the stream to end');
    expect((s.error as { code: number }).code).toBe(4401);
    expect((s.error as { reason: string }).reason).toBe('token expired');
  });

  it('refuses an expired or invalid token at connection_init with 4401 and the reason', async () => {
    const ws = client('not-a-jwt');
    const s = collect(ws, ALERT_SUBSCRIPTION);
    await s.until(() => !!s.error, 5000, 'refusal');
    expect((s.error as { code: number }).code).toBe(4401);
    expect((s.error as { reason: string }).reason).toMatch(/invalid token/);
  });
});

describe('Server-Sent Events transport', () => {
  it('delivers subscription events with cross-subgraph fields (graphql-sse client, distinct connections)', async () => {
    const client = createSseClient({
      url: gw.url + '/graphql/stream',
      headers: { authorization: `Bearer ${viewer}` },
      retryAttempts: 0,
    });
    const got: any[] = [];
    let error: unknown;
    const dispose = client.subscribe(
      { query: ALERT_SUBSCRIPTION, variables: { supplierIds: [S2] } },
      { next: (r) => void got.push(r), error: (e) => (error = e), complete: () => undefined },
    );
    await eventually(async () => (await engineStats()).clients >= 1, 5000, 'SSE subscriber');
    await raise('WARN', S1, 'filtered out');
    await raise('WARN', S2, 'sse event');
    await eventually(() => got.length >= 1 || error, 5000, 'an SSE event');
    expect(error).toBeUndefined();
    expect(got[0].data.alertRaised.message).toBe('sse event');
    expect(got[0].data.alertRaised.hotspot.supplier.name).toBe('Borealis Steel');
    dispose();
    client.dispose();
  });

  it('ends an SSE stream with an UNAUTHENTICATED "token expired" event, then complete, when the token expires', async () => {
    const brief = await signDevToken({ sub: 'brief-sse', roles: ['viewer'], expiresIn: '2s' });
    const res = await fetch(gw.url + '/graphql/stream', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${brief}` },
      body: JSON.stringify({ query: ALERT_SUBSCRIPTION }),
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await res.text(); // ends when the server completes the stream
    const events = text.split('\n\n').filter((e) => e.startsWith('event:'));
    expect(events.at(-1)).toMatch(/^event: complete/);
    const next = JSON.parse(
      events
        .at(-2)!
        .split('\n')
        .find((l) => l.startsWith('data: '))!
        .slice(6),
    );
    expect(next.errors[0]).toMatchObject({ message: 'token expired', extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('answers bad requests with 400 and the reason', async () => {
    const res = await fetch(gw.url + '/graphql/stream', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { nope }' }),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/nope/);
  });
});

/** Active shared upstreams and client subscriptions, as the gateway reports them on /metrics. */
async function engineStats() {
  const text = await (await fetch(gw.url + '/metrics')).text();
  const read = (name: string) => Number(new RegExp(`^carbon_nexus_${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return {
    upstreams: read('subscription_upstreams'),
    clients: read('subscription_clients'),
    batches: read('subscription_batch_events_count'),
    batchedEvents: read('subscription_batch_events_sum'),
  };
}
