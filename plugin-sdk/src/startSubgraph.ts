// Runs one plugin as its own HTTP subgraph: GraphQL (Apollo Server + @apollo/subgraph), graphql-ws
// subscriptions, the plugin's own routes, /healthz, /readyz, /metrics. close() drains: no new connections and
// /readyz 503, in-flight requests answered, subscriptions closed with 1001, running jobs finished, plugins stopped.
import Fastify, { type FastifyInstance } from 'fastify';
import { ApolloServer } from '@apollo/server';
import type { AnyPlugin } from './plugin.ts';
import { createHost, type Host, type HostOptions } from './host/host.ts';
import { authConfigFromEnv, createTokenVerifier } from './services/auth.ts';
import { mountApollo } from './http/apollo-route.ts';
import { registerOpsRoutes } from './http/ops-routes.ts';
import { attachPluginSubscriptions } from './http/subscriptions.ts';
import { startTracing } from './services/tracing.ts';
import { trackHttpDrain } from './http/drain.ts';
import { formatErrorPolicy, exposeErrorStacks } from './http/error-policy.ts';
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
  // Above the gateway's GRAPHQL_BODY_LIMIT: whatever the gateway accepts, it can forward.
  const app = Fastify({ logger: false, bodyLimit: Number(env.SUBGRAPH_BODY_LIMIT ?? 64 * 1024 * 1024) });
  const drain = trackHttpDrain(app);
  const apollo = new ApolloServer<ResolverContext>({
    schema: rp.schema,
    introspection: true,
    csrfPrevention: true,
    // Our shutdown path (close() below, via exitOnShutdownSignals) drains first; Apollo's would stop at once and
    // re-raise the signal, cutting in-flight requests.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: exposeErrorStacks(env),
    formatError: formatErrorPolicy(env),
    // Compact JSON: Apollo's default indents every response (more CPU per gateway fetch, larger bodies).
    stringifyResult: (r) => JSON.stringify(r),
  });
  await apollo.start();
  mountApollo(app, '/graphql', apollo, { verify, name: plugin.id, logger: rp.services.logger, context: (scope) => rp.contextFor(scope) });
  registerOpsRoutes(app, {
    metrics: host.metrics,
    ready: async () => (drain.draining ? { ok: false, checks: { shuttingDown: true } } : host.ready()),
    info: { plugin: plugin.id },
  });
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
        drain.begin(); // no new connections; /readyz 503
        await subs.close(); // graphql-ws clients (the gateway) get 1001 "going away"
        await drain.settle({ maxMs: Number(env.SHUTDOWN_GRACE_MS ?? 10_000) }); // in-flight requests answered
        await app.close(); // closes what is left once its requests are done
        await apollo.stop();
        await host.stop(); // running jobs finish, plugins drain, outbox, bus, database
        await tracing.stop();
        host.logger.info({ plugin: plugin.id }, 'subgraph stopped');
      })();
      return closing;
    },
  };
}
