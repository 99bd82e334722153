// Live endpoints over plain HTTP: GET /api/v1/alerts/stream as Server-Sent Events through a real HTTP client. Each
// event's id is the alert cursor; reconnecting with Last-Event-ID replays exactly the missed alerts, then continues
// live — no gap, no duplicate. The partner client's REST stream does the same by itself. The hotspot change stream
// resumes the same way (its ids are hotspot change cursors).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRestClient, memoryCursorStore } from '@carbon-nexus/partner-client';
import { startTestPlatform, type TestPlatform } from '@carbon-nexus/gateway/testkit';
import type { GatewayServer } from '../src/index.ts';
import { eventually } from './subscriptions.fixtures.ts';
import { detectionWindows, gqlAt, raiseHotspot, type DetectionWindows, type Gql } from './hotspots.fixtures.ts';

let platform: TestPlatform;
let gw: GatewayServer;
let adminToken: string;
let admin: Gql;
let windows: DetectionWindows;
let supplierId: string;
let partner: string;

beforeAll(async () => {
  const plugins = [
    (await import('@carbon-nexus/data-core')).default,
    (await import('@carbon-nexus/ml-engine')).default,
    (await import('@carbon-nexus/orchestration')).default,
  ];
  const env = { DATABASE_URL: undefined, REDIS_URL: undefined, BUS_URL: undefined };
  platform = await startTestPlatform({ plugins, env });
  gw = platform.gateway;
  adminToken = await platform.token('admin', { sub: 'admin' });
  admin = gqlAt(gw.url, adminToken);
  windows = detectionWindows();
  partner = await platform.token('partner', { sub: 'sse-partner' });
  supplierId = await createSupplier();
}, 120_000);

afterAll(() => platform?.close());

async function createSupplier(): Promise<string> {
  const client = createRestClient({ url: gw.url, token: adminToken });
  return (await client.createSupplier({ input: { name: 'Stream Haulage', category: 'TRANSPORT' } })).id;
}

/**
 * A new hotspot and its alert, from orchestration's detection (which also publishes the hotspot's CREATED change).
 * Detection alerts when it creates a hotspot, and one supplier has one ongoing hotspot, so each alert after the
 * first is for another supplier of the same name.
 */
let alerted = 0;
async function raiseAlert(level: 'info' | 'warn' | 'critical', percent: number) {
  const supplier = alerted++ === 0 ? supplierId : await createSupplier();
  const h = await raiseHotspot(admin, { supplierId: supplier, percent, windows });
  expect(h.level).toBe(level.toUpperCase());
  return { id: h.alertId, seq: h.alertSeq, hotspotId: h.hotspotId };
}

const upstreams = async () =>
  Number(
    /^carbon_nexus_subscription_upstreams (\S+)$/m.exec(await (await fetch(gw.url + '/metrics')).text())?.[1] ?? 0,
  );

/** An SSE connection read with fetch: parsed events as they arrive. */
async function connect(path: string, headers: Record<string, string> = {}) {
  const ac = new AbortController();
  const res = await fetch(gw.url + path, {
    headers: { accept: 'text/event-stream', authorization: `Bearer ${partner}`, ...headers },
    signal: ac.signal,
  });
  const events: { id?: string; event?: string; data: any }[] = [];
  const reading = (async () => {
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += Buffer.from(chunk).toString('utf8');
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (!line || line.startsWith(':')) continue;
            const c = line.indexOf(':');
            fields[line.slice(0, c)] = line.slice(c + 1).replace(/^ /, '');
          }
          if (fields.data !== undefined)
            events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
        }
      }
    } catch {
      /* aborted */
    }
  })();
  return { res, events, close: async () => (ac.abort(), await reading) };
}

