// One database handle per process: a Prisma client over a driver adapter plus a thin raw-SQL runner
// (for bulk inserts and SQL aggregations on hot paths). PGlite when no DATABASE_URL is set.
import fs from 'node:fs';
import type { EventLoopUtilization } from 'node:perf_hooks';
import path from 'node:path';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { WorkerPGlite } from './pglite-client.ts';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/client.ts';
import { migrate, type MigrateResult } from './migrate.ts';
import { scopedAdapterFactory, scopeStatement, type RowScopeProvider } from './row-scope.ts';
import { asDatabaseError, DatabaseUnavailableError, isConnectionLost } from './errors.ts';

export type DatabaseKind = 'pglite' | 'postgres';

export interface SqlQueryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs one or more statements without parameters. */
  exec(sql: string): Promise<void>;
}

/** One statement of a batch. */
export interface SqlStatement {
  sql: string;
  params?: unknown[];
}

export interface SqlRunner extends SqlQueryable {
  kind: DatabaseKind;
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /**
   * Statements that need nothing from each other's results, in one transaction: run in order, all or nothing (the
   * first failure rolls back and rejects), each statement's rows returned in order. Unlike `transaction`, the caller
   * does not take part between BEGIN and COMMIT: on PGlite (one connection) the whole batch runs in the database
   * thread without waiting for the caller's thread, so it holds the connection only as long as the statements take.
   */
  batch(statements: readonly SqlStatement[]): Promise<Record<string, unknown>[][]>;
}

/**
 * `batch` over `transaction`: every statement sent at once, in order (the connection queues them). One statement is
 * atomic by itself: it is sent alone, without BEGIN and COMMIT.
 */
function batchOver(transaction: SqlRunner['transaction'], query: SqlRunner['query']): SqlRunner['batch'] {
  return async (statements) => {
    if (statements.length === 1) return [await query(statements[0].sql, statements[0].params)];
    return statements.length ? transaction((tx) => Promise.all(statements.map((s) => tx.query(s.sql, s.params)))) : [];
  };
}

/** What a plugin gets as `services.db`: SQL on its own tables, no Prisma client. */
export type PluginDatabase = Omit<Database, 'prisma'>;

/** A Prisma client made on first use; `disconnect` is a no-op when it never was. */
function lazyPrisma(make: () => PrismaClient): { get(): PrismaClient; disconnect(): Promise<void> } {
  let client: PrismaClient | null = null;
  return {
    get: () => (client ??= make()),
    disconnect: async () => {
      await client?.$disconnect().catch(() => undefined);
    },
  };
}

export interface Database extends SqlRunner {
  /**
   * A Prisma client over every plugin's models, for tools (benchmark baselines, the row-scope tests). Not part of
   * the plugin API (plugins get `PluginDatabase`: set-based SQL through query/exec/transaction on their own tables).
   * Created on first use, so a process that never asks for it does not load Prisma's query engine.
   */
  readonly prisma: PrismaClient;
  /** Where the data lives, for logs: a file path, 'memory', or the URL without password. */
  location: string;
  migrate(): Promise<MigrateResult>;
  /**
   * Where the caller's supplier scope comes from (the SDK passes its request context). Once set, every statement of
   * a supplier-scoped caller runs under the database's row-level security policies (see row-scope.ts).
   */
  setRowScope(provider: RowScopeProvider | null): void;
  /** PGlite only: the data directory as a tarball (for cloning). */
  snapshot?(): Promise<Blob>;
  /** PGlite in its own thread only: that thread's event-loop utilization so far (benchmarks read how busy it is). */
  threadUtilization?(): EventLoopUtilization;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… ; when absent PGlite is used. */
  url?: string;
  /** PGlite data directory; omitted or 'memory' = in memory. */
  dataDir?: string;
  /** Pool size for PostgreSQL (default: env DATABASE_POOL_SIZE, else 10). */
  poolSize?: number;
  /** PGlite only: start from a dumped data directory (tests clone a migrated template this way). */
  pgliteSnapshot?: Blob;
  /**
   * PGlite only: run it in its own worker thread (default) or on the caller's thread ('main'; env PGLITE_THREAD).
   * In its own thread, statements never block the caller's event loop (pglite-client.ts).
   */
  pgliteThread?: 'worker' | 'main';
}

