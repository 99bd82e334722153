// Run a plugin in a test without HTTP: a migrated PGlite (or the given database), the in-memory bus,
// and direct execution of operations and `_entities` lookups against its subgraph schema.
import type { DocumentNode, ExecutionResult } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createTestDatabase, type Database, type TestDatabaseTarget } from '@carbon-nexus/db';
import type { AnyPlugin, PluginServices } from '../plugin.ts';
import { createHost, type Host } from '../host/host.ts';
import type { AuthClaims } from '../context.ts';

export interface TestkitOptions {
  /** Other plugins to run beside it (e.g. the ones it `requires`). */
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

export interface SubgraphTestkit {
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
  entities(typename: string, representations: Record<string, unknown>[], selection: string, opts?: { auth?: AuthClaims | null }): Promise<ExecutionResult<{ _entities: any[] }>>;
  runJob(job: string, plugin?: string): Promise<void>;
  stop(): Promise<void>;
}

export async function createSubgraphTestkit(plugin: AnyPlugin, opts: TestkitOptions = {}): Promise<SubgraphTestkit> {
  const db = opts.db ?? (await createTestDatabase(opts.target ?? 'pglite'));
  const host = createHost({
    plugins: [plugin, ...(opts.with ?? [])],
    mode: 'embedded',
    db,
    env: { ...(opts.env ?? process.env) },
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
    runJob: (job, p) => host.runJob(p ?? plugin.id, job),
    async stop() {
      await host.stop();
      if (!opts.db) await db.close();
    },
  };
  return kit;
}
