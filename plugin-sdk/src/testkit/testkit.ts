// Run a plugin in a test without a port: a migrated PGlite (or the given database), the in-memory bus (or, with
// REDIS_URL / BUS_URL set, that bus under a channel prefix of the test database's own), direct
// execution of operations and `_entities` lookups against its subgraph schema, its HTTP app through Fastify's inject,
// and peers either real (`with: [dataCore]`) or mocked from their SDL (`with: [mockPlugin('data-core', {...})]`).
// `await using kit = await createSubgraphTestkit(plugin)` stops it (and closes its database) at the end of the scope.
import type { DocumentNode, ExecutionResult } from 'graphql';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createTestDatabase, type Database, type TestDatabaseTarget } from '@carbon-nexus/db';
import type { AnyPlugin, PluginServices } from '../plugin.ts';
import { createHost, type Host } from '../host/host.ts';
import type { AuthClaims } from '../context.ts';
import { createSubgraphApp, type SubgraphApp } from '../http/subgraph-app.ts';
import { testBusPrefix } from './bus-prefix.ts';

export interface TestkitOptions {
  /** Other plugins to run beside it: real ones, or mocks of its peers (`mockPlugin`). */
  with?: AnyPlugin[];
  /** Environment for config parsing (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Use this database (not closed by the testkit); otherwise a fresh migrated one on `target`. */
  db?: Database;
  target?: TestDatabaseTarget;
  /** Default caller; null = anonymous. Default: an admin. */
  auth?: AuthClaims | null;
  /** Plugins reachable over HTTP instead (id -> URL). */
  remote?: Record<string, string>;
  /** Run cron jobs on their schedule (default false: call runJob). */
  scheduler?: boolean;
}

export const TEST_ADMIN: AuthClaims = { sub: 'test-admin', roles: ['admin'], supplierIds: null };

export interface SubgraphTestkit extends AsyncDisposable {
  host: Host;
  db: Database;
  services: PluginServices<any>;
  state: any;
  execute<TResult = Record<string, any>, TVars = Record<string, unknown>>(
    document: TypedDocumentNode<TResult, TVars> | DocumentNode | string,
    variables?: TVars,
    opts?: { auth?: AuthClaims | null; plugin?: string },
  ): Promise<ExecutionResult<TResult>>;
  /** Like execute, but throws on errors and returns data. */
  query<TResult = Record<string, any>, TVars = Record<string, unknown>>(
    document: TypedDocumentNode<TResult, TVars> | DocumentNode | string,
    variables?: TVars,
    opts?: { auth?: AuthClaims | null; plugin?: string },
  ): Promise<TResult>;
  /** Resolves entity references the way the gateway does. */
  entities(
    typename: string,
    representations: Record<string, unknown>[],
    selection: string,
    opts?: { auth?: AuthClaims | null },
  ): Promise<ExecutionResult<{ _entities: any[] }>>;
  /** An HTTP request to the plugin's own app (/graphql, /healthz, /readyz, /metrics, its routes), without a port. */
  inject(request: InjectOptions | string): Promise<LightMyRequestResponse>;
  runJob(job: string, plugin?: string): Promise<void>;
  stop(): Promise<void>;
}

export async function createSubgraphTestkit(plugin: AnyPlugin, opts: TestkitOptions = {}): Promise<SubgraphTestkit> {
  const db = opts.db ?? (await createTestDatabase(opts.target ?? 'pglite'));
  // Its own bus channels (bus-prefix.ts), unless the test's own env names others.
  const env = { ...(opts.env ?? process.env), BUS_CHANNEL_PREFIX: opts.env?.BUS_CHANNEL_PREFIX ?? testBusPrefix(db) };
  const host = createHost({
    plugins: [plugin, ...(opts.with ?? [])],
    mode: 'embedded',
    db,
    env,
    scheduler: opts.scheduler ?? false,
    remote: opts.remote,
    migrate: false,
  });
  try {
    await host.start();
  } catch (err) {
    if (!opts.db) await db.close();
    throw err;
  }
  const rp = host.plugins.get(plugin.id)!;
  const defaultAuth = opts.auth === undefined ? TEST_ADMIN : opts.auth;
  let http: Promise<SubgraphApp> | null = null;
  let stopping: Promise<void> | null = null;
  const kit: SubgraphTestkit = {
    host,
    db,
    services: rp.services,
    state: rp.state,
    async execute(document, variables, o = {}) {
      const target = host.plugins.get(o.plugin ?? plugin.id);
      if (!target) throw new Error(`plugin "${o.plugin}" is not running in this testkit`);
      return target.execute(document as DocumentNode, variables as Record<string, unknown>, {
        auth: o.auth === undefined ? defaultAuth : o.auth,
      }) as any;
    },
    async query(document, variables, o) {
      const r = await kit.execute(document, variables, o);
      if (r.errors?.length) {
        const e = new Error(r.errors.map((x) => x.message).join('; ')) as Error & { errors: unknown };
        e.errors = r.errors;
        throw e;
      }
      return r.data as any;
    },
    entities(typename, representations, selection, o = {}) {
      return kit.execute(
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on ${typename} { ${selection} } } }`,
        { r: representations.map((r) => ({ __typename: typename, ...r })) },
        o,
      ) as any;
    },
    async inject(request) {
      http ??= createSubgraphApp(host, rp, env).then(async (a) => (await a.app.ready(), a));
      return (await http).app.inject(request);
    },
    runJob: (job, p) => host.runJob(p ?? plugin.id, job),
    stop() {
      stopping ??= (async () => {
        if (http) {
          const a = await http;
          await a.app.close();
          await a.apollo.stop();
        }
        await host.stop();
        if (!opts.db) await db.close();
      })();
      return stopping;
    },
    [Symbol.asyncDispose]: () => kit.stop(),
  };
  return kit;
}
