// The partners plugin: registration, outbox, signed deliveries to a real HTTP receiver, retries,
// dead letters and replay. Alerts come from orchestration mocked from its real SDL (Alert entities, `alerts` newest
// first) and supplier names from data-core mocked the same way.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSubgraphTestkit, mockPlugin, type SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { testDatabaseTargets } from '@carbon-nexus/db';
import { verifyWebhook, WebhookVerificationError } from '@carbon-nexus/partner-client';
import partners from '../src/plugin.ts';
import { backoffMs } from '../src/signing.ts';
import { waitFor } from '@carbon-nexus/plugin-sdk/testkit';

/** Bounded polling (the testkit's waitFor, condition first). */
const eventually = <T>(
  fn: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  ms = 10_000,
  what = 'condition',
) => waitFor(what, fn, ms);
import { alertRaised, hotspotChanged } from '@carbon-nexus/orchestration/client';
import { recommendationCreated } from '@carbon-nexus/recommendations/client';

const SUP_A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const SUP_B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const NAMES: Record<string, string> = { [SUP_A]: 'Acme Freight', [SUP_B]: 'Borealis Steel' };

interface FakeAlert {
  id: string;
  seq: number;
  level: string;
  supplierId: string;
  message: string;
}
/** The alert as orchestration's schema serves it (its hotspot is the supplier's, raised with it). */
function alertView(a: FakeAlert) {
  const hotspot = {
    id: a.id,
    entityType: 'supplier',
    entityId: a.supplierId,
    entityName: NAMES[a.supplierId],
    severity: a.level.toUpperCase(),
    status: 'OPEN',
    percentAbove: 120,
    predictedKg: 220,
    baselineKg: 100,
    windowStart: '2026-11-26T23:00:00.000Z',
    windowEnd: '2026-11-27T00:00:00.000Z',
    detectedAt: '2026-11-27T00:00:00.000Z',
    updatedAt: '2026-11-27T00:00:00.000Z',
    supplier: { id: a.supplierId },
  };
  const at = '2026-11-27T00:00:00.000Z';
  return {
    id: a.id,
    cursor: String(a.seq),
    level: a.level.toUpperCase(),
    percentAbove: 120,
    message: a.message,
    createdAt: at,
    hotspot,
    supplier: { id: a.supplierId },
  };
}

/**
 * orchestration and data-core mocked from their real SDL (the mocks cannot drift from the contracts): alerts the test
 * raises (published on the bus as orchestration would, listed newest first, resolvable as entities) and supplier names.
 */
function fakePeers() {
  const alerts: FakeAlert[] = [];
  const orchestration = mockPlugin('orchestration', {
    Query: {
      alerts(_: unknown, a: { first: number; after?: string | null }) {
        const older = alerts.filter((x) => a.after == null || x.seq < Number(a.after)).sort((x, y) => y.seq - x.seq);
        const nodes = older.slice(0, a.first);
        const endCursor = nodes.at(-1) ? String(nodes.at(-1)!.seq) : null;
        return { nodes: nodes.map(alertView), edges: [], pageInfo: { hasNextPage: older.length > a.first, endCursor } };
      },
    },
    Alert: {
      __resolveReference: (ref: { id: string }) => {
        const a = alerts.find((x) => x.id === ref.id);
        return a ? alertView(a) : null;
      },
    },
  });
  const dataCore = mockPlugin('data-core', {
    Supplier: { __resolveReference: (r: { id: string }) => (NAMES[r.id] ? { id: r.id, name: NAMES[r.id] } : null) },
  });
  /** Raises an alert: orchestration's bus message, then the alert as its API answers it. */
  async function raise(kit: SubgraphTestkit, level: string, supplierId: string): Promise<FakeAlert> {
    const a = {
      id: crypto.randomUUID(),
      seq: alerts.length + 1,
      level,
      supplierId,
      message: `${NAMES[supplierId]} exceeded its baseline by 120%`,
    };
    alerts.push(a);
    await kit.services.bus.publish(alertRaised, {
      id: a.id,
      seq: String(a.seq),
      hotspotId: a.id,
      level: a.level,
      supplierId,
    });
    return a;
  }
  return { orchestration, dataCore, raise };
}

/**
 * A partner's endpoint: answers with the scripted statuses (then 200), verifies every signature. While held, requests
 * are read (counted in `arrived`) but not answered until released.
 */
