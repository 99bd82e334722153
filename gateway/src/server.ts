// The gateway: Apollo gateway over the composed supergraph, served by Fastify with the explorer,
// the dashboard, health, metrics and (embedded) the plugins' own HTTP routes on one port.
import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { ApolloServer } from '@apollo/server';
import { ApolloGateway } from '@apollo/gateway';
import {
  authConfigFromEnv,
  createHost,
  createLogger,
  createMetrics,
  collectDefaultMetrics,
  boundedLabel,
  createTokenVerifier,
  mountApollo,
  registerOpsRoutes,
  trackHttpDrain,
  formatErrorPolicy,
  exposeErrorStacks,
  signDevToken,
  startTracing,
  withSpan,
  registerPluginRoutes,
  DEV_JWT_SECRET,
  ROLES,
  type AnyPlugin,
  type Host,
  type Logger,
  type RequestScope,
} from '@carbon-nexus/plugin-sdk';
import { composePlugins, gatewayDir, readCommittedSupergraph } from './compose.ts';
import { InProcessDataSource, ForwardingDataSource } from './data-sources.ts';
import { subgraphUnavailable } from './subgraph-errors.ts';
import type { GatewayContext } from './context.ts';
import { attachSubscriptions } from './subscriptions/index.ts';
import { limitsFromEnv, limitsPlugin } from './protection/limits.ts';
import { fastPathFromEnv, installFastPath } from './execution/http.ts';
import { inProcessGraphQL } from './execution/in-process.ts';
import { heapGrowthFromEnv, limitHeapGrowth } from './execution/heap.ts';
import { httpProtectionFromEnv, registerHttpProtection } from './protection/http.ts';
import { registerRestApi, trustedDocumentsFromEnv } from './rest/index.ts';
import { subgraphReadiness, type ReadyReport } from './readiness.ts';

/**
 * Default request body limit: the documented maximum requests must fit — a 5,000-event ingestEvents batch with
 * every field set and a 10,000-row predictBatch are each a few MB (see docs/security.md).
 */
export const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;

export const webDistDir = path.resolve(gatewayDir, '../web/dist');

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

