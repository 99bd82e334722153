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
  signDevToken,
  startTracing,
  withSpan,
  DEV_JWT_SECRET,
  ROLES,
  type AnyPlugin,
  type Host,
  type Logger,
} from '@carbon-nexus/plugin-sdk';
import { composePlugins, gatewayDir, readCommittedSupergraph } from './compose.ts';
import { InProcessDataSource, ForwardingDataSource } from './data-sources.ts';
import { subgraphUnavailable } from './subgraph-errors.ts';
import type { GatewayContext } from './context.ts';
import { attachSubscriptions } from './subscriptions/index.ts';
import { limitsFromEnv, limitsPlugin } from './protection/limits.ts';
import { httpProtectionFromEnv, registerHttpProtection } from './protection/http.ts';

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

export async function startGateway(opts: GatewayOptions): Promise<GatewayServer> {
  const env = opts.env ?? process.env;
  const logger = opts.logger ?? createLogger({ name: 'gateway' });
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
    opts.supergraphSdl ?? (plugins.length && !opts.subgraphUrls ? composePlugins(plugins).supergraphSdl : readCommittedSupergraph());
  if (!supergraphSdl) throw new Error('no supergraph: run `npm run compose` first');

  const fetchSeconds = metrics.histogram('subgraph_fetch_seconds', 'Gateway -> subgraph fetch duration', ['subgraph']);
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => {
      const local = host?.plugins.get(name);
      const ds = local ? new InProcessDataSource(local) : new ForwardingDataSource({ url: opts.subgraphUrls?.[name] ?? url });
      const process = ds.process.bind(ds);
      ds.process = async (o: any) => {
        const end = fetchSeconds.startTimer({ subgraph: name });
        try {
          return await withSpan(`subgraph ${name}`, () => process(o), { kind: 'client', attributes: { 'carbon_nexus.subgraph': name } });
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
  const opSeconds = metrics.histogram('graphql_operation_seconds', 'Gateway operation duration', ['operation', 'type']);
  // Operation names come from clients: past METRICS_MAX_OPERATIONS distinct names, new ones are counted as "other".
  const operationLabel = boundedLabel(Number(env.METRICS_MAX_OPERATIONS ?? 500));
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: env.GRAPHQL_INTROSPECTION !== 'false',
    csrfPrevention: true,
    includeStacktraceInErrorResponses: env.GRAPHQL_STACKTRACES === 'true',
    // Compact JSON: Apollo's default indents every response (more CPU per request, larger bodies).
    stringifyResult: (r) => JSON.stringify(r),
    plugins: [
      limitsPlugin(limitsFromEnv(env)),
      {
        async requestDidStart() {
          const t = performance.now();
          return {
            async willSendResponse(rc) {
              opSeconds.observe(
                { operation: operationLabel(rc.operationName ?? 'anonymous'), type: rc.operation?.operation ?? 'unknown' },
                (performance.now() - t) / 1000,
              );
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  const app = Fastify({ logger: false, bodyLimit: Number(env.GRAPHQL_BODY_LIMIT ?? 1024 * 1024) });
  const explorerHtml = path.join(webDistDir, 'explorer.html');
  // GraphiQL, bundled locally (no CDN), for browsers asking for HTML at /graphql.
  app.addHook('onRequest', async (req, reply) => {
    if (req.method === 'GET' && req.url.split('?')[0] === '/graphql' && String(req.headers.accept ?? '').includes('text/html')) {
      if (fs.existsSync(explorerHtml)) return reply.type('text/html').send(fs.createReadStream(explorerHtml));
      return reply.type('text/html').send('<p>The explorer is not built: run <code>npm run build</code>.</p>');
    }
  });
  await registerHttpProtection(app, httpProtectionFromEnv(env), verify);
  mountApollo(app, '/graphql', apollo, { verify, name: 'gateway', logger, context: (scope) => ({ auth: scope.auth, correlationId: scope.correlationId }) });
  registerOpsRoutes(app, {
    metrics,
    ready: async () => (host ? host.ready() : { ok: true, checks: {} }),
    info: { service: 'gateway', subgraphs: host?.order ?? Object.keys(opts.subgraphUrls ?? {}) },
  });

  // Development sign-in: only while the well-known dev secret is in use.
  const devAuth = (env.JWT_SECRET ?? DEV_JWT_SECRET) === DEV_JWT_SECRET && !env.JWT_JWKS_URL;
  app.post('/auth/dev-token', async (req, reply) => {
    if (!devAuth) return reply.code(404).send({ error: 'dev sign-in is disabled when JWT_SECRET or JWT_JWKS_URL is set' });
    const body = (req.body ?? {}) as { role?: string; sub?: string; supplierIds?: string[] };
    const role = body.role ?? 'viewer';
    if (!(ROLES as readonly string[]).includes(role)) return reply.code(400).send({ error: `role must be one of ${ROLES.join(', ')}` });
    return { token: await signDevToken({ sub: body.sub ?? `dev-${role}`, roles: [role], supplierIds: body.supplierIds ?? null }), role };
  });

  if (host) for (const id of host.order) {
    const rp = host.plugins.get(id)!;
    await rp.plugin.routes?.(app, rp.services, rp.state);
  }

  if ((opts.serveWeb ?? true) && fs.existsSync(path.join(webDistDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: webDistDir, prefix: '/', index: ['index.html'], wildcard: false });
    // Client-side routes fall back to the dashboard.
    app.setNotFoundHandler((req, reply) => {
      if (req.method === 'GET' && String(req.headers.accept ?? '').includes('text/html')) return reply.sendFile('index.html');
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
        await subscriptions.close(); // drain subscriptions first: clients get a clean close
        await app.close();
        await apollo.stop();
        await host?.stop();
        await tracing.stop();
      })();
      return closing;
    },
  };
}
