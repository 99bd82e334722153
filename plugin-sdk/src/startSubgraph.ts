// Runs one plugin as its own HTTP subgraph: GraphQL (Apollo Server + @apollo/subgraph), graphql-ws
// subscriptions, the plugin's own routes, /healthz, /readyz, /metrics. Graceful shutdown: drain, then stop.
import Fastify, { type FastifyInstance } from 'fastify';
import { ApolloServer } from '@apollo/server';
import type { AnyPlugin } from './plugin.ts';
import { createHost, type Host, type HostOptions } from './host/host.ts';
import { authConfigFromEnv, createTokenVerifier } from './services/auth.ts';
import { mountApollo } from './http/apollo-route.ts';
import { registerOpsRoutes } from './http/ops-routes.ts';
import { attachPluginSubscriptions } from './http/subscriptions.ts';
import { startTracing } from './services/tracing.ts';
import type { ResolverContext } from './plugin.ts';

export interface SubgraphServer {
  url: string;
  port: number;
  host: Host;
  app: FastifyInstance;
  close(): Promise<void>;
}

export interface StartSubgraphOptions extends Omit<HostOptions, 'plugins' | 'mode'> {
  port?: number;
  hostname?: string;
  /** Other plugins to run in the same process (rare; default none). */
  with?: AnyPlugin[];
}

export async function startSubgraph(plugin: AnyPlugin, opts: StartSubgraphOptions = {}): Promise<SubgraphServer> {
  const env = opts.env ?? process.env;
  const tracing = await startTracing(env, `carbon-nexus-${plugin.id}`);
  const host = createHost({ ...opts, plugins: [plugin, ...(opts.with ?? [])], mode: 'standalone' });
  await host.start();
  const rp = host.plugins.get(plugin.id)!;
  const verify = createTokenVerifier(authConfigFromEnv(env as NodeJS.ProcessEnv));
  const app = Fastify({ logger: false, bodyLimit: 50 * 1024 * 1024 });
  const apollo = new ApolloServer<ResolverContext>({
    schema: rp.schema,
    introspection: true,
    csrfPrevention: true,
    // Compact JSON: Apollo's default indents every response (more CPU per gateway fetch, larger bodies).
    stringifyResult: (r) => JSON.stringify(r),
  });
  await apollo.start();
  mountApollo(app, '/graphql', apollo, { verify, name: plugin.id, logger: rp.services.logger, context: (scope) => rp.contextFor(scope) });
  registerOpsRoutes(app, { metrics: host.metrics, ready: () => host.ready(), info: { plugin: plugin.id } });
  await plugin.routes?.(app, rp.services, rp.state);
  const port = opts.port ?? Number(env.PORT ?? 0);
  await app.listen({ port, host: opts.hostname ?? env.HOST ?? '127.0.0.1' });
  const subs = attachPluginSubscriptions(app.server, '/graphql', rp, verify);
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${opts.hostname ?? '127.0.0.1'}:${actualPort}/graphql`;
  host.logger.info({ plugin: plugin.id, url }, 'subgraph listening');
  let closing: Promise<void> | null = null;
  return {
    url,
    port: actualPort,
    host,
    app,
    close() {
      closing ??= (async () => {
        await subs.close();
        await app.close(); // stops accepting, waits for in-flight requests
        await apollo.stop();
        await host.stop();
        await tracing.stop();
      })();
      return closing;
    },
  };
}
