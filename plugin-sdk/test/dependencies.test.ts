// Declared dependencies: a typed operation carries its producer, services.call refuses undeclared plugins, an absent
// `uses` peer is a PluginAbsentError (the consumer's fallback), cycles among uses are allowed, conformance prints the graph.
import { describe, it, expect } from 'vitest';
import {
  definePlugin,
  gql,
  operation,
  pluginOperation,
  startOrder,
  PluginAbsentError,
  PluginCallError,
  PluginNotDeclaredError,
  type ResolverContext,
  type TypedDocumentNode,
} from '@carbon-nexus/plugin-sdk';
import { createSubgraphTestkit, formatPluginGraph, runConformance } from '@carbon-nexus/plugin-sdk/testkit';

// What codegen generates from a producer's client/*.graphql, written by hand for the test.
const PriceOf = operation(
  'pricing',
  gql`
  query PriceOf($kg: Float!) {
    price(kg: $kg)
  }
` as TypedDocumentNode<{ price: number }, { kg: number }>,
);
const Rates = operation(
  'rates',
  gql`
  query Rates {
    rate
  }
` as TypedDocumentNode<{ rate: number }, Record<string, never>>,
);
// A document written by hand for a producer without a client module: the types are stated, not generated.
const HandPrice = pluginOperation<{ price: number }, { kg: number }>(
  'pricing',
  'query($kg: Float!) { price(kg: $kg) }',
);
const AuditPing = pluginOperation<{ ping: string }>('audit-log', '{ ping }');

const pricing = definePlugin({
  id: 'pricing',
  typeDefs: gql`
    type Query {
      price(kg: Float!): Float!
    }
  `,
  resolvers: { Query: { price: (_: unknown, a: { kg: number }) => a.kg * 2 } },
});

/** Quotes: requires pricing, uses rates (may be absent), and calls "audit-log" which it never declared. */
const quotes = definePlugin({
  id: 'quotes',
  requires: ['pricing'],
  uses: { rates: 'quotes carry no currency rate' },
  typeDefs: gql`
    type Query {
      quote(kg: Float!): Float!
      handQuote(kg: Float!): Float!
      rated: String!
      undeclared: String
      canCallRates: Boolean!
    }
  `,
  resolvers: {
    Query: {
      quote: async (_: unknown, a: { kg: number }, ctx: ResolverContext) =>
        (await ctx.services.call(PriceOf, { kg: a.kg })).price,
      handQuote: async (_: unknown, a: { kg: number }, ctx: ResolverContext) =>
        (await ctx.services.call(HandPrice, { kg: a.kg })).price,
      rated: async (_: unknown, __: unknown, ctx: ResolverContext) => {
        try {
          return `rate ${(await ctx.services.call(Rates)).rate}`;
        } catch (err) {
          if (err instanceof PluginAbsentError) return `no rate (${err.whenAbsent})`;
          throw err;
        }
      },
      undeclared: async (_: unknown, __: unknown, ctx: ResolverContext) => {
        await ctx.services.call(AuditPing);
        return 'called';
      },
      canCallRates: (_: unknown, __: unknown, ctx: ResolverContext) => ctx.services.canCall('rates'),
    },
  },
});

const rates = definePlugin({
  id: 'rates',
  uses: { quotes: 'rates are not quoted' },
  typeDefs: gql`
    type Query {
      rate: Float!
    }
  `,
  resolvers: { Query: { rate: () => 1.25 } },
});

