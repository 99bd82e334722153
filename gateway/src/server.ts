// The gateway: Apollo gateway over the composed supergraph, served by Fastify with the explorer,
// the dashboard, health, metrics and (embedded) the plugins' own HTTP routes on one port.
// startGateway reads as the start-up sequence; each step lives in the module named for it.
import type { FastifyInstance } from 'fastify';
import type { ApolloGateway } from '@apollo/gateway';
import type { ApolloServer } from '@apollo/server';
import {
  authConfigFromEnv,
  createHost,
  createLogger,
  createMetrics,
  collectDefaultMetrics,
  createTokenVerifier,
  mountApollo,
  registerOpsRoutes,
  trackHttpDrain,
  startTracing,
  registerPluginRoutes,
  type AnyPlugin,
  type Host,
  type Logger,
  type Metrics,
  type RequestScope,
  type TokenVerifier,
} from '@carbon-nexus/plugin-sdk';
import { composePlugins, readCommittedSupergraph } from './compose.ts';
import type { GatewayContext } from './context.ts';
import { attachSubscriptions } from './subscriptions/index.ts';
import { limitsFromEnv, type LimitOptions } from './protection/limits.ts';
import { fastPathFromEnv, installFastPath, type FastPath } from './execution/http.ts';
import { inProcessGraphQL } from './execution/in-process.ts';
import { heapGrowthFromEnv, limitHeapGrowth } from './execution/heap.ts';
import { httpProtectionFromEnv, registerHttpProtection } from './protection/http.ts';
import { registerRestApi, trustedDocumentsFromEnv } from './rest/index.ts';
import { subgraphReadiness, type ReadyReport } from './readiness.ts';
import { createFederatedGateway, operationMetrics, startApolloServer, type ObserveOperation } from './federation.ts';
import { createHttpApp, registerDevSignIn, serveDashboard } from './http/app.ts';

export { DEFAULT_BODY_LIMIT, webDistDir } from './http/app.ts';

export interface GatewayOptions {
  /** Embedded: these plugins run in this process. */
  plugins?: AnyPlugin[];
  /** Distributed: subgraph name -> URL (plugins not running here). */
  subgraphUrls?: Record<string, string>;
  /** Supergraph SDL; default: composed from `plugins` (embedded) or the committed file. */
  supergraphSdl?: string;
  port?: number;
  hostname?: string;
  env?: Record<string, string | undefined>;
  logger?: Logger;
  /** Host options passed through (tests use a prepared database). */
  host?: Partial<Parameters<typeof createHost>[0]>;
  /** Serve web/dist at / (default true when it exists). */
  serveWeb?: boolean;
}

