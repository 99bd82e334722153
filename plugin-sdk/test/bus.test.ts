import { describe, it, expect, afterEach } from 'vitest';
import { createBus, type Bus } from '@carbon-nexus/plugin-sdk';
import { startTcpProxy, targetOf, waitFor } from '@carbon-nexus/plugin-sdk/testkit';
import { alertRaised, hotspotChanged, recommendationCreated } from './topics.ts';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = (cond: () => boolean) => waitFor('the bus delivery', cond, 5000);

const transports: { name: string; url?: string }[] = [{ name: 'memory' }];
if (process.env.REDIS_URL) transports.push({ name: 'redis', url: process.env.REDIS_URL });
if (process.env.DATABASE_URL) transports.push({ name: 'postgres', url: process.env.DATABASE_URL });

describe.each(transports)('bus over $name', ({ name, url }) => {
  const open: Bus[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
  });
  const bus = async () => {
    const b = await createBus({ url });
    open.push(b);
    return b;
  };

  it('delivers typed payloads to subscribers and stops after unsubscribe', async () => {
    const a = await bus();
    const got: string[] = [];
    const off = a.subscribe(alertRaised, (p) => void got.push(p.id));
    await a.publish(alertRaised, { id: 'a1', seq: '1', hotspotId: 'h1', level: 'critical', supplierId: null });
    await until(() => got.length === 1);
    off();
    await a.publish(alertRaised, { id: 'a2', seq: '2', hotspotId: 'h1', level: 'critical', supplierId: null });
    await wait(150);
    expect(got).toEqual(['a1']);
  });

  it('iterates a topic until aborted, keeping at most bufferSize unread payloads', async () => {
    const a = await bus();
    const ac = new AbortController();
    const it = a.iterate(recommendationCreated, { signal: ac.signal, bufferSize: 2 });
    for (const id of ['r1', 'r2', 'r3'])
      await a.publish(recommendationCreated, { id, hotspotId: 'h', supplierId: null });
    await wait(name === 'memory' ? 20 : 300);
    const first = await it.next();
    const second = await it.next();
    // r1 was dropped: the consumer was slower than the buffer allows.
    expect([first.value?.id, second.value?.id]).toEqual(['r2', 'r3']);
    ac.abort();
    expect((await it.next()).done).toBe(true);
  });
});

const distributed = transports.filter((t) => t.url);
if (distributed.length) {
  describe.each(distributed)('bus across processes over $name', ({ url }) => {
    const open: Bus[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((b) => b.close()));
    });
    const bus = async () => {
      const b = await createBus({ url });
      open.push(b);
      return b;
    };

    it('crosses processes: a second bus instance receives what the first publishes', async () => {
      const a = await bus();
      const b = await bus();
      const got: string[] = [];
      b.subscribe(hotspotChanged, (p) => void got.push(`${p.id}:${p.change}`));
      await a.publish(hotspotChanged, {
        id: 'h9',
        change: 'escalated',
        severity: 'critical',
        supplierId: 's1',
        entityType: 'supplier',
        entityId: 's1',
      });
      await until(() => got.length === 1);
      expect(got).toEqual(['h9:escalated']);
    });
  });
}

if (distributed.length) {
  describe.each(distributed)('bus reconnects over $name', ({ name, url }) => {
    it('counts each time its subscription is live again, so a gap between two looks at `connected` is not missed', async () => {
      const proxy = await startTcpProxy(targetOf(url!, name === 'redis' ? 6379 : 5432));
      const b = await createBus({ url: proxy.url(url!) });
      try {
        await waitFor('the bus connected', () => b.connected, 10_000);
        expect(b.listenings).toBe(1);
        proxy.cut();
        proxy.restore(); // nobody looked at `connected` in between
        await waitFor('the bus listening again', () => b.connected && b.listenings === 2, 20_000);
        // And it delivers again.
        const got: string[] = [];
        b.subscribe(alertRaised, (p) => void got.push(p.id));
        await b.publish(alertRaised, { id: 'after', seq: '9', hotspotId: 'h', level: 'warn', supplierId: null });
        await waitFor('a delivery after the reconnect', () => got.length === 1, 10_000);
      } finally {
        await b.close();
        await proxy.close();
      }
    }, 60_000);
  });
}

describe('bus configuration', () => {
  it('rejects an unknown transport with a clear message', async () => {
    await expect(createBus({ url: 'amqp://localhost' })).rejects.toThrow(/must start with redis:\/\/ or postgres:\/\//);
  });
});