/** DATABASE_POOL_SIZE: connections per process to PostgreSQL (default 10). */
export function poolSizeFromEnv(env: Record<string, string | undefined> = process.env): number {
  const raw = (env.DATABASE_POOL_SIZE ?? '').trim();
  if (raw === '') return 10;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new Error(`DATABASE_POOL_SIZE: must be a whole number from 1 to 1000 (got "${raw}")`);
  return n;
}

export async function createDatabase(opts: DatabaseOptions = {}): Promise<Database> {
  if (opts.url) return createPostgres(opts.url, opts.poolSize ?? poolSizeFromEnv());
  const thread = opts.pgliteThread ?? (process.env.PGLITE_THREAD === 'main' ? 'main' : 'worker');
  return createPglite(opts.dataDir, opts.pgliteSnapshot, thread);
}

async function createPglite(
  dataDir: string | undefined,
  snapshot: Blob | undefined,
  thread: 'worker' | 'main',
): Promise<Database> {
  const memory = !dataDir || dataDir === 'memory';
  if (!memory) fs.mkdirSync(path.resolve(dataDir!), { recursive: true });
  const where = memory ? (snapshot ? { loadDataDir: snapshot } : {}) : { dataDir: path.resolve(dataDir!) };
  let lite: PGlite | WorkerPGlite;
  let inTurn = <T>(f: () => Promise<T>): Promise<T> => f();
  // PGlite is single-connection: our own transactions queue on its transaction lock (in the worker), or here.
  let serialize = <T>(f: () => Promise<T>): Promise<T> => f();
  if (thread === 'worker') lite = await WorkerPGlite.open(where);
  else {
    lite = where.dataDir ? new PGlite(where.dataDir) : new PGlite(where);
    await lite.waitReady;
    // On this thread, PGlite runs a statement synchronously and hands its lock to the next waiting statement in a
    // microtask, so a queue of statements ran back to back without the event loop polling sockets: under 50
    // concurrent requests connections were accepted seconds late (p99 8 s, client timeouts). Statements outside
    // transactions take turns instead, each starting in its own event-loop turn.
    let turn: Promise<unknown> = Promise.resolve();
    inTurn = <T>(f: () => Promise<T>): Promise<T> => {
      const run = turn.then(() => new Promise<void>((r) => setImmediate(r))).then(f);
      turn = run.catch(() => undefined);
      return run;
    };
    let chain: Promise<unknown> = Promise.resolve();
    serialize = <T>(f: () => Promise<T>): Promise<T> => {
      const run = chain.then(f);
      chain = run.catch(() => undefined);
      return run;
    };
  }
  const transaction: SqlRunner['transaction'] = (fn) =>
    serialize(() =>
      (lite as PGlite).transaction(async (tx) =>
        fn({
          query: async (sql, params) => (await tx.query(sql, params as any[])).rows as any[],
          exec: async (sql) => void (await tx.exec(sql)),
        }),
      ),
    );
  const query: SqlRunner['query'] = (sql, params) =>
    inTurn(async () => (await lite.query(sql, params as any[])).rows as any[]);
  const runner: SqlRunner = {
    kind: 'pglite',
    query,
    exec: (sql) => inTurn(async () => void (await lite.exec(sql))),
    transaction,
    batch:
      lite instanceof WorkerPGlite
        ? async (statements) => (await (lite as WorkerPGlite).batch(statements)).map((r) => r.rows as any[])
        : batchOver(transaction, query),
  };
  const rowScope = { provider: null as RowScopeProvider | null };
  const prisma = lazyPrisma(
    () =>
      new PrismaClient({
        adapter: scopedAdapterFactory(new PrismaPGlite(lite as PGlite) as any, () => rowScope.provider) as any,
      }),
  );
  return {
    ...withRowScope(runner, () => rowScope.provider),
    setRowScope: (p) => void (rowScope.provider = p),
    get prisma() {
      return prisma.get();
    },
    location: memory ? 'memory' : path.resolve(dataDir!),
    snapshot: async () =>
      lite instanceof WorkerPGlite ? lite.dumpDataDir() : ((await lite.dumpDataDir('none')) as Blob),
    ...(lite instanceof WorkerPGlite ? { threadUtilization: () => (lite as WorkerPGlite).utilization() } : {}),
    migrate: () => migrate(runner),
    async close() {
      await prisma.disconnect();
      await lite.close();
    },
  };
}

