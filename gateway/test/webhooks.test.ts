// The partners plugin: registration, outbox, signed deliveries to a real HTTP receiver, retries,
// dead letters and replay. Alerts come from a test plugin implementing orchestration's contract
// (Alert/Hotspot entities, `alerts` newest first) and supplier names from a data-core stand-in.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePlugin, gql, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import { createSubgraphTestkit, type SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { testDatabaseTargets } from '@carbon-nexus/db';
import { verifyWebhook, WebhookVerificationError } from '@carbon-nexus/partner-client';
import partners from '../src/webhooks/plugin.ts';
import { backoffMs } from '../src/webhooks/signing.ts';
import { eventually } from './subscriptions.fixtures.ts';
import { alertRaised } from '@carbon-nexus/orchestration/client';

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
interface OrchState {
  alerts: FakeAlert[];
  raise(level: string, supplierId: string): Promise<FakeAlert>;
}

/** orchestration's contract, as far as webhooks use it. */
const fakeOrchestration = definePlugin<OrchState>({
  id: 'orchestration',
  typeDefs: gql`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    enum Severity { INFO WARN CRITICAL }
    type Hotspot @key(fields: "id") {
      id: ID! entityType: String! entityId: String! entityName: String severity: Severity! status: String!
      percentAbove: Float! predictedKg: Float! baselineKg: Float! windowStart: String! windowEnd: String!
      detectedAt: String! updatedAt: String! supplier: Supplier
    }
    type Alert @key(fields: "id") {
      id: ID! cursor: String! level: Severity! message: String! createdAt: String! hotspot: Hotspot! supplier: Supplier
    }
    type Supplier @key(fields: "id", resolvable: false) { id: ID! }
    type AlertPageInfo { hasNextPage: Boolean! endCursor: String }
    type AlertConnection { nodes: [Alert!]! pageInfo: AlertPageInfo! }
    type Query { alerts(first: Int = 50, after: String, minLevel: Severity): AlertConnection! }
  `,
  init(services) {
    const state: OrchState = {
      alerts: [],
      async raise(level, supplierId) {
        const a = { id: crypto.randomUUID(), seq: state.alerts.length + 1, level, supplierId, message: `${NAMES[supplierId]} exceeded its baseline by 120%` };
        state.alerts.push(a);
        await services.bus.publish(alertRaised, { id: a.id, seq: String(a.seq), hotspotId: a.id, level: a.level, supplierId });
        return a;
      },
    };
    return state;
  },
  resolvers: {
    Query: {
      alerts(_: unknown, a: { first: number; after?: string }, ctx: ResolverContext<OrchState>) {
        const older = ctx.state.alerts.filter((x) => a.after == null || x.seq < Number(a.after)).sort((x, y) => y.seq - x.seq);
        const nodes = older.slice(0, a.first);
        return { nodes, pageInfo: { hasNextPage: older.length > a.first, endCursor: nodes.at(-1) ? String(nodes.at(-1)!.seq) : null } };
      },
    },
    Alert: {
      __resolveReference: (ref: { id: string }, ctx: ResolverContext<OrchState>) => ctx.state.alerts.find((a) => a.id === ref.id) ?? null,
      cursor: (a: FakeAlert) => String(a.seq),
      level: (a: FakeAlert) => a.level.toUpperCase(),
      createdAt: () => '2026-11-27T00:00:00.000Z',
      hotspot: (a: FakeAlert) => a,
      supplier: (a: FakeAlert) => ({ id: a.supplierId }),
    },
    Hotspot: {
      entityType: () => 'supplier',
      entityId: (h: FakeAlert) => h.supplierId,
      entityName: (h: FakeAlert) => NAMES[h.supplierId],
      severity: (h: FakeAlert) => h.level.toUpperCase(),
      status: () => 'OPEN',
      percentAbove: () => 120,
      predictedKg: () => 220,
      baselineKg: () => 100,
      windowStart: () => '2026-11-26T23:00:00.000Z',
      windowEnd: () => '2026-11-27T00:00:00.000Z',
      detectedAt: () => '2026-11-27T00:00:00.000Z',
      updatedAt: () => '2026-11-27T00:00:00.000Z',
      supplier: (h: FakeAlert) => ({ id: h.supplierId }),
    },
  },
});

const fakeDataCore = definePlugin({
  id: 'data-core',
  typeDefs: gql`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Supplier @key(fields: "id") { id: ID! name: String! }
    type Query { supplierName(id: ID!): String }
  `,
  resolvers: {
    Query: { supplierName: (_: unknown, a: { id: string }) => NAMES[a.id] ?? null },
    Supplier: { __resolveReference: (r: { id: string }) => (NAMES[r.id] ? { id: r.id, name: NAMES[r.id] } : null) },
  },
});

