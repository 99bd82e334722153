// Transactional outbox for durable topics (alerts, hotspot changes). A plugin writes the event row in the SAME
// transaction as its data (`enqueue`), so the event exists iff the data does. A relay in every host then publishes
// unpublished rows in id order and marks them; while the bus is down nothing is marked and the relay retries, so a
// bus outage delays durable events but loses none.
//
// Guarantees: per database, rows are published in id (= commit-serialized insert) order by one relay at a time (an
// advisory transaction lock); each row is marked in the transaction that published it, so a healthy bus sees each
// event once. At-least-once, not exactly-once: a connection cut between Redis accepting a PUBLISH and our mark can
// repeat one event — consumers of durable topics de-duplicate by id/seq (alertRaised does).
import type { SqlQueryable, SqlStatement, Database } from '@carbon-nexus/db';
import type { BusTopic } from '../contract/topics.ts';
import { currentScope } from '../context.ts';
import type { Bus } from './bus.ts';
import type { Logger } from './logger.ts';
import { currentTraceparent } from './tracing.ts';

/** Advisory lock key: one relay publishes at a time per database (keeps global order). */
const RELAY_LOCK = 7_340_077;

/** What a plugin sees: write an event inside its own transaction, then (after commit) wake the relay. */
export interface Outbox {
  enqueue<P>(tx: SqlQueryable, topic: BusTopic<P>, payload: NoInfer<P>): Promise<void>;
  /** The same write as a statement, for a `db.batch` that commits it with the data. */
  statement<P>(topic: BusTopic<P>, payload: NoInfer<P>): SqlStatement;
  /** Publish committed rows now instead of at the next poll (call after commit; never throws). */
  kick(): void;
}

export interface OutboxRelay extends Outbox {
  start(): void;
  /** Publishes until no unpublished row is left or the bus is down; resolves with how many were published. */
  flush(): Promise<number>;
  /** Deletes rows published more than `retentionMs` ago (done every 10 minutes while running); returns how many. */
  prune(): Promise<number>;
  /** Stops polling after a final flush attempt. */
  stop(): Promise<void>;
}

export interface OutboxRelayOptions {
  db: Database;
  bus: Bus;
  logger: Logger;
  /** Poll interval when idle or while the bus is down (default 500 ms). */
  intervalMs?: number;
  batchSize?: number;
  /** Observes each publish failure (tests, metrics). */
  onRetry?: (err: unknown) => void;
  /** How long published rows are kept (default 7 days): enough to inspect, bounded so the table does not grow. */
  retentionMs?: number;
}

const PRUNE_EVERY_MS = 10 * 60_000;

/** Stored row payload: the event plus the correlation id (and trace, when tracing) of the request that caused it. */
interface StoredEvent {
  data: unknown;
  correlationId?: string;
  traceparent?: string;
}

export function outboxStatement<P>(topic: BusTopic<P>, payload: NoInfer<P>): SqlStatement {
  const stored: StoredEvent = {
    data: payload,
    correlationId: currentScope()?.correlationId,
    traceparent: currentTraceparent(),
  };
  return {
    sql: `INSERT INTO outbox_events (topic, payload) VALUES ($1, $2::jsonb)`,
    params: [topic.name, JSON.stringify(stored)],
  };
}

export async function enqueueOutbox<P>(tx: SqlQueryable, topic: BusTopic<P>, payload: NoInfer<P>): Promise<void> {
  const s = outboxStatement(topic, payload);
  await tx.query(s.sql, s.params);
}

/** The relay lock of a database only this process can open (PGlite): relays on it take turns here. */
const relayTurns = new WeakMap<object, Promise<unknown>>();
function inProcessLock<T>(db: object, f: () => Promise<T>): Promise<T> {
  const run = (relayTurns.get(db) ?? Promise.resolve()).then(f);
  relayTurns.set(
    db,
    run.catch(() => undefined),
  );
  return run;
}

