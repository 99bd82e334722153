// startTestPlatform: the gateway and plugins in-process on a fresh database, cleaned up by disposal (`await using`):
// no afterAll, no open port, no open database afterwards. Plugin routes keep their hooks to themselves here too.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { definePlugin, gql, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import { startTestPlatform } from '@carbon-nexus/gateway/testkit';

const greeter = definePlugin({
  id: 'greeter',
  routePrefix: '/greeter',
  typeDefs: gql`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Query {
      greeting(name: String!): String!
      me: String
    }
  `,
  resolvers: {
    Query: {
      greeting: (_: unknown, a: { name: string }) => `hello ${a.name}`,
      me: (_: unknown, __: unknown, ctx: ResolverContext) => ctx.auth?.sub ?? null,
    },
  },
  routes(app) {
    app.addHook('onRequest', async (_req, reply) => {
      reply.header('x-greeter-hook', 'ran');
    });
    app.get('/hello', async () => ({ hello: 'route' }));
  },
});

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

describe('startTestPlatform', () => {
  it('serves the plugins through the gateway and cleans everything up at the end of the scope', async () => {
    const cleaned: string[] = [];
    let port = 0;
    let db;
    {
      await using platform = await startTestPlatform({ plugins: [greeter] });
      port = platform.gateway.port;
      db = platform.db;
      platform.defer(() => void cleaned.push('first deferred'));
      platform.defer(() => void cleaned.push('last deferred'));
      expect(await platform.graphql('query($n: String!) { greeting(name: $n) }', { n: 'ada' })).toEqual({
        data: { greeting: 'hello ada' },
      });
      expect(await platform.graphql('{ me }', {}, { role: 'analyst' })).toEqual({ data: { me: 'test-analyst' } });
      expect(platform.host.plugins.get('greeter')!.phase).toBe('started');
      // The plugin's route hook runs for its routes only, not for the gateway's /graphql.
      const route = await fetch(`${platform.url}/greeter/hello`);
      expect(await route.json()).toEqual({ hello: 'route' });
      expect(route.headers.get('x-greeter-hook')).toBe('ran');
      const graphqlRes = await fetch(platform.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ greeting(name: "x") }' }),
      });
      expect(graphqlRes.status).toBe(200);
      expect(graphqlRes.headers.get('x-greeter-hook')).toBeNull();
      expect(await portOpen(port)).toBe(true);
    }
    expect(cleaned).toEqual(['last deferred', 'first deferred']);
    expect(await portOpen(port)).toBe(false);
    await expect(db!.query('SELECT 1')).rejects.toThrow();
  }, 180_000); // a platform start (database, migrations, gateway): 10 s alone, much more on a loaded 2-core runner

  it('a failed cleanup is reported after everything else was still closed', async () => {
    const platform = await startTestPlatform({ plugins: [greeter] });
    const port = platform.gateway.port;
    platform.defer(() => {
      throw new Error('client would not close');
    });
    await expect(platform[Symbol.asyncDispose]()).rejects.toThrow('test platform: 1 cleanup(s) failed');
    expect(await portOpen(port)).toBe(false);
    await expect(platform.db.query('SELECT 1')).rejects.toThrow();
  }, 180_000);
});
