// A PostgreSQL backend terminated in the middle of a transaction (pg_terminate_backend, a database restart, a
// failover) fails that transaction with one clear, retryable error — and nothing else: no unhandled 'error' event
// from the checked-out client (which used to end the whole process), and the next statement runs on a fresh
// connection. Real PostgreSQL; the "mid-transaction" point is made deterministic with a lock held by the test.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase, DatabaseUnavailableError, isConnectionLost, type Database } from '@carbon-nexus/db';
import { waitFor } from '@carbon-nexus/plugin-sdk/testkit';

describe.runIf(process.env.DATABASE_URL)('database: a backend terminated mid-transaction (PostgreSQL)', () => {
  let db: Database;
  let admin: pg.Client;
  let dbName: string;
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => void uncaught.push(err);

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    dbName = new URL(db.location).pathname.slice(1);
    const u = new URL(process.env.DATABASE_URL!);
    u.pathname = `/${dbName}`;
    admin = new pg.Client({ connectionString: u.toString() });
    await admin.connect();
    process.on('uncaughtException', onUncaught);
  });
  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await admin?.end();
    await db?.close();
  });
  afterEach(() => expect(uncaught).toEqual([]));

  /** Backends of the app's pool waiting on a lock (i.e. inside their transaction, blocked by the test). */
  const blockedBackends = async () =>
    (
      await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
        [dbName],
      )
    ).rows.map((r) => r.pid);

  it('raw transaction blocked inside its transaction: rejected with DATABASE_UNAVAILABLE; the pool recovers', async () => {
    await admin.query('BEGIN');
    await admin.query('LOCK TABLE job_runs IN ACCESS EXCLUSIVE MODE');
    const tx = db.transaction(async (t) => {
      await t.query(`INSERT INTO outbox_events (topic, payload) VALUES ('test.fault', '{}')`);
      return t.query('SELECT count(*) FROM job_runs'); // waits for the test's lock
    });
    const outcome = tx.then(
      () => 'committed',
      (e) => e,
    );
    let pids: number[] = [];
    await waitFor(
      'the transaction waiting on the lock',
      async () => (pids = await blockedBackends()).length === 1,
      20_000,
    );
    await admin.query('SELECT pg_terminate_backend($1)', [pids[0]]);
    await admin.query('ROLLBACK');
    const err = await outcome;
    expect(err).toBeInstanceOf(DatabaseUnavailableError);
    expect((err as Error).message).toBe('database connection lost; retry the request');
    expect((err as DatabaseUnavailableError).extensions).toMatchObject({
      code: 'DATABASE_UNAVAILABLE',
      retryable: true,
    });
    // Rolled back: the insert before the lock did not survive.
    expect(
      (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_events WHERE topic = 'test.fault'`))[0].n,
    ).toBe(0);
    // Next transactions and statements run on fresh connections.
    expect(await db.transaction((t) => t.query<{ ok: number }>('SELECT 1 AS ok'))).toEqual([{ ok: 1 }]);
    expect(await db.query<{ ok: number }>('SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
  });

  it('terminated while the checked-out client sits idle between statements: no unhandled error event', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let backend = 0;
    const tx = db.transaction(async (t) => {
      backend = (await t.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0].pid;
      await gate; // the client is checked out and idle in transaction: the pool's idle listener is not on it
      return t.query('SELECT 1');
    });
    const outcome = tx.then(
      () => 'committed',
      (e) => e,
    );
    await waitFor('the transaction to start', () => backend > 0, 20_000);
    await admin.query('SELECT pg_terminate_backend($1)', [backend]);
    // The socket closes and the client emits 'error' while nobody is querying; wait until PostgreSQL saw it go.
    await waitFor(
      'the backend gone',
      async () => (await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [backend])).rowCount === 0,
      20_000,
    );
    await new Promise((r) => setTimeout(r, 50)); // let the client's 'error' event fire before the next statement
    release();
    const err = await outcome;
    expect(err).toBeInstanceOf(DatabaseUnavailableError);
    expect(await db.query<{ ok: number }>('SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
  });

  it('Prisma interactive transaction terminated mid-way: a connection-lost error, then Prisma works again', async () => {
    await admin.query('BEGIN');
    await admin.query('LOCK TABLE job_runs IN ACCESS EXCLUSIVE MODE');
    const outcome = db.prisma
      .$transaction(async (tx) => {
        await tx.$queryRawUnsafe('SELECT 1');
        return tx.$queryRawUnsafe('SELECT count(*) FROM job_runs');
      })
      .then(
        () => 'committed',
        (e) => e,
      );
    let pids: number[] = [];
    await waitFor(
      'the Prisma transaction waiting on the lock',
      async () => (pids = await blockedBackends()).length === 1,
      20_000,
    );
    await admin.query('SELECT pg_terminate_backend($1)', [pids[0]]);
    await admin.query('ROLLBACK');
    const err = await outcome;
    expect(err).not.toBe('committed');
    expect(isConnectionLost(err)).toBe(true);
    expect(await db.prisma.$queryRawUnsafe<{ ok: number }[]>('SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
  });
});