export interface GatewayServer {
  app: FastifyInstance;
  host: Host | null;
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startGateway(opts: GatewayOptions): Promise<GatewayServer> {
  const env = opts.env ?? process.env;
  const logger = opts.logger ?? createLogger({ name: 'gateway' });
  // A bounded heap growth: memory near plain Apollo's under load, for a little collection CPU (execution/heap.ts).
  limitHeapGrowth(heapGrowthFromEnv(env));
  // OpenTelemetry when OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise nothing is loaded.
  const tracing = await startTracing(env, 'carbon-nexus-gateway');
  const metrics = createMetrics();
  collectDefaultMetrics(metrics.registry);

  const host = await startEmbeddedPlugins(opts, env, logger, metrics);
  const supergraphSdl = supergraphOf(opts);
  const gateway = createFederatedGateway({ supergraphSdl, host, subgraphUrls: opts.subgraphUrls, metrics });
  const verify = createTokenVerifier(authConfigFromEnv(env as NodeJS.ProcessEnv));
  // Trusted documents (TRUSTED_DOCUMENTS=off|log|enforce) gate /graphql, graphql-ws and SSE; REST runs only them.
  const trusted = trustedDocumentsFromEnv(env, logger, metrics);
  const observe = operationMetrics(metrics, env);
  const limits = limitsFromEnv(env);
  const apollo = await startApolloServer({ gateway, env, limits, observe });

  const app = createHttpApp(env);
  const drain = trackHttpDrain(app);
  await registerHttpProtection(app, httpProtectionFromEnv(env), verify);
  const fastPath = installGraphQLFastPath(app, { apollo, gateway, verify, limits, logger, env, metrics, observe });
  const apolloRoute = {
    verify,
    name: 'gateway',
    logger,
    context: (scope: RequestScope) => ({ auth: scope.auth, correlationId: scope.correlationId }),
  };
  mountApollo(app, '/graphql', apollo, apolloRoute);
  registerOpsRoutes(app, {
    metrics,
    ready: readiness(opts, env, host, () => drain.draining),
    info: { service: 'gateway', subgraphs: host?.order ?? Object.keys(opts.subgraphUrls ?? {}) },
  });
  registerDevSignIn(app, env);
  // Each plugin's routes in its own encapsulated context: a plugin's hooks never reach /graphql or another plugin.
  if (host) for (const id of host.order) await registerPluginRoutes(app, host.plugins.get(id)!);
  if (opts.serveWeb ?? true) await serveDashboard(app);

  // Before listen: SSE routes must be registered first; graphql-ws shares app.server.
  const subscriptions = await attachSubscriptions({
    app,
    gateway,
    supergraphSdl,
    host,
    subgraphUrls: opts.subgraphUrls ?? {},
    verify,
    logger,
    metrics,
    env,
    admitDocument: (p) => trusted.admit(p),
  });
  // REST + OpenAPI from operations/*.graphql at /api/v1, executed through the same Apollo gateway.
  await registerRestApi(app, {
    apollo,
    engine: subscriptions.engine,
    trusted,
    verify,
    env,
    logger,
    metrics,
    runGraphQL: inProcessGraphQL(fastPath, apollo, apolloRoute),
  });
  const hostname = opts.hostname ?? env.HOST ?? '127.0.0.1';
  const port = await listen(app, opts.port ?? Number(env.PORT ?? 4000), hostname);
  let closing: Promise<void> | null = null;
  return {
    app,
    host,
    port,
    url: `http://${hostname}:${port}`,
    close() {
      closing ??= (async () => {
        drain.begin(); // no new connections, /readyz 503; requests already sent on open connections are still served
        await subscriptions.close(); // graphql-ws clients get 1001 "going away", SSE streams `complete`
        await drain.settle({ maxMs: Number(env.SHUTDOWN_GRACE_MS ?? 10_000) }); // in-flight requests answered
        await app.close(); // closes idle connections, waits for requests still running (e.g. a CSV upload)
        await apollo.stop();
        await host?.stop(); // running jobs finish, plugins drain, outbox relay, bus, database
        await tracing.stop();
        logger.info('gateway stopped');
      })();
      return closing;
    },
  };
}

/** Embedded plugins started in this process (none in a gateway-only deployment). */
async function startEmbeddedPlugins(
  opts: GatewayOptions,
  env: Record<string, string | undefined>,
  logger: Logger,
  metrics: Metrics,
): Promise<Host | null> {
  const plugins = opts.plugins ?? [];
  if (!plugins.length) return null;
  const host = createHost({ plugins, mode: 'embedded', env, logger, metrics, remote: opts.subgraphUrls, ...opts.host });
  await host.start();
  return host;
}

/** The supergraph: given, composed from the embedded plugins, or the committed file (remote subgraphs). */
function supergraphOf(opts: GatewayOptions): string {
  const plugins = opts.plugins ?? [];
  const sdl =
    opts.supergraphSdl ??
    (plugins.length && !opts.subgraphUrls ? composePlugins(plugins).supergraphSdl : readCommittedSupergraph());
  if (!sdl) throw new Error('no supergraph: run `npm run compose` first');
  return sdl;
}

/**
 * Queries on POST /graphql: cached plan, compiled executor and shaper, identical in-flight queries sharing one
 * execution; whatever else reaches /graphql goes on to the Apollo route (execution/http.ts). Install before the
 * Apollo route is mounted.
 */
function installGraphQLFastPath(
  app: FastifyInstance,
  o: {
    apollo: ApolloServer<GatewayContext>;
    gateway: ApolloGateway;
    verify: TokenVerifier;
    limits: LimitOptions;
    logger: Logger;
    env: Record<string, string | undefined>;
    metrics: Metrics;
    observe: ObserveOperation;
  },
): FastPath {
  const requests = o.metrics.counter(
    'graphql_fast_path_requests_total',
    'POST /graphql requests by how they were answered: fast (own execution), shared (an identical in-flight one), fallback (the Apollo route)',
    ['outcome'],
  );
  const byOutcome = {
    fast: requests.labels('fast'),
    shared: requests.labels('shared'),
    fallback: requests.labels('fallback'),
  };
  return installFastPath(app, {
    apollo: o.apollo,
    gateway: o.gateway,
    verify: o.verify,
    limits: o.limits,
    logger: o.logger,
    ...fastPathFromEnv(o.env),
    observe: o.observe,
    count: (outcome) => byOutcome[outcome].inc(),
  });
}

/** /readyz: the embedded plugins and the remote subgraphs (cached), not ready while draining. */
function readiness(
  opts: GatewayOptions,
  env: Record<string, string | undefined>,
  host: Host | null,
  draining: () => boolean,
): () => Promise<ReadyReport> {
  const remoteReady = subgraphReadiness({
    urls: Object.fromEntries(Object.entries(opts.subgraphUrls ?? {}).filter(([name]) => !host?.plugins.has(name))),
    cacheMs: Number(env.READY_CACHE_MS ?? 2000),
    requireAll: env.READY_REQUIRE_ALL_SUBGRAPHS === 'true',
  });
  return async () => {
    if (draining()) return { ok: false, checks: { shuttingDown: true } };
    const [local, remote] = await Promise.all([host ? host.ready() : { ok: true, checks: {} }, remoteReady()]);
    return {
      ok: local.ok && remote.ok,
      checks: { ...local.checks, ...remote.checks },
      ...(remote.degraded ? { degraded: remote.degraded } : {}),
    };
  };
}

/** Listens and returns the port actually bound (port 0 picks a free one). */
async function listen(app: FastifyInstance, port: number, hostname: string): Promise<number> {
  await app.listen({ port, host: hostname });
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : port;
}