export function createOutboxRelay(opts: OutboxRelayOptions): OutboxRelay {
  const { db, bus, logger } = opts;
  const interval = opts.intervalMs ?? 500;
  const batch = opts.batchSize ?? 200;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let again = false;
  let stopped = false;
  let lastWarn = 0;
  // Rows this relay already handed to the bus. If the marking transaction fails after a publish, the next cycle
  // only marks them instead of publishing again (bounded: the oldest ids are forgotten first).
  const sent = new Set<string>();
  const remember = (id: string) => {
    sent.add(id);
    if (sent.size > 10_000) sent.delete(sent.values().next().value as string);
  };

  type OutboxRow = {
    id: string | number | bigint;
    topic: string;
    payload: StoredEvent | string;
    created_at: Date | string;
  };
  const SELECT_ROWS = `SELECT id, topic, payload, created_at FROM outbox_events WHERE published_at IS NULL ORDER BY id LIMIT ${batch}`;

  /** Publishes rows in order until one fails, then marks the published ones (through `q`). */
  async function publishAndMark(q: SqlQueryable, rows: OutboxRow[]): Promise<{ published: number; more: boolean }> {
    const done: string[] = [];
    let failed = false;
    for (const r of rows) {
      if (sent.has(String(r.id))) {
        done.push(String(r.id));
        continue;
      }
      const stored = (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as StoredEvent;
      try {
        await bus.publishNow(r.topic, stored.data, {
          correlationId: stored.correlationId,
          traceparent: stored.traceparent,
          publishedAt: new Date(r.created_at).getTime(),
        });
        done.push(String(r.id));
        remember(String(r.id));
      } catch (err) {
        failed = true;
        opts.onRetry?.(err);
        if (Date.now() - lastWarn > 10_000) {
          lastWarn = Date.now();
          logger.warn({ err, pending: rows.length - done.length }, 'outbox: bus unavailable, will retry');
        }
        break; // keep order: nothing after a failed row goes out before it
      }
    }
    if (done.length)
      await q.query(`UPDATE outbox_events SET published_at = now() WHERE id = ANY($1::bigint[])`, [done]);
    return { published: done.length, more: !failed && rows.length === batch };
  }

  /**
   * One cycle, holding the relay lock: one relay publishes at a time per database, so the order is global. On
   * PostgreSQL the lock is a transaction's advisory lock. PGlite is one process's database, so there the lock is this
   * process's and no transaction is held while subscribers run (on its single connection every other statement
   * waited for that transaction: 17 ms per cycle under bench/load). Either way a row is marked only after it was
   * published (at least once).
   */
  async function cycle(): Promise<{ published: number; more: boolean }> {
    if (!bus.connected) return { published: 0, more: false };
    if (db.kind === 'pglite')
      return inProcessLock(db, async () => publishAndMark(db, await db.query<OutboxRow>(SELECT_ROWS)));
    // Cheap check first: an idle relay never takes a transaction.
    const pending = await db.query(`SELECT 1 FROM outbox_events WHERE published_at IS NULL LIMIT 1`);
    if (!pending.length) return { published: 0, more: false };
    return db.transaction(async (tx) => {
      // Both sent at once (no round trip between them holding the transaction); the rows are read in the same
      // transaction, after the lock is taken, and dropped unread if another process holds it.
      const [[lock], rows] = await Promise.all([
        tx.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock($1) AS ok`, [RELAY_LOCK]),
        tx.query<OutboxRow>(SELECT_ROWS),
      ]);
      if (!lock.ok) return { published: 0, more: false }; // another process is relaying: it keeps the order
      return publishAndMark(tx, rows);
    });
  }

  function flush(): Promise<number> {
    if (running) {
      again = true; // a kick during a cycle: run once more after it, rows committed meanwhile go out too
      return running;
    }
    running = (async () => {
      let total = 0;
      try {
        do {
          again = false;
          for (;;) {
            const r = await cycle();
            total += r.published;
            if (!r.more) break;
          }
        } while (again && bus.connected);
      } catch (err) {
        logger.warn({ err }, 'outbox relay cycle failed; will retry');
      } finally {
        running = null;
      }
      return total;
    })();
    return running;
  }

  const retention = opts.retentionMs ?? 7 * 24 * 3_600_000;
  let lastPrune = 0;
  async function prune(): Promise<number> {
    lastPrune = Date.now();
    const rows = await db.query(
      `DELETE FROM outbox_events WHERE published_at IS NOT NULL AND published_at < now() - make_interval(secs => $1::float8) RETURNING id`,
      [retention / 1000],
    );
    return rows.length;
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      const pruning =
        Date.now() - lastPrune > PRUNE_EVERY_MS
          ? prune().catch((err) => void logger.warn({ err }, 'outbox prune failed'))
          : null;
      void Promise.resolve(pruning).then(flush).finally(schedule);
    }, interval);
    timer.unref();
  };

  return {
    enqueue: enqueueOutbox,
    statement: outboxStatement,
    kick() {
      if (!stopped) void flush();
    },
    flush,
    prune,
    start() {
      if (timer || stopped) return;
      schedule();
    },
    async stop() {
      stopped = true; // no more polls or kicks
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
      await flush(); // last chance to publish what this process committed (never throws)
    },
  };
}
