// The kernel that runs plugins: builds their services, starts them in dependency order,
// executes their subgraph schemas in-process, and stops them in reverse order.
import {
  GraphQLError,
  parse,
  subscribe,
  validate,
  specifiedRules,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { Database } from '@carbon-nexus/db';
import type { AnyPlugin, PluginServices, ResolverContext } from '../plugin.ts';
import { createBus, type Bus } from '../services/bus.ts';
import { createLogger, type Logger } from '../services/logger.ts';
import { collectDefaultMetrics, createMetrics, type Metrics } from '../services/metrics.ts';
import { createScheduler, schedulerRetryFromEnv, type Scheduler } from '../services/scheduler.ts';
import { mapDatabaseErrors } from '../http/error-policy.ts';
import { createCallRegistry, type CallRegistry } from '../services/call.ts';
import { createAuditWriter } from '../services/audit.ts';
import { withSpan } from '../services/tracing.ts';
import { createOutboxRelay, type OutboxRelay } from '../services/outbox.ts';
import { authConfigFromEnv, DEV_JWT_SECRET, signDevToken } from '../services/auth.ts';
import {
  currentScope,
  iterateInScope,
  runInScope,
  SYSTEM_CLAIMS,
  type AuthClaims,
  type RequestScope,
} from '../context.ts';
import { parsePluginConfig } from '../config.ts';
import { PluginStartError } from '../errors.ts';
import { startOrder } from './order.ts';
import { createExecutor, executorKindFromEnv } from './executor.ts';
import { enforceAuth, extractAuthRules } from '../authz/directive.ts';
import { createLifecycle, type PluginLifecycle, type PluginPhase } from '../lifecycle/lifecycle.ts';
import { pluginBus } from '../lifecycle/plugin-bus.ts';
import { createTokenVerifier } from '../services/auth.ts';
import { claimsOf } from '../http/apollo-route.ts';

/** With AUTH_ANONYMOUS_READ=false, queries and subscriptions without an @auth rule need a signed-in caller. */
const SIGNED_IN_ROOTS = { types: ['Query', 'Subscription'], roles: [] } as const;

export interface RunningPlugin {
  plugin: AnyPlugin;
  schema: GraphQLSchema;
  services: PluginServices<any>;
  state: unknown;
  /** starting -> started -> draining -> stopped. */
  readonly phase: PluginPhase;
  lifecycle: PluginLifecycle;
  /** Executes an operation against this plugin's schema in the given (or current) scope. */
  execute(
    document: DocumentNode | string,
    variables?: Record<string, unknown>,
    scope?: Partial<RequestScope>,
  ): Promise<ExecutionResult>;
  /** Subscribes (AsyncIterable of results) or returns a single error result. */
  subscribe(
    document: DocumentNode | string,
    variables?: Record<string, unknown>,
    scope?: Partial<RequestScope>,
  ): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;
  contextFor(scope: RequestScope): ResolverContext;
}

export interface HostOptions {
  plugins: AnyPlugin[];
  mode?: 'embedded' | 'standalone';
  /** An existing database; otherwise DATABASE_URL (PostgreSQL) or PGlite at DATA_DIR (default in memory). */
  db?: Database;
  /** An existing bus; otherwise BUS_URL / REDIS_URL, else in-memory. */
  bus?: Bus;
  env?: Record<string, string | undefined>;
  logger?: Logger;
  metrics?: Metrics;
  /** Plugins running elsewhere: id -> GraphQL URL. Defaults from CARBON_NEXUS_SUBGRAPH_<ID>_URL. */
  remote?: Record<string, string>;
  /** Run cron jobs (default true; tests usually turn it off and call runJob). */
  scheduler?: boolean;
  /** Apply migrations at start (default true). */
  migrate?: boolean;
  /** How long a stopping plugin waits for its tracked in-flight work (default PLUGIN_DRAIN_SECONDS, else 30 s). */
  drainTimeoutMs?: number;
}

export interface Host {
  db: Database;
  bus: Bus;
  /** Durable events: written in the caller's transaction, relayed to the bus (retrying while it is down). */
  outbox: OutboxRelay;
  logger: Logger;
  metrics: Metrics;
  calls: CallRegistry;
  plugins: Map<string, RunningPlugin>;
  /** Plugins in start order. */
  order: string[];
  start(): Promise<void>;
  stop(): Promise<void>;
  ready(): Promise<{ ok: boolean; checks: Record<string, boolean> }>;
  runJob(pluginId: string, job: string): Promise<void>;
}

export function remoteUrlsFromEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    const m = /^CARBON_NEXUS_SUBGRAPH_([A-Z0-9_]+)_URL$/.exec(k);
    if (m && v) out[m[1].toLowerCase().replace(/_/g, '-')] = v;
  }
  return out;
}

