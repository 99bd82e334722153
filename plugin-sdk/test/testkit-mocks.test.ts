// Testing a plugin alone: peers mocked from their real SDL (a mock cannot drift from the contract), HTTP routes
// through inject without a port, `await using` cleaning up.
import { describe, it, expect } from 'vitest';
import { definePlugin, gql, operation, type ResolverContext, type TypedDocumentNode } from '@carbon-nexus/plugin-sdk';
import { createSubgraphTestkit, mockPlugin } from '@carbon-nexus/plugin-sdk/testkit';

// The producer's SDL (what its schema.graphql would hold) and one operation it publishes.
const forecastSdl = gql`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Supplier @key(fields: "id") {
    id: ID!
    name: String!
  }
  type Query {
    forecastKg(supplierId: ID!, days: Int!): Float!
    ping: String
  }
  type Mutation {
    recordForecast(supplierId: ID!, kg: Float!): Boolean! @auth(roles: [analyst])
  }
`;
const ForecastKg = operation(
  'forecaster',
  gql`
  query ForecastKg($supplierId: ID!, $days: Int!) {
    forecastKg(supplierId: $supplierId, days: $days)
  }
` as TypedDocumentNode<{ forecastKg: number }, { supplierId: string; days: number }>,
);
const Ping = operation(
  'forecaster',
  gql`
  query Ping {
    ping
  }
` as TypedDocumentNode<{ ping: string | null }, Record<string, never>>,
);
const SupplierNames = operation(
  'forecaster',
  gql`
  query SupplierNames($r: [_Any!]!) {
    _entities(representations: $r) {
      ... on Supplier {
        id
        name
      }
    }
  }
` as TypedDocumentNode<{ _entities: ({ id: string; name: string } | null)[] }, { r: Record<string, unknown>[] }>,
);
const Record_ = operation(
  'forecaster',
  gql`
  mutation RecordForecast($supplierId: ID!, $kg: Float!) {
    recordForecast(supplierId: $supplierId, kg: $kg)
  }
` as TypedDocumentNode<{ recordForecast: boolean }, { supplierId: string; kg: number }>,
);

/** The plugin under test: a budget per supplier from the forecaster's numbers. */
const budget = definePlugin({
  id: 'budget',
  requires: ['forecaster'],
  typeDefs: gql`
    type Query {
      budget(supplierId: ID!): String!
      forecasterSays: String
      supplierName(id: ID!): String
      record: Boolean
    }
  `,
  resolvers: {
    Query: {
      budget: async (_: unknown, a: { supplierId: string }, ctx: ResolverContext) => {
        const { forecastKg } = await ctx.services.call(ForecastKg, { supplierId: a.supplierId, days: 7 });
        return `${forecastKg * 2} kg CO2e allowed`;
      },
      forecasterSays: async (_: unknown, __: unknown, ctx: ResolverContext) => (await ctx.services.call(Ping)).ping,
      supplierName: async (_: unknown, a: { id: string }, ctx: ResolverContext) =>
        (await ctx.services.call(SupplierNames, { r: [{ __typename: 'Supplier', id: a.id }] }))._entities[0]?.name ??
        null,
      record: async (_: unknown, __: unknown, ctx: ResolverContext) =>
        (await ctx.services.call(Record_, { supplierId: 's1', kg: 1 })).recordForecast,
    },
  },
});