describe('REST live streams (SSE)', () => {
  it('alerts: ids are cursors; reconnecting with Last-Event-ID replays exactly the missed alerts, then continues live', async () => {
    let conn = await connect('/api/v1/alerts/stream?minLevel=WARN');
    expect(conn.res.status).toBe(200);
    expect(conn.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await eventually(async () => (await upstreams()) === 1, 10_000, 'subscribed');
    const first = [await raiseAlert('critical', 170), await raiseAlert('warn', 105)];
    await eventually(() => conn.events.length === 2, 10_000, 'live alerts');
    expect(conn.events.map((e) => e.id)).toEqual(first.map((a) => a.seq));
    expect(conn.events[0].data).toMatchObject({
      id: first[0].id,
      cursor: first[0].seq,
      level: 'CRITICAL',
      supplier: { id: supplierId, name: 'Stream Haulage' },
      hotspot: { id: first[0].hotspotId, percentAbove: 170 },
    });
    const lastSeen = conn.events.at(-1)!.id!;
    await conn.close();
    await eventually(async () => (await upstreams()) === 0, 10_000, 'disconnected');

    const missed = [await raiseAlert('warn', 120), await raiseAlert('info', 85), await raiseAlert('critical', 210)];
    // EventSource reconnects to the same URL with the last id in Last-Event-ID.
    conn = await connect('/api/v1/alerts/stream?minLevel=WARN', { 'last-event-id': lastSeen });
    await eventually(() => conn.events.length === 2, 10_000, 'replayed alerts');
    const live = await raiseAlert('warn', 130);
    await eventually(() => conn.events.length === 3, 10_000, 'live after replay');
    await conn.close();
    expect(conn.events.map((e) => e.data.id)).toEqual([missed[0].id, missed[2].id, live.id]);
    expect(conn.events.map((e) => e.id)).toEqual([missed[0].seq, missed[2].seq, live.seq]);
    // `?after=` does the same for a first connection.
    const fromCursor = await connect(`/api/v1/alerts/stream?minLevel=CRITICAL&after=${first[0].seq}`);
    await eventually(() => fromCursor.events.length === 1, 10_000, 'replay from after');
    await fromCursor.close();
    expect(fromCursor.events[0].data.id).toBe(missed[2].id);
  });

  it('the partner client streams alerts over REST and resumes by itself after the connection drops', async () => {
    const store = memoryCursorStore();
    const got: string[] = [];
    const errors: unknown[] = [];
    // A fetch whose connections the test can cut, like a flaky network.
    const open = new Set<AbortController>();
    const flaky: typeof fetch = (input, init) => {
      const ac = new AbortController();
      open.add(ac);
      init?.signal?.addEventListener('abort', () => ac.abort());
      return fetch(input, { ...init, signal: ac.signal });
    };
    const client = createRestClient({ url: gw.url, token: partner, fetch: flaky });
    const stream = client.alertStream(
      { minLevel: 'CRITICAL' },
      { onEvent: (a) => void got.push(a.id), onError: (e) => void errors.push(e), cursorStore: store, retryMs: 100 },
    );
    await eventually(async () => (await upstreams()) === 1, 10_000, 'subscribed');
    const a = await raiseAlert('critical', 300);
    await eventually(() => got.length === 1, 10_000, 'first');
    for (const c of open) c.abort();
    open.clear();
    const b = await raiseAlert('critical', 310);
    const c = await raiseAlert('critical', 320);
    await eventually(() => got.length === 3, 15_000, 'resumed');
    await stream.close();
    expect(got).toEqual([a.id, b.id, c.id]);
    expect(store.value).toBe(c.seq);
    expect(errors.length).toBeGreaterThan(0); // the cut was noticed, then healed
  });

  it('hotspots: ids are change cursors; reconnecting with Last-Event-ID replays exactly the missed changes, then continues live', async () => {
    let conn = await connect('/api/v1/hotspots/stream?minSeverity=WARN');
    expect(conn.res.status).toBe(200);
    await eventually(async () => (await upstreams()) === 1, 10_000, 'subscribed');
    // Each new hotspot is one change (CREATED): the fixture's windows leave the earlier hotspots alone.
    const first = [await raiseAlert('critical', 175), await raiseAlert('warn', 115)];
    await eventually(() => conn.events.length === 2, 10_000, 'live changes');
    expect(conn.events.map((e) => e.data.hotspot.id)).toEqual(first.map((a) => a.hotspotId));
    expect(conn.events.map((e) => e.id)).toEqual(conn.events.map((e) => e.data.cursor));
    expect(conn.events[0].data).toMatchObject({
      change: 'CREATED',
      hotspot: { id: first[0].hotspotId, severity: 'CRITICAL', supplier: { name: 'Stream Haulage' } },
    });
    const lastSeen = conn.events.at(-1)!.id!;
    const firstSeen = conn.events[0].id!;
    expect(BigInt(lastSeen)).toBeGreaterThan(BigInt(firstSeen));
    await conn.close();
    await eventually(async () => (await upstreams()) === 0, 10_000, 'disconnected');

    const missed = [await raiseAlert('warn', 125), await raiseAlert('info', 88), await raiseAlert('critical', 220)];
    conn = await connect('/api/v1/hotspots/stream?minSeverity=WARN', { 'last-event-id': lastSeen });
    await eventually(() => conn.events.length === 2, 10_000, 'replayed changes');
    const live = await raiseAlert('warn', 135);
    await eventually(() => conn.events.length === 3, 10_000, 'live after replay');
    await new Promise((r) => setTimeout(r, 300)); // a duplicate would have arrived by now
    await conn.close();
    expect(conn.events.map((e) => e.data.hotspot.id)).toEqual([
      missed[0].hotspotId,
      missed[2].hotspotId,
      live.hotspotId,
    ]);
    expect(conn.events.map((e) => e.data.change)).toEqual(['CREATED', 'CREATED', 'CREATED']);
    const ids = conn.events.map((e) => BigInt(e.id!));
    expect(ids[0]).toBeGreaterThan(BigInt(lastSeen));
    expect(ids[1]).toBeGreaterThan(ids[0]);
    expect(ids[2]).toBeGreaterThan(ids[1]);
    expect(conn.events.map((e) => e.id)).toEqual(conn.events.map((e) => e.data.cursor));
    // `?after=` does the same for a first connection: the CRITICAL changes after the first one seen.
    const fromCursor = await connect(`/api/v1/hotspots/stream?minSeverity=CRITICAL&after=${firstSeen}`);
    await eventually(() => fromCursor.events.length === 1, 10_000, 'replay from after');
    await new Promise((r) => setTimeout(r, 300));
    await fromCursor.close();
    expect(fromCursor.events.map((e) => e.data.hotspot.id)).toEqual([missed[2].hotspotId]);
  });

  it('a stream the server refuses ends with a problem event, or is an ordinary problem response', async () => {
    // Refused by the plugin when the stream starts: a `problem` event naming the field, then the stream ends.
    for (const path of ['/api/v1/alerts/stream?after=yesterday', '/api/v1/hotspots/stream?after=yesterday']) {
      const bad = await connect(path);
      await eventually(() => bad.events.length === 1, 10_000, 'problem event');
      await bad.close();
      expect(bad.events[0], path).toMatchObject({
        event: 'problem',
        data: { status: 400, code: 'BAD_USER_INPUT', errors: [{ field: 'after' }] },
      });
    }
    // Refused by REST before streaming (not a parameter): an ordinary problem response.
    const unknown = await fetch(`${gw.url}/api/v1/alerts/stream?level=WARN`, {
      headers: { authorization: `Bearer ${partner}` },
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ code: 'BAD_USER_INPUT', errors: [{ field: 'level' }] });
  });
});