/** The bus URL a process is configured with; `memory` (or `memory://`) asks for the in-process bus explicitly. */
export function busUrlFromEnv(env: Record<string, string | undefined>): string | undefined {
  const url = env.BUS_URL ?? env.REDIS_URL;
  return url && !/^memory(:\/\/)?$/.test(url) ? url : undefined;
}

/**
 * A process that shares the platform with others (some plugins elsewhere: CARBON_NEXUS_SUBGRAPH_<ID>_URL) needs a
 * shared bus: with an in-memory one, events published here never reach the other processes — silently. Refuse.
 */
function assertBusForDistributed(env: Record<string, string | undefined>, busUrl: string | undefined): void {
  const explicitMemory = /^memory(:\/\/)?$/.test(env.BUS_URL ?? '');
  if (busUrl || explicitMemory) return;
  const elsewhere = Object.keys(remoteUrlsFromEnv(env));
  if (!elsewhere.length) return;
  throw new Error(
    `this process runs distributed (${elsewhere.map((id) => `CARBON_NEXUS_SUBGRAPH_${id.toUpperCase().replace(/-/g, '_')}_URL`).join(', ')} set) ` +
      `but has no bus: set REDIS_URL=redis://… or BUS_URL=postgres://… (the same for every process), ` +
      `or BUS_URL=memory if no other process needs this one's events`,
  );
}

const DOC_CACHE_MAX = 1000;

function drainTimeoutFromEnv(env: Record<string, string | undefined>): number {
  const raw = env.PLUGIN_DRAIN_SECONDS;
  if (raw === undefined || raw === '') return 30_000;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0)
    throw new Error(`PLUGIN_DRAIN_SECONDS: must be a number of seconds >= 0 (got "${raw}")`);
  return n * 1000;
}