/** A partner's endpoint: answers with the scripted statuses (then 200), verifies every signature. */
function receiver(secret: () => string) {
  const got: { headers: http.IncomingHttpHeaders; body: string; status: number; verified: boolean }[] = [];
  let script: number[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
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
  const orch = () => kit.host.plugins.get('orchestration')!.state as OrchState;
  const deliveries = async (status?: string) => (await kit.query(DELIVERIES, { id: webhookId, status }, { auth: partner })).webhookDeliveries.nodes as any[];

  beforeAll(async () => {
    url = await rx.start();
    kit = await createSubgraphTestkit(partners, {
      target,
      with: [fakeOrchestration, fakeDataCore],
      env: { ...process.env, WEBHOOK_BACKOFF_BASE_MS: '20', WEBHOOK_BACKOFF_MAX_MS: '100', WEBHOOK_POLL_MS: '50', WEBHOOK_MAX_ATTEMPTS: '4' },
    });
    const r = await kit.query(REGISTER, { url, events: ['ALERT_RAISED'], minLevel: 'WARN' }, { auth: partner });
    secret = r.registerWebhook.secret;
    webhookId = r.registerWebhook.webhook.id;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(r.registerWebhook.webhook).toMatchObject({ url, events: ['ALERT_RAISED'], minLevel: 'WARN', supplierIds: [] });
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
    // find, not filter: an empty list is truthy and would end the wait before the worker records the success.
    const d = await eventually(async () => (await deliveries('SUCCEEDED')).find((x) => x.eventCursor === String(a.seq)), 5000, 'success recorded');
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
    const dead = await eventually(async () => (await deliveries('DEAD')).find((x) => x.eventCursor === String(a.seq)), 15_000, 'dead letter');
    expect(dead.attempts).toBe(4);
    expect(dead.attemptLog).toHaveLength(4);
    expect(dead.lastStatusCode).toBe(503);
    const before = rx.got.length;
    const replayed = await kit.query(`mutation($id: ID!) { replayWebhookDelivery(id: $id) { id status attempts } }`, { id: dead.id }, { auth: partner });
    expect(replayed.replayWebhookDelivery).toMatchObject({ id: dead.id, status: 'PENDING', attempts: 0 });
    await eventually(async () => (await deliveries('SUCCEEDED')).some((x) => x.id === dead.id), 10_000, 'replayed delivery succeeds');
    expect(rx.got.slice(before).map((g) => g.headers['webhook-id'])).toEqual([dead.id]);
  });

  it('replays every alert after a cursor (replayWebhooksSince) and none before it', async () => {
    const a1 = await orch().raise('warn', SUP_A);
    const a2 = await orch().raise('critical', SUP_B);
    await eventually(async () => (await deliveries('SUCCEEDED')).some((x) => x.eventCursor === String(a2.seq)), 10_000, 'live deliveries');
    const times = (seq: number) => rx.got.filter((g) => g.status === 200 && JSON.parse(g.body).data.alert.cursor === String(seq)).length;
    const earlier = times(a1.seq - 1);
    const r = await kit.query(`mutation($id: ID!, $c: String!) { replayWebhooksSince(webhookId: $id, cursor: $c) }`, { id: webhookId, c: String(a1.seq - 1) }, { auth: partner });
    expect(r.replayWebhooksSince).toBe(2);
    // Each alert after the cursor is delivered a second time (same webhook-id); nothing before it is.
    await eventually(() => times(a1.seq) === 2 && times(a2.seq) === 2, 10_000, 'replayed deliveries');
    expect(times(a1.seq - 1)).toBe(earlier);
  });

  it('keeps deliveries across a restart: rows written before the worker runs are sent by the next process', async () => {
    // Outbox first: stop the worker, raise, then a fresh worker picks the due row.
    const state = kit.state as { worker: { stop(): Promise<void> } };
    await state.worker.stop();
    const a = await orch().raise('critical', SUP_A);
    const pending = await eventually(async () => (await deliveries('PENDING')).find((x) => x.eventCursor === String(a.seq)), 5000, 'outbox row');
    expect(pending.attempts).toBe(0);
    const { DeliveryWorker } = await import('../src/webhooks/deliveries.ts');
    const fresh = new DeliveryWorker(kit.services as any);
    await fresh.kick();
    await eventually(async () => (await deliveries('SUCCEEDED')).some((x) => x.id === pending.id), 10_000, 'delivered by the new worker');
    await fresh.stop();
  });

  it('checks roles, scope and input', async () => {
    const viewer = { sub: 'v', roles: ['viewer'], supplierIds: null };
    const denied = await kit.execute(REGISTER, { url, events: ['ALERT_RAISED'] }, { auth: viewer });
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const bad = await kit.execute(REGISTER, { url: 'ftp://x', events: ['ALERT_RAISED'] }, { auth: partner });
    expect(bad.errors?.[0].message).toMatch(/^url:/);
    const scoped = { sub: 'p2', roles: ['partner'], supplierIds: [SUP_A] };
    const outside = await kit.execute(REGISTER, { url, events: ['ALERT_RAISED'], supplierIds: [SUP_B] }, { auth: scoped });
    expect(outside.errors?.[0].message).toMatch(/supplierIds: not in your supplier scope/);
    const own = await kit.query(REGISTER, { url, events: ['ALERT_RAISED'] }, { auth: scoped });
    expect(own.registerWebhook.webhook.supplierIds).toEqual([SUP_A]);
    // Another partner cannot see or read this webhook.
    const other = { sub: 'p3', roles: ['partner'], supplierIds: null };
    const list = await kit.query(`{ webhooks { id } }`, {}, { auth: other });
    expect(list.webhooks).toEqual([]);
    const peek = await kit.execute(DELIVERIES, { id: webhookId }, { auth: other });
    expect(peek.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const del = await kit.query(`mutation($id: ID!) { deleteWebhook(id: $id) }`, { id: own.registerWebhook.webhook.id }, { auth: scoped });
    expect(del.deleteWebhook).toBe(true);
    const audit = await kit.db.query<{ action: string }>(`SELECT action FROM audit_logs WHERE plugin = 'partners' ORDER BY created_at`);
    expect(audit.map((r) => r.action)).toEqual(expect.arrayContaining(['webhook.register', 'webhook.replay', 'webhook.replay_since', 'webhook.delete']));
  });
});

describe('signatures and backoff', () => {
  it('verifyWebhook refuses a modified body, a wrong secret and a stale timestamp', async () => {
    const { signedHeaders, newSecret } = await import('../src/webhooks/signing.ts');
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

describe('SSRF guard (WEBHOOK_PRIVATE_NETWORKS=deny)', () => {
  let kit: SubgraphTestkit;
  const rx = receiver(() => '');
  let local: string;

  beforeAll(async () => {
    local = await rx.start();
    kit = await createSubgraphTestkit(partners, {
      with: [fakeOrchestration, fakeDataCore],
      env: { ...process.env, WEBHOOK_PRIVATE_NETWORKS: 'deny', WEBHOOK_POLL_MS: '50', WEBHOOK_MAX_ATTEMPTS: '1' },
    });
  });
  afterAll(async () => {
    await kit?.stop();
    await rx.close();
  });

  it('classifies addresses: only public unicast may receive webhooks', async () => {
    const { privateReason } = await import('../src/webhooks/destination.ts');
    expect(privateReason('93.184.216.34')).toBeNull();
    expect(privateReason('2606:4700:4700::1111')).toBeNull();
    for (const [ip, range] of [
      ['127.0.0.1', 'loopback'], ['10.1.2.3', 'private'], ['192.168.0.10', 'private'], ['172.16.5.4', 'private'],
      ['169.254.169.254', 'linkLocal'], ['100.64.0.1', 'carrierGradeNat'], ['0.0.0.0', 'unspecified'], ['::1', 'loopback'],
      ['fd00::1', 'uniqueLocal'], ['fe80::1', 'linkLocal'], ['::ffff:10.0.0.1', 'private'],
    ]) expect(privateReason(ip), ip).toContain(range);
  });

  it('refuses to register endpoints in private networks, naming the url field and the address', async () => {
    const port = new URL(local).port;
    for (const url of [local, `http://[::1]:${port}/x`, 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.5/hook', `http://localhost:${port}/x`, 'http://[::ffff:127.0.0.1]/x']) {
      const r = await kit.execute(REGISTER, { url, events: ['ALERT_RAISED'] }, { auth: partner });
      expect(r.errors?.[0].extensions?.code, url).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0].message, url).toMatch(/url.*private network/);
    }
    const ok = await kit.execute(REGISTER, { url: 'https://93.184.216.34/hooks', events: ['ALERT_RAISED'] }, { auth: partner });
    expect(ok.errors).toBeUndefined();
  });

  it('refuses at delivery time too (an endpoint that now resolves inside the network): nothing reaches it', async () => {
    const port = new URL(local).port;
    const attempts: string[] = [];
    for (const target of [local, `http://localhost:${port}/hooks`]) {
      const r = await kit.query(REGISTER, { url: 'https://93.184.216.34/hooks', events: ['ALERT_RAISED'] }, { auth: partner });
      const id = r.registerWebhook.webhook.id;
      // What DNS rebinding or a row written before the guard would leave: a stored URL pointing inside.
      await kit.db.query(`UPDATE webhooks SET url = $1 WHERE id = $2::uuid`, [target, id]);
      await (kit.host.plugins.get('orchestration')!.state as OrchState).raise('CRITICAL', SUP_A);
      const d = await eventually(async () => {
        const nodes = (await kit.query(DELIVERIES, { id }, { auth: partner })).webhookDeliveries.nodes as any[];
        return nodes.find((n) => n.attemptLog.length > 0);
      }, 20_000, `a delivery attempt to ${target}`);
      attempts.push(d.attemptLog[0].error);
      expect(d.attemptLog[0].statusCode).toBeNull();
    }
    expect(attempts[0]).toMatch(/refused: 127\.0\.0\.1 is a loopback address/);
    expect(attempts[1]).toMatch(/refused: localhost resolves to (127\.0\.0\.1|::1) is a loopback address/);
    expect(rx.got).toEqual([]);
  });
});
