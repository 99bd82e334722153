// The platform in a test: a fresh migrated database, the plugins in-process, the gateway on a free port — and all
// of it cleaned up by disposal, so a test needs no afterAll bookkeeping:
//   await using platform = await startTestPlatform({ plugins: [dataCore, mlEngine] });
//   const r = await platform.graphql(`{ suppliers { totalCount } }`, {}, { role: 'viewer' });
// `defer(fn)` adds cleanups of the test's own (clients, servers); they run first, last added first.
import type { ExecutionResult } from 'graphql';
import {
  loadPlatformConfig,
  signDevToken,
  type AnyPlugin,
  type AuthClaims,
  type Host,
  type Role,
} from '@carbon-nexus/plugin-sdk';
import { testBusPrefix } from '@carbon-nexus/plugin-sdk/testkit';
import { createTestDatabase, type Database, type TestDatabaseTarget } from '@carbon-nexus/db';
import { startGateway, type GatewayOptions, type GatewayServer } from '../server.ts';

export interface TestPlatformOptions {
  /** The plugins to run in-process (default: the platform's, from carbon-nexus.config.ts). */
  plugins?: AnyPlugin[];
  /** A fresh migrated database on this target (default pglite), unless `db` is given (then it is not closed). */
  target?: TestDatabaseTarget;
  db?: Database;
  /** Environment for the gateway and the plugins' config (default process.env, with these on top). */
  env?: Record<string, string | undefined>;
  /** Run cron jobs on their schedule (default false: tests run jobs with host.runJob). */
  scheduler?: boolean;
  /** More gateway options (subgraphUrls, supergraphSdl, serveWeb, …). */
  gateway?: Partial<GatewayOptions>;
}

export interface TestPlatform extends AsyncDisposable {
  /** http://127.0.0.1:<port> */
  url: string;
  graphqlUrl: string;
  /** ws://…/graphql for graphql-ws clients. */
  wsUrl: string;
  gateway: GatewayServer;
  /** The in-process plugins' host (runJob, bus, outbox, plugins). */
  host: Host;
  db: Database;
  /** A development token for a role (or full claims). */
  token(role: Role | 'system', claims?: Partial<Pick<AuthClaims, 'sub' | 'supplierIds'>>): Promise<string>;
  /** POST /graphql through the gateway; `role` signs a token for that role, `token` uses the given one. */
  graphql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    opts?: { role?: Role | 'system'; token?: string },
  ): Promise<ExecutionResult<T>>;
  /** A cleanup of the test's own, run at disposal before the platform stops (last added first). */
  defer(cleanup: () => unknown): void;
  /** Same as disposal; idempotent. */
  close(): Promise<void>;
}

export async function startTestPlatform(opts: TestPlatformOptions = {}): Promise<TestPlatform> {
  const plugins = opts.plugins ?? (await loadPlatformConfig()).plugins;
  const db = opts.db ?? (await createTestDatabase(opts.target ?? 'pglite'));
  // Its own bus channels: with REDIS_URL set (CI) test files running side by side share one Redis, and a platform
  // must not hear another's events (ids from another database). Platforms on one database share them.
  const env: Record<string, string | undefined> = {
    ...process.env,
    BUS_CHANNEL_PREFIX: testBusPrefix(db),
    ...opts.env,
  };
  let gateway: GatewayServer;
  try {
    gateway = await startGateway({
      plugins,
      port: 0,
      serveWeb: false,
      env,
      ...opts.gateway,
      host: { db, scheduler: opts.scheduler ?? false, migrate: false, ...opts.gateway?.host },
    });
  } catch (err) {
    if (!opts.db) await db.close();
    throw err;
  }
  const cleanups: (() => unknown)[] = [];
  let closing: Promise<void> | null = null;
  const token: TestPlatform['token'] = (role, claims = {}) =>
    signDevToken(
      { sub: claims.sub ?? `test-${role}`, roles: [role], supplierIds: claims.supplierIds ?? null },
      env.JWT_SECRET,
    );
  const platform: TestPlatform = {
    url: gateway.url,
    graphqlUrl: `${gateway.url}/graphql`,
    wsUrl: `${gateway.url.replace(/^http/, 'ws')}/graphql`,
    gateway,
    host: gateway.host!,
    db,
    token,
    async graphql(query, variables = {}, o = {}) {
      const bearer = o.token ?? (o.role ? await token(o.role) : undefined);
      const res = await fetch(platform.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as ExecutionResult<any>;
    },
    defer(cleanup) {
      cleanups.push(cleanup);
    },
    close() {
      closing ??= (async () => {
        const errors: unknown[] = [];
        for (const fn of cleanups.splice(0).reverse())
          await Promise.resolve()
            .then(fn)
            .catch((e) => errors.push(e));
        await gateway.close().catch((e) => errors.push(e));
        if (!opts.db) await db.close().catch((e) => errors.push(e));
        if (errors.length) throw new AggregateError(errors, `test platform: ${errors.length} cleanup(s) failed`);
      })();
      return closing;
    },
    [Symbol.asyncDispose]: () => platform.close(),
  };
  return platform;
}

export { chromiumPath, haveChromium, launchChromium } from './browser.ts';
