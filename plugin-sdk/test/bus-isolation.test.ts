// Deployments sharing one Redis (or one PostgreSQL database) must not hear each other's events. Redis pub/sub is
// server-wide — the db index in the URL does not separate channels — so the channel prefix carries the db index,
// and BUS_CHANNEL_PREFIX separates deployments explicitly.
// "Did not hear" is shown without waiting on a clock: the other deployment publishes X and, once the server has
// executed it, this one publishes a fence F; a subscriber that matched X would have received it before F.
import { afterEach, describe, expect, it } from 'vitest';
import { createBus, definePlugin, gql, redisChannelPrefix, type Bus } from '@carbon-nexus/plugin-sdk';
import { createSubgraphTestkit, waitFor, type SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { alertRaised } from './topics.ts';

const alert = (id: string) => ({ id, seq: '1', hotspotId: 'h', level: 'critical', supplierId: null });

function withDb(url: string, db: number): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

function listen(bus: Bus): string[] {
  const heard: string[] = [];
  bus.subscribe(alertRaised, (p) => void heard.push(p.id));
  return heard;
}

describe('redis channel prefix', () => {
  it('defaults to the db index; BUS_CHANNEL_PREFIX wins', () => {
    expect(redisChannelPrefix('redis://127.0.0.1:6379')).toBe('carbon_nexus:');
    expect(redisChannelPrefix('redis://127.0.0.1:6379/0')).toBe('carbon_nexus:');
    expect(redisChannelPrefix('redis://127.0.0.1:6379/3')).toBe('carbon_nexus:db3:');
    expect(redisChannelPrefix('redis://127.0.0.1:6379/3', 'staging')).toBe('staging:');
    expect(redisChannelPrefix('redis://127.0.0.1:6379/3', 'staging:')).toBe('staging:');
  });
});

const targets: { name: string; url: string; separate: (n: number) => { url: string; channelPrefix?: string } }[] = [];
if (process.env.REDIS_URL) {
  const url = process.env.REDIS_URL;
  targets.push({ name: 'redis, different db indexes', url, separate: (n) => ({ url: withDb(url, 11 + n) }) });
  targets.push({
    name: 'redis, one db index, BUS_CHANNEL_PREFIX',
    url,
    separate: (n) => ({ url: withDb(url, 13), channelPrefix: `deployment-${n}-${process.pid}` }),
  });
}
if (process.env.DATABASE_URL) {
  const url = process.env.DATABASE_URL;
  targets.push({
    name: 'postgres, one database, BUS_CHANNEL_PREFIX',
    url,
    separate: (n) => ({ url, channelPrefix: `deployment_${n}_${process.pid}` }),
  });
}

if (targets.length)
  describe.each(targets)('two deployments on one server ($name)', ({ separate }) => {
    const open: Bus[] = [];
    afterEach(async () => void (await Promise.all(open.splice(0).map((b) => b.close()))));
    const bus = async (n: number) => {
      const b = await createBus(separate(n));
      open.push(b);
      return b;
    };

    it('hear their own deployment and never the other one', async () => {
      const a1 = await bus(1);
      const a2 = await bus(1); // another process of deployment 1
      const b1 = await bus(2); // deployment 2
      const heardA1 = listen(a1);
      const heardA2 = listen(a2);
      const heardB1 = listen(b1);
      const tag = `${process.pid}-${Date.now()}`;
      await b1.publish(alertRaised, alert(`from-2-${tag}`)); // executed by the server before the fence below
      await a1.publish(alertRaised, alert(`fence-1-${tag}`));
      await waitFor(
        'deployment 1 hearing its own event',
        () => heardA1.includes(`fence-1-${tag}`) && heardA2.includes(`fence-1-${tag}`),
        10_000,
      );
      await waitFor('deployment 2 hearing its own event', () => heardB1.includes(`from-2-${tag}`), 10_000);
      expect(heardA1.filter((id) => id.endsWith(tag))).toEqual([`fence-1-${tag}`]);
      expect(heardA2.filter((id) => id.endsWith(tag))).toEqual([`fence-1-${tag}`]);
      // And the other way round.
      await a2.publish(alertRaised, alert(`from-1-${tag}`));
      await b1.publish(alertRaised, alert(`fence-2-${tag}`));
      await waitFor('deployment 2 hearing its fence', () => heardB1.includes(`fence-2-${tag}`), 10_000);
      expect(heardB1.filter((id) => id.endsWith(tag))).toEqual([`from-2-${tag}`, `fence-2-${tag}`]);
    });
  });

// Test suites run side by side on CI's one Redis: each test kit's bus is its test database's own deployment, so a
// suite never hears another's events (a stray alert from a neighbouring suite once failed an exact-count assertion).
const quiet = definePlugin({
  id: 'quiet',
  typeDefs: gql`
    type Query { ping: String! }
  `,
  resolvers: { Query: { ping: () => 'pong' } },
});

describe.runIf(process.env.REDIS_URL)('test kits on one shared Redis', () => {
  const kits: SubgraphTestkit[] = [];
  afterEach(async () => {
    for (const k of kits.splice(0).reverse()) await k.stop();
  });
  const kit = async (db?: SubgraphTestkit['db']) => {
    const k = await createSubgraphTestkit(quiet, { db, env: { REDIS_URL: process.env.REDIS_URL } });
    kits.push(k);
    return k;
  };

  it("hear kits on their own test database and never another suite's", async () => {
    const a = await kit();
    const aAgain = await kit(a.db); // a second host on the same test database: the same deployment
    const b = await kit();
    expect(a.services.bus.kind).toBe('redis');
    const heardA = listen(a.services.bus);
    const heardAgain = listen(aAgain.services.bus);
    const heardB = listen(b.services.bus);
    const tag = `${process.pid}-${Date.now()}`;
    await b.services.bus.publish(alertRaised, alert(`from-b-${tag}`)); // executed before the fence below
    await a.services.bus.publish(alertRaised, alert(`fence-a-${tag}`));
    await waitFor(
      'the kits on database a hearing their fence',
      () => heardA.includes(`fence-a-${tag}`) && heardAgain.includes(`fence-a-${tag}`),
      10_000,
    );
    await waitFor('kit b hearing its own event', () => heardB.includes(`from-b-${tag}`), 10_000);
    expect(heardA.filter((id) => id.endsWith(tag))).toEqual([`fence-a-${tag}`]);
    expect(heardAgain.filter((id) => id.endsWith(tag))).toEqual([`fence-a-${tag}`]);
  });
});