async function createPostgres(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // A dropped idle connection (database restart, terminated backend) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const runner: SqlRunner = {
    kind: 'postgres',
    async query(sql, params) {
      try {
        return (await pool.query(sql, params as any[])).rows;
      } catch (err) {
        throw asDatabaseError(err);
      }
    },
    async exec(sql) {
      try {
        await pool.query(sql);
      } catch (err) {
        throw asDatabaseError(err);
      }
    },
    async transaction(fn) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw asDatabaseError(err);
      }
      // A checked-out client has no listener of the pool's: without this one, a backend terminated mid-transaction
      // emits an unhandled 'error' and the process dies. The failing statement rejects on its own; we only remember
      // that the connection is gone, so it is discarded instead of returned to the pool.
      let lost: Error | null = null;
      const onError = (err: Error) => void (lost ??= err);
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const out = await fn({
          query: async (sql, params) => (await client.query(sql, params as any[])).rows,
          exec: async (sql) => void (await client.query(sql)),
        });
        await client.query('COMMIT');
        return out;
      } catch (err) {
        if (!lost) await client.query('ROLLBACK').catch((e: Error) => void (lost ??= e));
        throw lost && !isConnectionLost(err) ? new DatabaseUnavailableError(lost) : asDatabaseError(err);
      } finally {
        client.off('error', onError);
        client.release(lost ?? undefined);
      }
    },
    // Built once; the runner's own methods are looked up when a batch runs.
    batch: batchOver(
      (fn) => runner.transaction(fn),
      (sql, params) => runner.query(sql, params),
    ),
  };
  const rowScope = { provider: null as RowScopeProvider | null };
  const prisma = lazyPrisma(
    () =>
      new PrismaClient({ adapter: scopedAdapterFactory(new PrismaPg(pool) as any, () => rowScope.provider) as any }),
  );
  return {
    ...withRowScope(runner, () => rowScope.provider),
    setRowScope: (p) => void (rowScope.provider = p),
    get prisma() {
      return prisma.get();
    },
    location: url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@'),
    migrate: () => migrate(runner),
    async close() {
      await prisma.disconnect();
      await pool.end();
    },
  };
}

/** The raw-SQL runner under the same row scope as the Prisma client: scoped callers' statements get a transaction. */
function withRowScope(runner: SqlRunner, provider: () => RowScopeProvider | null): SqlRunner {
  const ids = () => provider()?.() ?? null;
  const transaction: SqlRunner['transaction'] = (fn) => {
    const scoped = ids();
    if (!scoped) return runner.transaction(fn);
    // The scope is set and the caller's statements sent without a round trip between them: if setting it fails,
    // the transaction is aborted and nothing after it runs (Promise.all rejects with that first error).
    return runner.transaction(async (tx) => (await Promise.all([tx.exec(scopeStatement(scoped)), fn(tx)]))[1]);
  };
  return {
    kind: runner.kind,
    query: (sql, params) => (ids() ? transaction((tx) => tx.query(sql, params)) : runner.query(sql, params)),
    exec: (sql) => (ids() ? transaction((tx) => tx.exec(sql)) : runner.exec(sql)),
    transaction,
    async batch(statements) {
      const scoped = ids();
      if (!scoped) return runner.batch(statements);
      // The scope first, in the same transaction.
      return (await runner.batch([{ sql: scopeStatement(scoped) }, ...statements])).slice(1);
    },
  };
}