export function createHost(opts: HostOptions): Host {
  const env = opts.env ?? process.env;
  const mode = opts.mode ?? 'embedded';
  const anonymousRead = (env.AUTH_ANONYMOUS_READ ?? 'true') !== 'false';
  const executorKind = executorKindFromEnv(env);
  const logger = opts.logger ?? createLogger();
  const metrics = opts.metrics ?? createMetrics();
  const remote = { ...remoteUrlsFromEnv(env), ...(opts.remote ?? {}) };
  for (const p of opts.plugins) delete remote[p.id];
  const order = startOrder(opts.plugins, Object.keys(remote));
  const authCfg = authConfigFromEnv(env as NodeJS.ProcessEnv);
  const verifyToken = createTokenVerifier(authCfg);
  const drainTimeoutMs = opts.drainTimeoutMs ?? drainTimeoutFromEnv(env);
  const calls = createCallRegistry({
    mintToken: authCfg.secret
      ? (a: AuthClaims) =>
          signDevToken({ sub: a.sub, roles: a.roles, supplierIds: a.supplierIds, expiresIn: '5m' }, authCfg.secret)
      : undefined,
  });
  for (const [id, url] of Object.entries(remote)) calls.registerRemote(id, url);
  const plugins = new Map<string, RunningPlugin>();
  const schedulers: Scheduler[] = [];
  /** Drains of the plugins started so far (a plugin whose init failed is drained at once). */
  const stops = new Map<string, () => Promise<void>>();
  const busUrl = busUrlFromEnv(env);
  const opDuration = metrics.histogram('plugin_operation_seconds', 'In-process plugin operation duration', [
    'plugin',
    'kind',
  ]);
  let db: Database;
  let bus: Bus;
  let outbox: OutboxRelay;
  let started = false;

  const host: Host = {
    get db() {
      return db;
    },
    get bus() {
      return bus;
    },
    get outbox() {
      return outbox;
    },
    logger,
    metrics,
    calls,
    plugins,
    order: order.map((p) => p.id),

    async start() {
      if (started) return;
      // Config first: a bad setting fails before anything is opened.
      const configs = new Map(order.map((p) => [p.id, parsePluginConfig(p, env)]));
      if (!opts.bus) assertBusForDistributed(env, busUrl);
      // Loaded when needed: a host given its database (and a gateway without plugins) never loads Prisma or PGlite.
      db =
        opts.db ??
        (await (await import('@carbon-nexus/db')).createDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR }));
      // Supplier-scoped callers' statements run under the database's row-level security policies.
      db.setRowScope(() => currentScope()?.auth?.supplierIds ?? null);
      if (opts.migrate !== false) {
        const r = await db.migrate();
        if (r.applied.length) logger.info({ applied: r.applied }, 'database migrated');
      }
      bus =
        opts.bus ??
        (await createBus({
          url: busUrl,
          channelPrefix: env.BUS_CHANNEL_PREFIX,
          onError: (err, topic) => logger.error({ err, topic }, 'bus handler failed'),
        }));
      if (!opts.metrics) collectDefaultMetrics(metrics.registry);
      const busLag = metrics.histogram(
        'bus_lag_seconds',
        'Time from publish to delivery on this process',
        ['topic'],
        [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10],
      );
      bus.onDeliver ??= (topic, lagMs) => busLag.observe({ topic }, Math.max(0, lagMs) / 1000);
      outbox = createOutboxRelay({ db, bus, logger: logger.child({ service: 'outbox' }) });
      try {
        for (const plugin of order) await startPlugin(plugin, configs.get(plugin.id));
      } catch (err) {
        await host.stop().catch(() => undefined);
        throw err;
      }
      started = true;
      outbox.start(); // also publishes what an earlier run committed but could not publish
      logger.info({ plugins: order.map((p) => p.id), mode, db: db.location, bus: bus.kind }, 'plugins started');
    },

    async stop() {
      // Reverse order: dependents drain before what they depend on.
      for (const s of schedulers) await s.stop();
      for (const id of [...stops.keys()].reverse()) await stops.get(id)!();
      stops.clear();
      plugins.clear();
      await outbox?.stop();
      if (!opts.bus) await bus?.close();
      if (!opts.db) await db?.close();
      started = false;
    },

    async ready() {
      const checks: Record<string, boolean> = {};
      try {
        await db.query('SELECT 1');
        checks.database = true;
      } catch {
        checks.database = false;
      }
      // Events published now would not reach this process's subscribers (the outbox keeps durable ones meanwhile).
      checks.bus = !!bus?.connected;
      for (const [id, rp] of plugins) {
        try {
          checks[id] = rp.plugin.ready ? await rp.plugin.ready(rp.state, rp.services) : true;
        } catch {
          checks[id] = false;
        }
      }
      return { ok: started && Object.values(checks).every(Boolean), checks };
    },

    async runJob(pluginId, job) {
      const rp = plugins.get(pluginId);
      if (!rp) throw new Error(`plugin "${pluginId}" is not running`);
      const r = await rp.services.scheduler.runNow(job);
      if (!r.ran) throw new Error(`job ${pluginId}.${job} did not run: ${r.reason}`);
    },
  };

  async function startPlugin(plugin: AnyPlugin, config: unknown) {
    const plog = logger.child({ plugin: plugin.id });
    const scheduler = createScheduler({
      db,
      logger: plog,
      metrics,
      pluginId: plugin.id,
      enabled: opts.scheduler !== false,
      retry: schedulerRetryFromEnv(env),
    });
    schedulers.push(scheduler);
    const lc = createLifecycle({ pluginId: plugin.id, logger: plog, drainTimeoutMs });
    const declared = { requires: plugin.requires ?? [], uses: plugin.uses ?? {} };
    const services: PluginServices<any> = {
      pluginId: plugin.id,
      config,
      db,
      bus: pluginBus(bus, lc),
      call: calls.caller(plugin.id, declared),
      canCall: (id) => (declared.requires.includes(id) || Object.hasOwn(declared.uses, id)) && calls.has(id),
      lifecycle: lc.lifecycle,
      authenticate: (request) => claimsOf(request, verifyToken),
      developmentAuth: authCfg.secret === DEV_JWT_SECRET,
      scheduler,
      logger: plog,
      metrics,
      audit: createAuditWriter(db, plugin.id),
      outbox,
      mode,
    };
    let state: unknown;
    // Until init succeeds only what init opened through services is ended; then the plugin's own stop runs too.
    stops.set(plugin.id, () => lc.stop());
    for (const [id, whenAbsent] of Object.entries(declared.uses)) {
      if (!calls.has(id) && !order.some((p) => p.id === id))
        plog.info({ absent: id, whenAbsent }, `runs without "${id}": ${whenAbsent}`);
    }
    try {
      state = await runInScope({ auth: SYSTEM_CLAIMS }, async () => plugin.init?.(services));
    } catch (err) {
      if (err instanceof PluginStartError) throw err;
      throw new PluginStartError(plugin.id, `init failed: ${(err as Error).message}`);
    }
    stops.set(plugin.id, () => lc.stop(() => plugin.stop?.(state, services)));
    let schema: GraphQLSchema;
    try {
      // Plugins made without definePlugin still get their @auth rules read (and stripped) here.
      const sdl = plugin.authRules
        ? { typeDefs: plugin.typeDefs, rules: plugin.authRules }
        : extractAuthRules(plugin.typeDefs);
      const resolvers = enforceAuth(plugin.resolvers, sdl.typeDefs, {
        rules: sdl.rules,
        defaultForRoots: anonymousRead ? undefined : SIGNED_IN_ROOTS,
      });
      schema = buildSubgraphSchema({ typeDefs: sdl.typeDefs, resolvers: resolvers as any });
    } catch (err) {
      throw new PluginStartError(plugin.id, `schema does not build: ${(err as Error).message}`, 'typeDefs');
    }
    const run = createExecutor(schema, executorKind);
    const docs = new Map<string, DocumentNode>();
    const prepare = (document: DocumentNode | string): DocumentNode | ExecutionResult => {
      if (typeof document !== 'string') return document;
      let doc = docs.get(document);
      if (!doc) {
        try {
          doc = parse(document);
        } catch (err) {
          return { errors: [err as any] };
        }
        const errors = validate(schema, doc, specifiedRules);
        if (errors.length) return { errors };
        if (docs.size >= DOC_CACHE_MAX) docs.delete(docs.keys().next().value!);
        docs.set(document, doc);
      }
      return doc;
    };
    // Documents other plugins send through services.call are validated once (a typed operation from a producer's
    // client was checked at build time, but a mock or a hand-written document may not match this schema).
    const checked = new WeakMap<DocumentNode, readonly GraphQLError[]>();
    const validated = (document: DocumentNode | string): DocumentNode | string | ExecutionResult => {
      if (typeof document === 'string') return document;
      let errors = checked.get(document);
      if (!errors) checked.set(document, (errors = validate(schema, document, specifiedRules)));
      return errors.length ? { errors } : document;
    };
    const contextFor = (scope: RequestScope): ResolverContext => ({
      services,
      state,
      auth: scope.auth,
      correlationId: scope.correlationId,
      logger: plog,
    });
    const rp: RunningPlugin = {
      plugin,
      schema,
      services,
      state,
      get phase() {
        return lc.lifecycle.phase;
      },
      lifecycle: lc.lifecycle,
      contextFor,
      execute(document, variables, scope) {
        return runInScope(scope ?? {}, async () => {
          const doc = prepare(document);
          if (!('kind' in doc)) return doc;
          const t = performance.now();
          const r = await withSpan(
            `${plugin.id} execute`,
            () => run({ document: doc, variableValues: variables, contextValue: contextFor(currentScope()!) }),
            {
              attributes: { 'carbon_nexus.component': plugin.id },
            },
          );
          opDuration.observe({ plugin: plugin.id, kind: 'execute' }, (performance.now() - t) / 1000);
          return mapDatabaseErrors(r);
        });
      },
      subscribe(document, variables, scope) {
        return runInScope(scope ?? {}, async () => {
          const doc = prepare(document);
          if (!('kind' in doc)) return doc;
          const here = currentScope()!;
          return iterateInScope(
            await subscribe({ schema, document: doc, variableValues: variables, contextValue: contextFor(here) }),
            here,
          ) as any;
        });
      },
    };
    plugins.set(plugin.id, rp);
    calls.registerLocal(plugin.id, async (doc, vars) => {
      if (lc.lifecycle.phase === 'stopped')
        return {
          errors: [
            new GraphQLError(`plugin "${plugin.id}" has stopped`, {
              extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: plugin.id },
            }),
          ],
        };
      const d = validated(doc);
      return typeof d === 'object' && !('kind' in d) ? d : rp.execute(d, vars);
    });
    for (const [name, job] of Object.entries(plugin.jobs ?? {})) {
      const cron = typeof job.cron === 'function' ? job.cron(config) : job.cron;
      try {
        scheduler.add(name, cron, (tick) => job.run(services, state, tick));
      } catch (err) {
        throw new PluginStartError(plugin.id, `job "${name}": ${(err as Error).message}`, `jobs.${name}`);
      }
    }
    lc.started();
    plog.debug('plugin started');
  }

  return host;
}
