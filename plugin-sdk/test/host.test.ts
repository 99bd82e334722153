import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { Writable } from 'node:stream';
import {
  createHost,
  createLogger,
  definePlugin,
  env,
  gql,
  pluginOperation,
  PluginConfigError,
  PluginStartError,
  currentScope,
  type ResolverContext,
} from '@carbon-nexus/plugin-sdk';
import { createSubgraphTestkit, createTestDatabase } from '@carbon-nexus/plugin-sdk/testkit';

const pricing = definePlugin({
  id: 'pricing',
  config: z.object({ PRICE_PER_KG: env.number(2).pipe(z.number().positive()), PRICING_CRON: env.string('0 * * * *') }),
  typeDefs: gql`
    type Query {
      price(kg: Float!): Float!
      whoami: String
      correlation: String
    }
  `,
  resolvers: {
    Query: {
      price: (_: unknown, { kg }: { kg: number }, ctx: ResolverContext<unknown, { PRICE_PER_KG: number }>) =>
        kg * ctx.services.config.PRICE_PER_KG,
      whoami: (_: unknown, __: unknown, ctx: ResolverContext) => ctx.auth?.sub ?? null,
      correlation: () => currentScope()?.correlationId ?? null,
    },
  },
  jobs: { reprice: { cron: (c) => c.PRICING_CRON, run: async () => undefined } },
});

// Pricing publishes no client module here, so quotes binds its hand-written documents to the plugin.
const Price = pluginOperation<{ price: number }, { kg: number }>('pricing', 'query($kg: Float!) { price(kg: $kg) }');
const WhoAmI = pluginOperation<{ whoami: string | null; correlation: string }>('pricing', '{ whoami correlation }');
const Correlation = pluginOperation<{ correlation: string }>('pricing', '{ correlation }');

const quotes = definePlugin({
  id: 'quotes',
  requires: ['pricing'],
  typeDefs: gql`
    type Query {
      quote(kg: Float!): String!
      pricingSees: String
    }
  `,
  resolvers: {
    Query: {
      // Calls another plugin through its GraphQL API; caller identity and correlation id follow.
      quote: async (_: unknown, { kg }: { kg: number }, ctx: ResolverContext) => {
        const r = await ctx.services.call(Price, { kg });
        await ctx.services.audit({ action: 'quote', entityType: 'quote', metadata: { kg } });
        return `${kg} kg costs ${r.price}`;
      },
      pricingSees: async (_: unknown, __: unknown, ctx: ResolverContext) =>
        (await ctx.services.call(WhoAmI)).whoami + '@' + (await ctx.services.call(Correlation)).correlation,
    },
  },
});

describe('host', () => {
  it('a bad setting fails the start with the plugin and the setting named', async () => {
    const host = createHost({ plugins: [pricing], env: { PRICE_PER_KG: '-3' }, scheduler: false });
    await expect(host.start()).rejects.toThrow(PluginConfigError);
    await expect(
      createHost({ plugins: [pricing], env: { PRICE_PER_KG: 'abc' }, scheduler: false }).start(),
    ).rejects.toThrow(/plugin "pricing": invalid configuration: PRICE_PER_KG: .*\(got "abc"\)/);
  });

  it('an invalid cron is a start error naming the job', async () => {
    const db = await createTestDatabase();
    try {
      const host = createHost({ plugins: [pricing], env: { PRICING_CRON: 'every tuesday' }, db, migrate: false });
      await expect(host.start()).rejects.toThrow(
        /plugin "pricing": job "reprice": invalid cron expression "every tuesday"/,
      );
    } finally {
      await db.close();
    }
  });

  it('a failing init names the plugin', async () => {
    const broken = definePlugin({
      id: 'broken',
      typeDefs: gql`type Query { x: Int }`,
      resolvers: {},
      init: () => {
        throw new Error('no licence key');
      },
    });
    const db = await createTestDatabase();
    try {
      await expect(createHost({ plugins: [broken], db, migrate: false }).start()).rejects.toThrow(
        /plugin "broken": init failed: no licence key/,
      );
    } finally {
      await db.close();
    }
  });

  it('a missing dependency fails before anything starts', () => {
    expect(() => createHost({ plugins: [quotes] })).toThrow(PluginStartError);
  });

  it('plugins call each other in-process with the caller identity and correlation id, and audit rows carry both', async () => {
    const kit = await createSubgraphTestkit(quotes, { with: [pricing], env: { PRICE_PER_KG: '3' } });
    try {
      const alice = { sub: 'alice', roles: ['analyst'], supplierIds: null };
      expect(await kit.query('{ quote(kg: 2) }', undefined, { auth: alice })).toEqual({ quote: '2 kg costs 6' });
      const rp = kit.host.plugins.get('quotes')!;
      const r = await rp.execute('{ pricingSees }', undefined, { auth: alice, correlationId: 'corr-123' });
      expect(r.data).toEqual({ pricingSees: 'alice@corr-123' });
      const audit = await kit.db.query<{ user_id: string; plugin: string; action: string }>(
        'SELECT user_id, plugin, action FROM audit_logs',
      );
      expect(audit).toEqual([{ user_id: 'alice', plugin: 'quotes', action: 'quote' }]);
    } finally {
      await kit.stop();
    }
  });

  it('invalid operations return GraphQL errors, not exceptions', async () => {
    const kit = await createSubgraphTestkit(pricing);
    try {
      const r = await kit.execute('{ nope }');
      expect(r.errors?.[0].message).toMatch(/Cannot query field "nope"/);
      const s = await kit.execute('{ price(kg: ');
      expect(s.errors?.[0].message).toMatch(/Syntax Error/);
    } finally {
      await kit.stop();
    }
  });

  it('logs are JSON lines with plugin id and correlation id', async () => {
    const lines: string[] = [];
    const dest = new Writable({
      write(chunk, _e, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const logger = createLogger({ level: 'info', destination: dest as any });
    const logging = definePlugin({
      id: 'logging',
      typeDefs: gql`type Query { hello: String }`,
      resolvers: {
        Query: { hello: (_: unknown, __: unknown, ctx: ResolverContext) => (ctx.logger.info('said hello'), 'hi') },
      },
    });
    const db = await createTestDatabase();
    const host = createHost({ plugins: [logging], db, logger, migrate: false, scheduler: false });
    await host.start();
    try {
      await host.plugins.get('logging')!.execute('{ hello }', undefined, { correlationId: 'req-42' });
      const entry = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'said hello');
      expect(entry).toMatchObject({ plugin: 'logging', correlationId: 'req-42', level: 30 });
    } finally {
      await host.stop();
      await db.close();
    }
  });
});
