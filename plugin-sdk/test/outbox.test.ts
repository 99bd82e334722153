// Transactional outbox: events commit with the data or not at all; the relay publishes them in order, once, and
// retries while the bus is down. The outage case cuts a real TCP proxy between the bus and Redis.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDatabaseTargets, type Database } from '@carbon-nexus/db';
import {
  createBus,
  createLogger,
  createOutboxRelay,
  enqueueOutbox,
  type Bus,
  type OutboxRelay,
} from '@carbon-nexus/plugin-sdk';
import { startTcpProxy, targetOf, waitFor, type TcpProxy } from '@carbon-nexus/plugin-sdk/testkit';
import { alertRaised, type TestAlert } from './topics.ts';

const logger = createLogger({ level: 'silent' });
const alert = (n: number): TestAlert => ({
  id: `a${n}`,
  seq: String(n),
  hotspotId: 'h1',
  level: 'critical',
  supplierId: null,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function unpublished(db: Database): Promise<number> {
  const [r] = await db.query<{ n: number | string }>(
    `SELECT count(*) AS n FROM outbox_events WHERE published_at IS NULL`,
  );
  return Number(r.n);
}

describe.each(testDatabaseTargets())('outbox relay (%s, memory bus)', (target) => {
  let db: Database;
  const open: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => {
    await db?.close();
  });
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
    await db.exec(`DELETE FROM outbox_events`);
  });
  const relayOn = async () => {
    const bus = await createBus();
    const relay = createOutboxRelay({ db, bus, logger, intervalMs: 50 });
    open.push({ close: () => bus.close() }, { close: () => relay.stop() });
    const heard: string[] = [];
    bus.subscribe(alertRaised, (p) => void heard.push(p.id));
    return { bus, relay, heard };
  };

  it('publishes committed events in order and marks them; a rolled-back transaction publishes nothing', async () => {
    const { relay, heard } = await relayOn();
    await db.transaction(async (tx) => {
      for (const n of [1, 2, 3]) await enqueueOutbox(tx, alertRaised, alert(n));
    });
    await expect(
      db.transaction(async (tx) => {
        await enqueueOutbox(tx, alertRaised, alert(99));
        throw new Error('the data write failed');
      }),
    ).rejects.toThrow('the data write failed');
    expect(await relay.flush()).toBe(3);
    await waitFor('three deliveries', () => heard.length >= 3, 5000);
    await sleep(100);
    expect(heard).toEqual(['a1', 'a2', 'a3']);
    expect(await unpublished(db)).toBe(0);
    expect(await relay.flush()).toBe(0); // marked: nothing goes out twice
  });

  it('a relay started later publishes what an earlier process committed but never published', async () => {
    await db.transaction(async (tx) => {
      for (const n of [4, 5]) await enqueueOutbox(tx, alertRaised, alert(n));
    });
    const { relay, heard } = await relayOn();
    relay.start();
    await waitFor('the backlog', () => heard.length >= 2, 5000);
    expect(heard).toEqual(['a4', 'a5']);
    await waitFor('rows marked', async () => (await unpublished(db)) === 0, 5000);
  });

  it('prunes published rows after the retention period, never unpublished ones', async () => {
    const bus = await createBus();
    const relay = createOutboxRelay({ db, bus, logger, retentionMs: 60_000 });
    open.push({ close: () => bus.close() });
    await db.transaction(async (tx) => {
      for (const n of [20, 21, 22]) await enqueueOutbox(tx, alertRaised, alert(n));
    });
    expect(await relay.flush()).toBe(3);
    await db.transaction(async (tx) => enqueueOutbox(tx, alertRaised, alert(23)));
    // Two of the published rows are old; the unpublished one is too, but must stay until it is published.
    await db.exec(`UPDATE outbox_events SET published_at = now() - interval '2 minutes', created_at = now() - interval '3 minutes'
                   WHERE id IN (SELECT id FROM outbox_events WHERE published_at IS NOT NULL ORDER BY id LIMIT 2)`);
    await db.exec(`UPDATE outbox_events SET created_at = now() - interval '1 hour' WHERE published_at IS NULL`);
    expect(await relay.prune()).toBe(2);
    const left = await db.query<{ payload: any; published: boolean }>(
      `SELECT payload, published_at IS NOT NULL AS published FROM outbox_events ORDER BY id`,
    );
    expect(left.map((r) => [r.payload.data.id, r.published])).toEqual([
      ['a22', true],
      ['a23', false],
    ]);
    await relay.stop();
  });

  it('two relays on one database publish each event once, in order', async () => {
    const a = await relayOn();
    const b = await relayOn();
    // Both processes' buses here are in-memory and separate: count what either relay sent.
    await db.transaction(async (tx) => {
      for (let n = 10; n < 60; n++) await enqueueOutbox(tx, alertRaised, alert(n));
    });
    let sent = 0;
    for (let round = 0; round < 2; round++)
      for (const n of await Promise.all([a.relay.flush(), b.relay.flush()])) sent += n;
    expect(sent).toBe(50);
    await waitFor('50 deliveries', () => a.heard.length + b.heard.length >= 50, 5000);
    await sleep(100);
    const all = [...a.heard, ...b.heard];
    expect(new Set(all).size).toBe(50);
    // Each relay's share is itself in order.
    for (const h of [a.heard, b.heard])
      expect(h).toEqual([...h].sort((x, y) => Number(x.slice(1)) - Number(y.slice(1))));
  });
});

