// The durable prediction queue (ml_pending_events) and the pipeline's liveness marker (ml_pipeline_markers).
// Several processes may share the queue: a batch is claimed with a lease (SKIP LOCKED) and leaves the queue once done.
import type { SqlQueryable } from '@carbon-nexus/db';

/** Events claimed per batch. */
export const CLAIM = 1000;
/** How long a claimed batch stays with its worker before another may take it (a worker that died). */
const LEASE_SECONDS = 120;
const LISTENING_MARKER = 'listening';

export interface PendingItem {
  id: string;
  correlationId: string | null;
  traceparent: string | null;
}

export interface ClaimedEvent {
  event_id: string;
  correlation_id: string | null;
  traceparent: string | null;
  attempts: number;
}

/** Writes ids to the queue (one INSERT); returns how many were new there. */
export async function insertPending(db: SqlQueryable, items: PendingItem[]): Promise<number> {
  const rows = await db.query<{ event_id: string }>(
    `INSERT INTO ml_pending_events (event_id, correlation_id, traceparent)
     SELECT u.id, u.cid, u.tp FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(id, cid, tp)
     ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
    [items.map((b) => b.id), items.map((b) => b.correlationId), items.map((b) => b.traceparent)],
  );
  return rows.length;
}

/** Takes up to `CLAIM` available events for this worker (a lease), oldest first. */
export async function claimBatch(db: SqlQueryable): Promise<ClaimedEvent[]> {
  return db.query<ClaimedEvent>(
    `UPDATE ml_pending_events q
     SET available_at = now() + make_interval(secs => ${LEASE_SECONDS}), attempts = q.attempts + 1
     WHERE q.event_id IN (
       SELECT event_id FROM ml_pending_events WHERE available_at <= now()
       ORDER BY available_at, event_id LIMIT ${CLAIM} FOR UPDATE SKIP LOCKED)
     RETURNING q.event_id, q.correlation_id, q.traceparent, q.attempts`,
  );
}

/** Done events leave the queue; returns how many left. */
export async function removePending(db: SqlQueryable, ids: string[]): Promise<number> {
  return (await db.query(`DELETE FROM ml_pending_events WHERE event_id = ANY($1::uuid[]) RETURNING event_id`, [ids]))
    .length;
}

/** A failed batch becomes available again after `waitSeconds`, with the error that stopped it. */
export async function backOffPending(
  db: SqlQueryable,
  ids: string[],
  waitSeconds: number,
  error: string,
): Promise<void> {
  await db.query(
    `UPDATE ml_pending_events SET available_at = now() + make_interval(secs => $2::float8), last_error = $3
     WHERE event_id = ANY($1::uuid[])`,
    [ids, waitSeconds, error.slice(0, 500)],
  );
}

/** Leases of a crashed worker end now (only safe for a process that owns the database, i.e. PGlite). */
export async function releaseLeases(db: SqlQueryable): Promise<void> {
  await db.query(`UPDATE ml_pending_events SET available_at = now() WHERE available_at > now()`);
}

export async function countPending(db: SqlQueryable): Promise<{ n: number; oldest: string | null }> {
  const [r] = await db.query<{ n: number; oldest: Date | string | null }>(
    `SELECT count(*)::int AS n, min(enqueued_at) AS oldest FROM ml_pending_events`,
  );
  return { n: r!.n, oldest: r!.oldest ? new Date(r!.oldest).toISOString() : null };
}

/** Of `ids`, those already predicted or queued. */
export async function knownEventIds(db: SqlQueryable, ids: string[]): Promise<Set<string>> {
  const known = await db.query<{ id: string }>(
    `SELECT event_id AS id FROM predictions WHERE event_id = ANY($1::uuid[])
     UNION SELECT event_id FROM ml_pending_events WHERE event_id = ANY($1::uuid[])`,
    [ids],
  );
  return new Set(known.map((k) => k.id));
}

/** Records that a pipeline listens now (never moves the marker back). */
export async function markListening(db: SqlQueryable): Promise<void> {
  await db.query(
    `INSERT INTO ml_pipeline_markers (name, at) VALUES ($1, now())
     ON CONFLICT (name) DO UPDATE SET at = GREATEST(ml_pipeline_markers.at, now())`,
    [LISTENING_MARKER],
  );
}

/** When a pipeline last said it listened, or null when none ever did. */
export async function lastListening(db: SqlQueryable): Promise<Date | null> {
  const [m] = await db.query<{ at: Date | string }>(`SELECT at FROM ml_pipeline_markers WHERE name = $1`, [
    LISTENING_MARKER,
  ]);
  return m ? new Date(m.at) : null;
}