describe('declared dependencies', () => {
  it('a typed operation needs no plugin id, and its result is typed', async () => {
    await using kit = await createSubgraphTestkit(quotes, { with: [pricing] });
    expect(await kit.query<{ quote: number }>('{ quote(kg: 21) }')).toEqual({ quote: 42 });
    // A hand-written document bound with pluginOperation is called the same way.
    expect(HandPrice.plugin).toBe('pricing');
    expect(await kit.query<{ handQuote: number }>('{ handQuote(kg: 2) }')).toEqual({ handQuote: 4 });
  });

  it('services.call refuses a plugin declared neither in requires nor in uses, naming both', async () => {
    await using kit = await createSubgraphTestkit(quotes, { with: [pricing] });
    const r = await kit.execute('{ undeclared }');
    expect(r.errors?.[0].message).toBe(
      'call to plugin "audit-log" failed: plugin "quotes" called "audit-log", which it neither requires nor uses: ' +
        'declare it in requires (it cannot work without it) or in uses (with what it does when "audit-log" is absent)',
    );
    expect(r.errors?.[0].originalError).toBeInstanceOf(PluginNotDeclaredError);
    expect(r.errors?.[0].originalError).toBeInstanceOf(PluginCallError);
  });

  it('an absent used plugin is a PluginAbsentError carrying the declared behaviour; present, it is called', async () => {
    {
      await using kit = await createSubgraphTestkit(quotes, { with: [pricing] });
      expect(await kit.query('{ rated canCallRates }')).toEqual({
        rated: 'no rate (quotes carry no currency rate)',
        canCallRates: false,
      });
    }
    {
      await using kit = await createSubgraphTestkit(quotes, { with: [pricing, rates] });
      expect(await kit.query('{ rated canCallRates }')).toEqual({ rated: 'rate 1.25', canCallRates: true });
    }
  });

  it('a document that does not match the callee schema fails with the validation error, not a crash', async () => {
    const Wrong = operation(
      'pricing',
      gql`
      query Wrong {
        cost
      }
    ` as TypedDocumentNode<{ cost: number }, Record<string, never>>,
    );
    const caller = definePlugin({
      id: 'wrong-caller',
      requires: ['pricing'],
      typeDefs: gql`
        type Query {
          go: String
        }
      `,
      resolvers: {
        Query: {
          go: async (_: unknown, __: unknown, ctx: ResolverContext) => String((await ctx.services.call(Wrong)).cost),
        },
      },
    });
    await using kit = await createSubgraphTestkit(caller, { with: [pricing] });
    const r = await kit.execute('{ go }');
    expect(r.errors?.[0].message).toMatch(/call to plugin "pricing" failed: Cannot query field "cost" on type "Query"/);
  });

  it('uses orders start-up where it can; a cycle among uses is allowed, one among requires is not', () => {
    const a = definePlugin({
      id: 'alpha',
      uses: { bravo: 'no b' },
      typeDefs: gql`type Query { a: Int }`,
      resolvers: {},
    });
    const b = definePlugin({
      id: 'bravo',
      uses: { alpha: 'no a' },
      typeDefs: gql`type Query { b: Int }`,
      resolvers: {},
    });
    expect(startOrder([a, b]).map((p) => p.id)).toEqual(['bravo', 'alpha']);
    const c = definePlugin({
      id: 'charlie',
      uses: { delta: 'no d' },
      typeDefs: gql`type Query { c: Int }`,
      resolvers: {},
    });
    const d = definePlugin({ id: 'delta', requires: ['charlie'], typeDefs: gql`type Query { d: Int }`, resolvers: {} });
    // delta requires charlie (hard) — charlie's soft wish to start after delta gives way.
    expect(startOrder([c, d]).map((p) => p.id)).toEqual(['charlie', 'delta']);
    const e = definePlugin({
      id: 'echo',
      uses: { foxtrot: 'no f' },
      typeDefs: gql`type Query { e: Int }`,
      resolvers: {},
    });
    const f = definePlugin({ id: 'foxtrot', typeDefs: gql`type Query { f: Int }`, resolvers: {} });
    expect(startOrder([e, f]).map((p) => p.id)).toEqual(['foxtrot', 'echo']);
  });

  it('definePlugin rejects malformed declarations, naming the plugin', () => {
    const base = { typeDefs: gql`type Query { x: Int }`, resolvers: {} };
    expect(() => definePlugin({ ...base, id: 'x1', uses: { rates: '' } })).toThrow(
      'plugin "x1": uses "rates": say what the plugin does when "rates" is absent',
    );
    expect(() => definePlugin({ ...base, id: 'x2', requires: ['rates'], uses: { rates: 'no rates' } })).toThrow(
      /"rates" is in both requires and uses/,
    );
    expect(() => definePlugin({ ...base, id: 'x3', uses: { x3: 'self' } })).toThrow('plugin "x3": uses itself');
    expect(() => definePlugin({ ...base, id: 'x4', requires: ['Not An Id'] })).toThrow(
      /requires "Not An Id", which is not a plugin id/,
    );
    expect(() => definePlugin({ ...base, id: 'x5', routePrefix: 'acme/' })).toThrow(
      /routePrefix "acme\/" must be a path like "\/acme"/,
    );
  });

  it('formatPluginGraph shows requires/uses edges with the behaviour when absent, marking plugins not in the platform', () => {
    expect(formatPluginGraph([quotes, pricing])).toBe(
      [
        'plugin graph (requires: hard, started first; uses: soft, may be absent):',
        '  quotes',
        '    requires pricing',
        '    uses     rates (not in this platform) — when absent: quotes carry no currency rate',
        '  pricing — calls no other plugin',
      ].join('\n'),
    );
  });

  it('runConformance prints the plugin graph and reports what the plugin declares', async () => {
    const printed: string[] = [];
    const report = await runConformance(quotes, {
      peers: [pricing, rates],
      with: [pricing],
      print: (t) => printed.push(t),
    });
    expect(report.ok, JSON.stringify(report.checks.filter((c) => !c.ok))).toBe(true);
    expect(printed).toEqual([report.graph]);
    expect(report.graph).toContain('    uses     rates — when absent: quotes carry no currency rate');
    expect(report.graph).toContain('  rates\n    uses     quotes — when absent: rates are not quoted');
    const declared = report.checks.find((c) => c.name.startsWith('declares the plugins it calls'))!;
    expect(declared.detail).toBe('quotes; requires pricing; uses rates — when absent: quotes carry no currency rate');
    // A required plugin the platform does not have fails the check.
    const orphan = await runConformance(quotes, { peers: [rates], print: false });
    expect(orphan.checks.find((c) => c.name.startsWith('declares'))!).toMatchObject({
      ok: false,
      detail: 'requires pricing, which the platform does not have: it could never start',
    });
  });
});