describe.runIf(process.env.REDIS_URL)('outbox relay across a Redis outage (TCP proxy cut)', () => {
  let db: Database;
  let proxy: TcpProxy;
  let bus: Bus;
  let relay: OutboxRelay;
  const heard: TestAlert[] = [];
  const retries: unknown[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(testDatabaseTargets().includes('postgres') ? 'postgres' : 'pglite');
    proxy = await startTcpProxy(targetOf(process.env.REDIS_URL!, 6379));
    bus = await createBus({ url: proxy.url(process.env.REDIS_URL!) });
    relay = createOutboxRelay({ db, bus, logger, intervalMs: 100, onRetry: (e) => void retries.push(e) });
    relay.start();
    // Other tests may share this Redis: keep only our own ids.
    bus.subscribe(alertRaised, (p) => void (p.hotspotId === 'outage-test' && heard.push(p)));
  });
  afterAll(async () => {
    await relay?.stop();
    await bus?.close();
    await proxy?.close();
    await db?.close();
  });

  it('alerts committed while Redis is unreachable are delivered after it returns: none lost, none twice, in order', async () => {
    const raise = (from: number, to: number) =>
      db.transaction(async (tx) => {
        for (let n = from; n < to; n++) await enqueueOutbox(tx, alertRaised, { ...alert(n), hotspotId: 'outage-test' });
      });
    await raise(0, 3);
    relay.kick();
    await waitFor('alerts before the outage', () => heard.length >= 3, 10_000);

    proxy.cut();
    await waitFor('the bus to notice the outage', () => !bus.connected, 10_000);
    // Raised during the outage: committed with the data, held in the outbox.
    for (let k = 0; k < 4; k++) {
      await raise(3 + k * 5, 8 + k * 5);
      relay.kick();
    }
    await sleep(1500);
    expect(heard).toHaveLength(3);
    expect(await unpublished(db)).toBe(20);

    proxy.restore();
    await waitFor('the backlog after Redis returns', () => heard.length >= 23, 20_000);
    await sleep(500); // anything extra (a duplicate) would arrive by now
    expect(heard.map((h) => h.id)).toEqual(Array.from({ length: 23 }, (_, n) => `a${n}`));
    expect(await unpublished(db)).toBe(0);
    expect(proxy.connections).toBeGreaterThan(3); // the bus really reconnected through the proxy
  });
});