describe('mockPlugin: a peer from its real SDL', () => {
  it('serves the consumer with the given resolvers and records what it was asked', async () => {
    const forecaster = mockPlugin(
      'forecaster',
      {
        Query: { forecastKg: (_: unknown, a: { days: number }) => 100 * a.days },
        Supplier: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, name: `Supplier ${ref.id}` }) },
      },
      { typeDefs: forecastSdl },
    );
    await using kit = await createSubgraphTestkit(budget, { with: [forecaster] });
    expect(await kit.query('{ budget(supplierId: "s1") }')).toEqual({ budget: '1400 kg CO2e allowed' });
    expect(await kit.query('{ supplierName(id: "s9") }')).toEqual({ supplierName: 'Supplier s9' });
    expect(forecaster.callsOf('Query.forecastKg')).toEqual([
      { field: 'Query.forecastKg', args: { supplierId: 's1', days: 7 } },
    ]);
    expect(forecaster.calls.map((c) => c.field)).toEqual(['Query.forecastKg', 'Supplier.__resolveReference']);
  });

  it('a root field the test did not mock answers with an error naming it; @auth of the real SDL is enforced', async () => {
    const forecaster = mockPlugin(
      'forecaster',
      { Query: { forecastKg: () => 1 }, Mutation: { recordForecast: () => true } },
      { typeDefs: forecastSdl },
    );
    await using kit = await createSubgraphTestkit(budget, { with: [forecaster] });
    const r = await kit.execute('{ forecasterSays }');
    expect(r.errors?.[0].message).toBe(
      'call to plugin "forecaster" failed: mockPlugin("forecaster") has no resolver for Query.ping: give one in the test',
    );
    const denied = await kit.execute('{ record }', {}, { auth: { sub: 'v', roles: ['viewer'], supplierIds: null } });
    expect(denied.errors?.[0].message).toMatch(/call to plugin "forecaster" failed: .*analyst/);
    expect(await kit.query('{ record }', {}, { auth: { sub: 'a', roles: ['analyst'], supplierIds: null } })).toEqual({
      record: true,
    });
  });

  it('refuses resolvers for fields or types the peer does not have (the mock cannot drift)', () => {
    expect(() => mockPlugin('forecaster', { Query: { forecast: () => 1 } }, { typeDefs: forecastSdl })).toThrow(
      /mockPlugin\("forecaster"\): Query.forecast is not in forecaster's schema \(the given typeDefs\); Query has: forecastKg, ping/,
    );
    expect(() => mockPlugin('forecaster', { Hotspot: { id: () => 'x' } }, { typeDefs: forecastSdl })).toThrow(
      /type Hotspot is not in forecaster's schema/,
    );
  });

  it("finds a platform plugin's SDL by its id (@carbon-nexus/<id>/schema.graphql)", () => {
    const dataCore = mockPlugin('data-core', { Query: { emissionsSeries: () => [] } });
    expect(dataCore.id).toBe('data-core');
    expect(() => mockPlugin('data-core', { Query: { emissionSeries: () => [] } })).toThrow(
      /Query.emissionSeries is not in data-core's schema \(subgraphs\/data-core\/schema.graphql\)/,
    );
    expect(() => mockPlugin('no-such-plugin', {})).toThrow(
      /cannot find the SDL of package @carbon-nexus\/no-such-plugin/,
    );
  });
});

describe('inject and route encapsulation', () => {
  const hooked = definePlugin({
    id: 'hooked',
    routePrefix: '/hooked',
    typeDefs: gql`
      type Query {
        hello: String
      }
    `,
    resolvers: { Query: { hello: () => 'world' } },
    routes(app, services) {
      // A hook of the plugin's own: it must run for its routes only.
      app.addHook('onRequest', async (_req, reply) => {
        reply.header('x-hooked', services.pluginId);
      });
      app.get('/ping', async () => ({ pong: true }));
      app.post('/whoami', async (req) => ({ sub: (await services.authenticate(req))?.sub ?? null }));
    },
  });

  it('serves the plugin routes under its prefix without a port, and its hooks never reach /graphql or /healthz', async () => {
    await using kit = await createSubgraphTestkit(hooked);
    const ping = await kit.inject('/hooked/ping');
    expect(ping.statusCode).toBe(200);
    expect(ping.json()).toEqual({ pong: true });
    expect(ping.headers['x-hooked']).toBe('hooked');
    expect((await kit.inject('/ping')).statusCode).toBe(404);
    const gqlRes = await kit.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json' },
      payload: { query: '{ hello }' },
    });
    expect(gqlRes.json()).toEqual({ data: { hello: 'world' } });
    expect(gqlRes.headers['x-hooked']).toBeUndefined();
    const health = await kit.inject('/healthz');
    expect(health.statusCode).toBe(200);
    expect(health.headers['x-hooked']).toBeUndefined();
  });

  it('routes authenticate callers with services.authenticate (no process.env)', async () => {
    const { signDevToken } = await import('@carbon-nexus/plugin-sdk/testkit');
    await using kit = await createSubgraphTestkit(hooked);
    const token = await signDevToken({ sub: 'ana', roles: ['analyst'] });
    expect(
      (
        await kit.inject({ method: 'POST', url: '/hooked/whoami', headers: { authorization: `Bearer ${token}` } })
      ).json(),
    ).toEqual({ sub: 'ana' });
    expect((await kit.inject({ method: 'POST', url: '/hooked/whoami' })).json()).toEqual({ sub: null });
  });

  it('await using stops the plugin and closes its database at the end of the scope', async () => {
    let db;
    let rp;
    {
      await using kit = await createSubgraphTestkit(hooked);
      db = kit.db;
      rp = kit.host.plugins.get('hooked')!;
      expect(rp.phase).toBe('started');
      await db.query('SELECT 1');
    }
    expect(rp.phase).toBe('stopped');
    await expect(db.query('SELECT 1')).rejects.toThrow();
  });
});
