// The HTTP app of one plugin as its own subgraph: GraphQL (Apollo Server + @apollo/subgraph) at /graphql, /healthz,
// /readyz, /metrics and the plugin's routes. Built without listening, so startSubgraph serves it on a port and the
// testkit injects requests into it (Fastify inject) without one.
import Fastify, { type FastifyInstance } from 'fastify';
import { ApolloServer } from '@apollo/server';
import type { Host, RunningPlugin } from '../host/host.ts';
import type { ResolverContext } from '../plugin.ts';
import { authConfigFromEnv, createTokenVerifier, type TokenVerifier } from '../services/auth.ts';
import { mountApollo } from './apollo-route.ts';
import { registerOpsRoutes } from './ops-routes.ts';
import { trackHttpDrain, type HttpDrain } from './drain.ts';
import { exposeErrorStacks, formatErrorPolicy } from './error-policy.ts';
import { registerPluginRoutes } from './plugin-routes.ts';

export interface SubgraphApp {
  app: FastifyInstance;
  apollo: ApolloServer<ResolverContext>;
  drain: HttpDrain;
  verify: TokenVerifier;
}

export async function createSubgraphApp(
  host: Host,
  rp: RunningPlugin,
  env: Record<string, string | undefined>,
): Promise<SubgraphApp> {
  const verify = createTokenVerifier(authConfigFromEnv(env as NodeJS.ProcessEnv));
  // Above the gateway's GRAPHQL_BODY_LIMIT: whatever the gateway accepts, it can forward.
  const app = Fastify({ logger: false, bodyLimit: Number(env.SUBGRAPH_BODY_LIMIT ?? 64 * 1024 * 1024) });
  const drain = trackHttpDrain(app);
  const apollo = new ApolloServer<ResolverContext>({
    schema: rp.schema,
    introspection: true,
    csrfPrevention: true,
    // Our shutdown path (close() of startSubgraph, via exitOnShutdownSignals) drains first; Apollo's would stop at
    // once and re-raise the signal, cutting in-flight requests.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: exposeErrorStacks(env),
    formatError: formatErrorPolicy(env),
    // Compact JSON: Apollo's default indents every response (more CPU per gateway fetch, larger bodies).
    stringifyResult: (r) => JSON.stringify(r),
  });
  await apollo.start();
  mountApollo(app, '/graphql', apollo, {
    verify,
    name: rp.plugin.id,
    logger: rp.services.logger,
    context: (scope) => rp.contextFor(scope),
  });
  registerOpsRoutes(app, {
    metrics: host.metrics,
    ready: async () => (drain.draining ? { ok: false, checks: { shuttingDown: true } } : host.ready()),
    info: { plugin: rp.plugin.id },
  });
  await registerPluginRoutes(app, rp);
  return { app, apollo, drain, verify };
}