function receiver(secret: () => string) {
  const got: { headers: http.IncomingHttpHeaders; body: string; status: number; verified: boolean }[] = [];
  let script: number[] = [];
  let gate: Promise<void> | null = null;
  let arrived = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      arrived++;
      if (gate) await gate;
      let verified = false;
      try {
        verifyWebhook(secret(), req.headers as Record<string, string>, body);
        verified = true;
      } catch {
        verified = false;
      }
      const status = script.length ? script.shift()! : 200;
      got.push({ headers: req.headers, body, status, verified });
      res.writeHead(status).end();
    });
  });
  return {
    got,
    server,
    respond(statuses: number[]) {
      script = [...statuses];
    },
    arrived: () => arrived,
    /** Holds the answers to requests from now on; call the returned function to release them. */
    hold(): () => void {
      let release!: () => void;
      gate = new Promise<void>((r) => (release = r));
      return () => {
        gate = null;
        release();
      };
    },
    async start() {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const REGISTER = `mutation($url: String!, $events: [WebhookEventType!]!, $minLevel: Severity, $supplierIds: [ID!]) {
  registerWebhook(url: $url, events: $events, minLevel: $minLevel, supplierIds: $supplierIds) { secret webhook { id url events minLevel supplierIds } }
}`;
const DELIVERIES = `query($id: ID!, $status: WebhookDeliveryStatus) {
  webhookDeliveries(webhookId: $id, status: $status, first: 50) {
    nodes { id status attempts lastStatusCode lastError eventCursor body attemptLog { attempt statusCode error } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const partner = { sub: 'partner-1', roles: ['partner'], supplierIds: null };

describe.each(testDatabaseTargets())('partner webhooks (%s)', (target) => {
  let kit: SubgraphTestkit;
  let secret = '';
  const rx = receiver(() => secret);
  let url: string;
  let webhookId: string;
  const peers = fakePeers();
  const orch = () => ({ raise: (level: string, supplierId: string) => peers.raise(kit, level, supplierId) });
  const deliveries = async (status?: string) =>
    (await kit.query(DELIVERIES, { id: webhookId, status }, { auth: partner })).webhookDeliveries.nodes as any[];

  beforeAll(async () => {
    url = await rx.start();
    kit = await createSubgraphTestkit(partners, {
      target,
      with: [peers.orchestration, peers.dataCore],
      env: {
        ...process.env,
        WEBHOOK_BACKOFF_BASE_MS: '20',
        WEBHOOK_BACKOFF_MAX_MS: '100',
        WEBHOOK_POLL_MS: '50',
        WEBHOOK_MAX_ATTEMPTS: '4',
      },
    });
    const r = await kit.query(REGISTER, { url, events: ['ALERT_RAISED'], minLevel: 'WARN' }, { auth: partner });
    secret = r.registerWebhook.secret;
    webhookId = r.registerWebhook.webhook.id;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(r.registerWebhook.webhook).toMatchObject({
      url,
      events: ['ALERT_RAISED'],
      minLevel: 'WARN',
      supplierIds: [],
    });
  });

  afterAll(async () => {
    await kit?.stop();
    await rx.close();
  });

  it('delivers a signed alert with hotspot and supplier name; retries after 500s, then records success', async () => {
    rx.respond([500, 500]);
    const before = rx.got.length;
    const a = await orch().raise('critical', SUP_A);
    await eventually(() => rx.got.length >= before + 3, 15_000, 'three attempts');
    const tries = rx.got.slice(before);
    expect(tries.map((t) => t.status)).toEqual([500, 500, 200]);
    expect(tries.every((t) => t.verified)).toBe(true);
    // Same webhook-id and identical body on every retry (receivers deduplicate on the id).
    expect(new Set(tries.map((t) => t.headers['webhook-id'])).size).toBe(1);
    expect(new Set(tries.map((t) => t.body)).size).toBe(1);
    const event = verifyWebhook<any>(secret, tries[2].headers as Record<string, string>, tries[2].body);
    expect(event.type).toBe('alert.raised');
    expect(event.data.alert).toMatchObject({
      id: a.id,
      cursor: String(a.seq),
      level: 'CRITICAL',
      message: 'Acme Freight exceeded its baseline by 120%',
      hotspot: { severity: 'CRITICAL', percentAbove: 120, supplier: { id: SUP_A, name: 'Acme Freight' } },
    });
    // The body holds the alert as partners see it: the selection, without the __typename used to narrow the entity.
    expect(Object.keys(event.data.alert)).toEqual(['id', 'cursor', 'level', 'message', 'createdAt', 'hotspot']);
    // find, not filter: an empty list is truthy and would end the wait before the worker records the success.
    const d = await eventually(
      async () => (await deliveries('SUCCEEDED')).find((x) => x.eventCursor === String(a.seq)),
      5000,
      'success recorded',
    );
    expect(d).toMatchObject({ status: 'SUCCEEDED', attempts: 3, lastStatusCode: 200, lastError: null });
    expect(d.attemptLog.map((l: any) => l.statusCode)).toEqual([500, 500, 200]);
    expect(d.attemptLog[0].error).toBe('HTTP 500');
  });

  it('does not deliver alerts below minLevel', async () => {
    const before = (await deliveries()).length;
    await orch().raise('info', SUP_B);
    await new Promise((r) => setTimeout(r, 300));
    expect((await deliveries()).length).toBe(before);
  });

  it('dead-letters after the maximum number of attempts, and a replay delivers it', async () => {
    rx.respond([503, 503, 503, 503]);
    const a = await orch().raise('warn', SUP_B);
    const dead = await eventually(
      async () => (await deliveries('DEAD')).find((x) => x.eventCursor === String(a.seq)),
      15_000,
      'dead letter',
    );
    expect(dead.attempts).toBe(4);
    expect(dead.attemptLog).toHaveLength(4);
    expect(dead.lastStatusCode).toBe(503);
    const before = rx.got.length;
    const replayed = await kit.query(
      `mutation($id: ID!) { replayWebhookDelivery(id: $id) { id status attempts } }`,
      { id: dead.id },
      { auth: partner },
    );
    expect(replayed.replayWebhookDelivery).toMatchObject({ id: dead.id, status: 'PENDING', attempts: 0 });
    await eventually(
      async () => (await deliveries('SUCCEEDED')).some((x) => x.id === dead.id),
      10_000,
      'replayed delivery succeeds',
    );
    expect(rx.got.slice(before).map((g) => g.headers['webhook-id'])).toEqual([dead.id]);
  });

  it('replays every alert after a cursor (replayWebhooksSince) and none before it', async () => {
    const a1 = await orch().raise('warn', SUP_A);
    const a2 = await orch().raise('critical', SUP_B);
    await eventually(
      async () => (await deliveries('SUCCEEDED')).some((x) => x.eventCursor === String(a2.seq)),
      10_000,
      'live deliveries',
    );
    const times = (seq: number) =>
      rx.got.filter((g) => g.status === 200 && JSON.parse(g.body).data.alert.cursor === String(seq)).length;
    const earlier = times(a1.seq - 1);
    const r = await kit.query(
      `mutation($id: ID!, $c: String!) { replayWebhooksSince(webhookId: $id, cursor: $c) }`,
      { id: webhookId, c: String(a1.seq - 1) },
      { auth: partner },
    );
    expect(r.replayWebhooksSince).toBe(2);
    // Each alert after the cursor is delivered a second time (same webhook-id); nothing before it is.
    await eventually(() => times(a1.seq) === 2 && times(a2.seq) === 2, 10_000, 'replayed deliveries');
    expect(times(a1.seq - 1)).toBe(earlier);
  });

  it('a replay asked while the delivery is being sent is sent after that attempt, not overwritten by it', async () => {
    const release = rx.hold();
    const before = rx.got.length;
    const arrivedBefore = rx.arrived();
    let d: any;
    try {
      const a = await orch().raise('critical', SUP_B);
      await eventually(() => rx.arrived() > arrivedBefore, 10_000, 'the first attempt reaching the receiver');
      d = await eventually(
        async () => (await deliveries('SENDING')).find((x) => x.eventCursor === String(a.seq)),
        5000,
        'the delivery in flight',
      );
      // The partner asks for it again while the first POST is still unanswered.
      const replayed = await kit.query(
        `mutation($id: ID!) { replayWebhookDelivery(id: $id) { id status attempts } }`,
        { id: d.id },
        { auth: partner },
      );
      expect(replayed.replayWebhookDelivery).toMatchObject({ status: 'PENDING', attempts: 0 });
    } finally {
      release();
    }
    // Both POSTs arrive (same webhook-id, same bytes) and the row ends SUCCEEDED by the replay's attempt.
    await eventually(
      () => rx.got.slice(before).filter((g) => g.headers['webhook-id'] === d.id).length === 2,
      10_000,
      'the replayed attempt after the one in flight',
    );
    const sent = rx.got.slice(before).filter((g) => g.headers['webhook-id'] === d.id);
    expect(new Set(sent.map((g) => g.body)).size).toBe(1);
    const done = await eventually(
      async () => (await deliveries('SUCCEEDED')).find((x) => x.id === d.id),
      5000,
      'the replay recorded',
    );
    expect(done.attempts).toBe(1);
    expect(done.attemptLog.map((l: any) => l.statusCode)).toEqual([200, 200]);
  });

  it('keeps deliveries across a restart: rows written before the worker runs are sent by the next process', async () => {
    // Outbox first: stop the worker, raise, then a fresh worker picks the due row.
    const state = kit.state as { worker: { stop(): Promise<void> } };
    await state.worker.stop();
    const a = await orch().raise('critical', SUP_A);
    const pending = await eventually(
      async () => (await deliveries('PENDING')).find((x) => x.eventCursor === String(a.seq)),
      5000,
      'outbox row',
    );
    expect(pending.attempts).toBe(0);
    const { DeliveryWorker } = await import('../src/deliveries.ts');
    const fresh = new DeliveryWorker(kit.services as any);
    await fresh.kick();
    await eventually(
      async () => (await deliveries('SUCCEEDED')).some((x) => x.id === pending.id),
      10_000,
      'delivered by the new worker',
    );
    await fresh.stop();
  });

  it('checks roles, scope and input', async () => {
    const viewer = { sub: 'v', roles: ['viewer'], supplierIds: null };
    const denied = await kit.execute(REGISTER, { url, events: ['ALERT_RAISED'] }, { auth: viewer });
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const bad = await kit.execute(REGISTER, { url: 'ftp://x', events: ['ALERT_RAISED'] }, { auth: partner });
    expect(bad.errors?.[0].message).toMatch(/^url:/);
    const scoped = { sub: 'p2', roles: ['partner'], supplierIds: [SUP_A] };
    const outside = await kit.execute(
      REGISTER,
      { url, events: ['ALERT_RAISED'], supplierIds: [SUP_B] },
      { auth: scoped },
    );
    expect(outside.errors?.[0].message).toMatch(/supplierIds: not in your supplier scope/);
    const own = await kit.query(REGISTER, { url, events: ['ALERT_RAISED'] }, { auth: scoped });
    expect(own.registerWebhook.webhook.supplierIds).toEqual([SUP_A]);
    // Another partner cannot see or read this webhook.
    const other = { sub: 'p3', roles: ['partner'], supplierIds: null };
    const list = await kit.query(`{ webhooks { id } }`, {}, { auth: other });
    expect(list.webhooks).toEqual([]);
    const peek = await kit.execute(DELIVERIES, { id: webhookId }, { auth: other });
    expect(peek.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const del = await kit.query(
      `mutation($id: ID!) { deleteWebhook(id: $id) }`,
      { id: own.registerWebhook.webhook.id },
      { auth: scoped },
    );
    expect(del.deleteWebhook).toBe(true);
    const audit = await kit.db.query<{ action: string }>(
      `SELECT action FROM audit_logs WHERE plugin = 'partners' ORDER BY created_at`,
    );
    expect(audit.map((r) => r.action)).toEqual(
      expect.arrayContaining(['webhook.register', 'webhook.replay', 'webhook.replay_since', 'webhook.delete']),
    );
  });
});

describe.each(testDatabaseTargets())(
  'hotspot and recommendation webhooks: entities from their owners, the signal alone when absent (%s)',
  (target) => {
    const HOTSPOT = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';
    const REC = 'dddddddd-dddd-4ddd-8ddd-dddddddddddd';
    const hotspot = alertView({ id: HOTSPOT, seq: 1, level: 'critical', supplierId: SUP_B, message: '' }).hotspot;
    const recommendation = {
      id: REC,
      title: 'Enforce engine-off at the depot',
      body: 'Idling doubled in the window.',
      status: 'OPEN',
      co2ImpactKg: 40,
      createdAt: '2026-11-27T00:05:00.000Z',
      updatedAt: '2026-11-27T00:05:00.000Z',
      hotspot: { id: HOTSPOT },
      supplier: { id: SUP_B },
    };
    const rx = receiver(() => secret);
    let secret = '';
    let url: string;

    /** A kit with the given peers and a webhook for hotspot and recommendation events; the bodies it received. */
    async function deliver(withRecommendations: boolean) {
      const peers = fakePeers();
      const orchestration = mockPlugin('orchestration', {
        Hotspot: { __resolveReference: (r: { id: string }) => (r.id === HOTSPOT ? hotspot : null) },
      });
      const recs = mockPlugin('recommendations', {
        Recommendation: { __resolveReference: (r: { id: string }) => (r.id === REC ? recommendation : null) },
      });
      await using kit = await createSubgraphTestkit(partners, {
        target,
        with: [orchestration, peers.dataCore, ...(withRecommendations ? [recs] : [])],
        env: { ...process.env, WEBHOOK_POLL_MS: '50' },
      });
      const r = await kit.query(
        REGISTER,
        { url, events: ['HOTSPOT_DETECTED', 'RECOMMENDATION_CREATED'] },
        { auth: partner },
      );
      secret = r.registerWebhook.secret;
      const before = rx.got.length;
      await kit.services.bus.publish(hotspotChanged, {
        id: HOTSPOT,
        change: 'created',
        severity: 'critical',
        supplierId: SUP_B,
        entityType: 'supplier',
        entityId: SUP_B,
      });
      await kit.services.bus.publish(recommendationCreated, { id: REC, hotspotId: HOTSPOT, supplierId: SUP_B });
      await eventually(() => rx.got.length >= before + 2, 15_000, 'both deliveries');
      const events = rx.got
        .slice(before)
        .map((t) => verifyWebhook<any>(secret, t.headers as Record<string, string>, t.body));
      return {
        hotspot: events.find((e) => e.type === 'hotspot.detected')!,
        recommendation: events.find((e) => e.type === 'recommendation.created')!,
      };
    }

    beforeAll(async () => {
      url = await rx.start();
    });
    afterAll(async () => {
      await rx.close();
    });

    it('carry the hotspot (orchestration) and the recommendation (recommendations) with the supplier named (data-core)', async () => {
      const got = await deliver(true);
      const named = { ...hotspot, supplier: { id: SUP_B, name: 'Borealis Steel' } };
      expect(got.hotspot.data).toMatchObject({
        change: 'CREATED',
        hotspot: named,
        signal: { id: HOTSPOT, change: 'created' },
      });
      expect(got.hotspot.data.hotspot).not.toHaveProperty('__typename');
      expect(got.recommendation.data).toEqual({
        recommendation: { ...recommendation, supplier: { id: SUP_B, name: 'Borealis Steel' } },
        signal: { id: REC, hotspotId: HOTSPOT, supplierId: SUP_B },
      });
    });

    it('without the recommendations plugin, a recommendation webhook carries the bus signal only', async () => {
      const got = await deliver(false);
      expect(got.recommendation.data).toEqual({ signal: { id: REC, hotspotId: HOTSPOT, supplierId: SUP_B } });
      expect(got.hotspot.data.hotspot).toMatchObject({ id: HOTSPOT, supplier: { id: SUP_B, name: 'Borealis Steel' } });
    });
  },
);

describe('signatures and backoff', () => {
  it('verifyWebhook refuses a modified body, a wrong secret and a stale timestamp', async () => {
    const { signedHeaders, newSecret } = await import('../src/signing.ts');
    const s = newSecret();
    const body = JSON.stringify({ type: 'alert.raised', timestamp: 'now', data: { x: 1 } });
    const h = signedHeaders(s, 'msg_1', body);
    expect(verifyWebhook(s, h, body).data).toEqual({ x: 1 });
    expect(() => verifyWebhook(s, h, body.replace('1', '2'))).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(newSecret(), h, body)).toThrow(/no valid signature/);
    expect(() => verifyWebhook(s, h, body, { now: Date.now() + 600_000 })).toThrow(/tolerance/);
  });

  it('backoff grows exponentially, is capped, and is jittered', () => {
    expect(backoffMs(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffMs(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffMs(4, 1000, 60_000, () => 0)).toBe(4000);
    expect(backoffMs(20, 1000, 60_000, () => 0.999)).toBeLessThanOrEqual(60_000);
  });
});

describe('SSRF guard by default (WEBHOOK_PRIVATE_NETWORKS=auto): open only on a development install', () => {
  const peers = fakePeers();
  const kits: SubgraphTestkit[] = [];
  afterAll(async () => {
    for (const k of kits) await k.stop();
  });

  it('with a production JWT_SECRET private networks are refused; with the development secret they are allowed', async () => {
    const { WEBHOOK_PRIVATE_NETWORKS: _drop, JWT_SECRET: _secret, JWT_JWKS_URL: _jwks, ...base } = process.env;
    const register = async (env: Record<string, string | undefined>) => {
      const kit = await createSubgraphTestkit(partners, { with: [peers.orchestration, peers.dataCore], env });
      kits.push(kit);
      return kit.execute(REGISTER, { url: 'http://10.0.0.5/hook', events: ['ALERT_RAISED'] }, { auth: partner });
    };
    const production = await register({ ...base, JWT_SECRET: 'a-production-secret-of-at-least-32-characters' });
    expect(production.errors?.[0].message).toMatch(/url.*private network/);
    const development = await register(base);
    expect(development.errors).toBeUndefined();
  });
});

describe('SSRF guard (WEBHOOK_PRIVATE_NETWORKS=deny)', () => {
  let kit: SubgraphTestkit;
  const rx = receiver(() => '');
  let local: string;
  const peers = fakePeers();

  beforeAll(async () => {
    local = await rx.start();
    kit = await createSubgraphTestkit(partners, {
      with: [peers.orchestration, peers.dataCore],
      env: { ...process.env, WEBHOOK_PRIVATE_NETWORKS: 'deny', WEBHOOK_POLL_MS: '50', WEBHOOK_MAX_ATTEMPTS: '1' },
    });
  });
  afterAll(async () => {
    await kit?.stop();
    await rx.close();
  });

  it('classifies addresses: only public unicast may receive webhooks', async () => {
    const { privateReason } = await import('../src/destination.ts');
    expect(privateReason('93.184.216.34')).toBeNull();
    expect(privateReason('2606:4700:4700::1111')).toBeNull();
    for (const [ip, range] of [
      ['127.0.0.1', 'loopback'],
      ['10.1.2.3', 'private'],
      ['192.168.0.10', 'private'],
      ['172.16.5.4', 'private'],
      ['169.254.169.254', 'linkLocal'],
      ['100.64.0.1', 'carrierGradeNat'],
      ['0.0.0.0', 'unspecified'],
      ['::1', 'loopback'],
      ['fd00::1', 'uniqueLocal'],
      ['fe80::1', 'linkLocal'],
      ['::ffff:10.0.0.1', 'private'],
    ])
      expect(privateReason(ip), ip).toContain(range);
  });

  it('refuses to register endpoints in private networks, naming the url field and the address', async () => {
    const port = new URL(local).port;
    for (const url of [
      local,
      `http://[::1]:${port}/x`,
      'http://169.254.169.254/latest/meta-data',
      'http://10.0.0.5/hook',
      `http://localhost:${port}/x`,
      'http://[::ffff:127.0.0.1]/x',
    ]) {
      const r = await kit.execute(REGISTER, { url, events: ['ALERT_RAISED'] }, { auth: partner });
      expect(r.errors?.[0].extensions?.code, url).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0].message, url).toMatch(/url.*private network/);
    }
    const ok = await kit.execute(
      REGISTER,
      { url: 'https://93.184.216.34/hooks', events: ['ALERT_RAISED'] },
      { auth: partner },
    );
    expect(ok.errors).toBeUndefined();
  });

  it('refuses at delivery time too (an endpoint that now resolves inside the network): nothing reaches it', async () => {
    const port = new URL(local).port;
    const attempts: string[] = [];
    for (const target of [local, `http://localhost:${port}/hooks`]) {
      const r = await kit.query(
        REGISTER,
        { url: 'https://93.184.216.34/hooks', events: ['ALERT_RAISED'] },
        { auth: partner },
      );
      const id = r.registerWebhook.webhook.id;
      // What DNS rebinding or a row written before the guard would leave: a stored URL pointing inside.
      await kit.db.query(`UPDATE webhooks SET url = $1 WHERE id = $2::uuid`, [target, id]);
      await peers.raise(kit, 'CRITICAL', SUP_A);
      const d = await eventually(
        async () => {
          const nodes = (await kit.query(DELIVERIES, { id }, { auth: partner })).webhookDeliveries.nodes as any[];
          return nodes.find((n) => n.attemptLog.length > 0);
        },
        20_000,
        `a delivery attempt to ${target}`,
      );
      attempts.push(d.attemptLog[0].error);
      expect(d.attemptLog[0].statusCode).toBeNull();
    }
    expect(attempts[0]).toMatch(/refused: 127\.0\.0\.1 is a loopback address/);
    expect(attempts[1]).toMatch(/refused: localhost resolves to (127\.0\.0\.1|::1) is a loopback address/);
    expect(rx.got).toEqual([]);
  });
});