function bodyLimitFromEnv(env: Record<string, string | undefined>): number {
  const raw = env.GRAPHQL_BODY_LIMIT;
  if (raw === undefined || raw === '') return DEFAULT_BODY_LIMIT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1024)
    throw new Error(`GRAPHQL_BODY_LIMIT: must be a number of bytes >= 1024 (got "${raw}")`);
  return n;
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
  const plugins = opts.plugins ?? [];
  let host: Host | null = null;
  if (plugins.length) {
    host = createHost({ plugins, mode: 'embedded', env, logger, metrics, remote: opts.subgraphUrls, ...opts.host });
    await host.start();
  }
  const supergraphSdl =
    opts.supergraphSdl ??
    (plugins.length && !opts.subgraphUrls ? composePlugins(plugins).supergraphSdl : readCommittedSupergraph());
  if (!supergraphSdl) throw new Error('no supergraph: run `npm run compose` first');

  const fetchSeconds = metrics.histogram('subgraph_fetch_seconds', 'Gateway -> subgraph fetch duration', ['subgraph']);
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => {
      const local = host?.plugins.get(name);
      const ds = local
        ? new InProcessDataSource(local)
        : new ForwardingDataSource({ url: opts.subgraphUrls?.[name] ?? url });
      const process = ds.process.bind(ds);
      ds.process = async (o: any) => {
        const end = fetchSeconds.startTimer({ subgraph: name });
        try {
          return await withSpan(`subgraph ${name}`, () => process(o), {
            kind: 'client',
            attributes: { 'carbon_nexus.subgraph': name },
          });
        } catch (err) {
          throw subgraphUnavailable(name, err); // partial data: the other subgraphs' fields still answer
        } finally {
          end();
        }
      };
      return ds;
    },
  });

  const verify = createTokenVerifier(authConfigFromEnv(env as NodeJS.ProcessEnv));
  // Trusted documents (TRUSTED_DOCUMENTS=off|log|enforce) gate /graphql, graphql-ws and SSE; REST runs only them.
  const trusted = trustedDocumentsFromEnv(env, logger, metrics);
  const opSeconds = metrics.histogram('graphql_operation_seconds', 'Gateway operation duration', ['operation', 'type']);
  // Operation names come from clients: past METRICS_MAX_OPERATIONS distinct names, new ones are counted as "other".
  const operationLabel = boundedLabel(Number(env.METRICS_MAX_OPERATIONS ?? 500));
  const limits = limitsFromEnv(env);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: env.GRAPHQL_INTROSPECTION !== 'false',
    csrfPrevention: true,
    // close() below drains first (exitOnShutdownSignals calls it); Apollo's own handler would stop at once and
    // re-raise the signal, cutting in-flight requests.
    stopOnTerminationSignals: false,
    // Explicit, never from NODE_ENV: Apollo shows stacks whenever NODE_ENV is unset.
    includeStacktraceInErrorResponses: exposeErrorStacks(env),
    // No stacks from subgraphs either, a lost database connection as one clear error, no internal addresses.
    formatError: formatErrorPolicy(env),
    // Compact JSON: Apollo's default indents every response (more CPU per request, larger bodies).
    stringifyResult: (r) => JSON.stringify(r),
    plugins: [
      limitsPlugin(limits),
      {
        async requestDidStart() {
          const t = performance.now();
          return {
            async willSendResponse(rc) {
              opSeconds.observe(
                {
                  operation: operationLabel(rc.operationName ?? 'anonymous'),
                  type: rc.operation?.operation ?? 'unknown',
                },
                (performance.now() - t) / 1000,
              );
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  const bodyLimit = bodyLimitFromEnv(env);
  const app = Fastify({ logger: false, bodyLimit });
  const drain = trackHttpDrain(app);
  // A body over the limit gets an answer that says what the limit is (Fastify's own says only "too large"). Rewritten
  // on the way out, so every other error keeps its own handling (rate limits, REST problem+json).
  app.addHook('onSend', async (_req, reply, payload) => {
    if (reply.statusCode !== 413 || typeof payload !== 'string' || !payload.includes('FST_ERR_CTP_BODY_TOO_LARGE'))
      return payload;
    const mib = Math.round((bodyLimit / 1024 / 1024) * 10) / 10;
    reply.header('content-type', 'application/json; charset=utf-8');
    return JSON.stringify({
      errors: [
        {
          message: `request body is larger than ${bodyLimit} bytes (${mib} MiB, GRAPHQL_BODY_LIMIT)`,
          extensions: { code: 'PAYLOAD_TOO_LARGE', limitBytes: bodyLimit },
        },
      ],
    });
  });
  const explorerHtml = path.join(webDistDir, 'explorer.html');
  // GraphiQL, bundled locally (no CDN), for browsers asking for HTML at /graphql.
  app.addHook('onRequest', async (req, reply) => {
    if (
      req.method === 'GET' &&
      req.url.split('?')[0] === '/graphql' &&
      String(req.headers.accept ?? '').includes('text/html')
    ) {
      if (fs.existsSync(explorerHtml)) return reply.type('text/html').send(fs.createReadStream(explorerHtml));
      return reply.type('text/html').send('<p>The explorer is not built: run <code>npm run build</code>.</p>');
    }
  });
  await registerHttpProtection(app, httpProtectionFromEnv(env), verify);
  // Queries on POST /graphql: cached plan, compiled executor and shaper, identical in-flight queries sharing one
  // execution; whatever else reaches /graphql goes on to the Apollo route (execution/http.ts).
  const fastPathRequests = metrics.counter(
    'graphql_fast_path_requests_total',
    'POST /graphql requests by how they were answered: fast (own execution), shared (an identical in-flight one), fallback (the Apollo route)',
    ['outcome'],
  );
  const byOutcome = {
    fast: fastPathRequests.labels('fast'),
    shared: fastPathRequests.labels('shared'),
    fallback: fastPathRequests.labels('fallback'),
  };
  const fastPath = installFastPath(app, {
    apollo,
    gateway,
    verify,
    limits,
    logger,
    ...fastPathFromEnv(env),
    observe: (name, type, seconds) =>
      opSeconds.observe({ operation: operationLabel(name ?? 'anonymous'), type }, seconds),
    count: (outcome) => byOutcome[outcome].inc(),
  });
  const apolloRoute = {
    verify,
    name: 'gateway',
    logger,
    context: (scope: RequestScope) => ({ auth: scope.auth, correlationId: scope.correlationId }),
  };
  mountApollo(app, '/graphql', apollo, apolloRoute);
  const remoteReady = subgraphReadiness({
    urls: Object.fromEntries(Object.entries(opts.subgraphUrls ?? {}).filter(([name]) => !host?.plugins.has(name))),
    cacheMs: Number(env.READY_CACHE_MS ?? 2000),
    requireAll: env.READY_REQUIRE_ALL_SUBGRAPHS === 'true',
  });
  registerOpsRoutes(app, {
    metrics,
    ready: async (): Promise<ReadyReport> => {
      if (drain.draining) return { ok: false, checks: { shuttingDown: true } };
      const [local, remote] = await Promise.all([host ? host.ready() : { ok: true, checks: {} }, remoteReady()]);
      return {
        ok: local.ok && remote.ok,
        checks: { ...local.checks, ...remote.checks },
        ...(remote.degraded ? { degraded: remote.degraded } : {}),
      };
    },
    info: { service: 'gateway', subgraphs: host?.order ?? Object.keys(opts.subgraphUrls ?? {}) },
  });

  // Development sign-in: only while the well-known dev secret is in use.
  const devAuth = (env.JWT_SECRET ?? DEV_JWT_SECRET) === DEV_JWT_SECRET && !env.JWT_JWKS_URL;
  app.post('/auth/dev-token', async (req, reply) => {
    if (!devAuth)
      return reply.code(404).send({ error: 'dev sign-in is disabled when JWT_SECRET or JWT_JWKS_URL is set' });
    const body = (req.body ?? {}) as { role?: string; sub?: string; supplierIds?: string[] };
    const role = body.role ?? 'viewer';
    if (!(ROLES as readonly string[]).includes(role))
      return reply.code(400).send({ error: `role must be one of ${ROLES.join(', ')}` });
    return {
      token: await signDevToken({
        sub: body.sub ?? `dev-${role}`,
        roles: [role],
        supplierIds: body.supplierIds ?? null,
      }),
      role,
    };
  });

  // Each plugin's routes in its own encapsulated context: a plugin's hooks never reach /graphql or another plugin.
  if (host) for (const id of host.order) await registerPluginRoutes(app, host.plugins.get(id)!);

  if ((opts.serveWeb ?? true) && fs.existsSync(path.join(webDistDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: webDistDir, prefix: '/', index: ['index.html'], wildcard: false });
    // Client-side routes fall back to the dashboard.
    app.setNotFoundHandler((req, reply) => {
      if (req.method === 'GET' && String(req.headers.accept ?? '').includes('text/html'))
        return reply.sendFile('index.html');
      return reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` });
    });
  }

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
  const port = opts.port ?? Number(env.PORT ?? 4000);
  await app.listen({ port, host: opts.hostname ?? env.HOST ?? '127.0.0.1' });
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  let closing: Promise<void> | null = null;
  return {
    app,
    host,
    port: actualPort,
    url: `http://${opts.hostname ?? env.HOST ?? '127.0.0.1'}:${actualPort}`,
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
