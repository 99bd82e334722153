// Retention of the two resumable histories: alerts (alertRaised(after:)) and the hotspot change log
// (hotspotDetected(after:)). Each run removes a PREFIX of a history by seq — every row up to the newest one older
// than the retention period — and records how far it got (history_retention.pruned_through), so that a subscriber
// resuming from an older cursor is told its cursor expired instead of silently missing the removed rows.
import type { PluginDatabase, SqlQueryable } from '@carbon-nexus/db';
import { badInput } from '@carbon-nexus/plugin-sdk';
import { lockChanges } from './hotspot-changes.ts';

export type HistoryStream = 'alerts' | 'hotspot_changes';

const HISTORY: Record<HistoryStream, { table: string; at: string; setting: string }> = {
  alerts: { table: 'alerts', at: 'created_at', setting: 'ALERTS_RETENTION_DAYS' },
  hotspot_changes: { table: 'hotspot_changes', at: 'at', setting: 'HOTSPOT_CHANGES_RETENTION_DAYS' },
};

export interface PruneResult {
  stream: HistoryStream;
  removed: number;
  /** The highest seq removed so far by any run (null: nothing ever removed). */
  prunedThrough: string | null;
}

/** Removes the rows of `stream` older than `days` (as a seq prefix) and advances its pruned_through mark. */
export async function pruneHistory(db: PluginDatabase, stream: HistoryStream, days: number): Promise<PruneResult> {
  const { table, at } = HISTORY[stream];
  return db.transaction(async (tx) => {
    // Under detection's lock, as every writer of these seq values: no row is being added below the cut meanwhile.
    await lockChanges(tx);
    const [cut] = await tx.query<{ seq: string | null }>(
      `SELECT max(seq)::text AS seq FROM ${table} WHERE ${at} < now() - make_interval(days => $1::int)`,
      [days],
    );
    if (cut?.seq == null) return { stream, removed: 0, prunedThrough: await prunedThrough(tx, stream) };
    const [d] = await tx.query<{ n: number }>(
      `WITH d AS (DELETE FROM ${table} WHERE seq <= $1::bigint RETURNING 1) SELECT count(*)::int AS n FROM d`,
      [cut.seq],
    );
    const removed = d?.n ?? 0;
    const [mark] = await tx.query<{ seq: string }>(
      `INSERT INTO history_retention (stream, pruned_through, rows_pruned, pruned_at) VALUES ($1, $2::bigint, $3, now())
       ON CONFLICT (stream) DO UPDATE SET
         pruned_through = GREATEST(history_retention.pruned_through, EXCLUDED.pruned_through),
         rows_pruned = history_retention.rows_pruned + EXCLUDED.rows_pruned,
         pruned_at = now()
       RETURNING pruned_through::text AS seq`,
      [stream, cut.seq, removed],
    );
    return { stream, removed, prunedThrough: mark!.seq };
  });
}

async function prunedThrough(db: SqlQueryable, stream: HistoryStream): Promise<string | null> {
  const [row] = await db.query<{ seq: string }>(
    `SELECT pruned_through::text AS seq FROM history_retention WHERE stream = $1`,
    [stream],
  );
  return row?.seq ?? null;
}

/**
 * Refuses a resume cursor older than the kept history of `stream` (rows after it may have been removed), naming
 * `after`, the mark and the setting. A cursor at or past the mark resumes with nothing missing.
 */
export async function assertCursorKept(db: SqlQueryable, stream: HistoryStream, after: bigint | null): Promise<void> {
  if (after === null) return;
  const mark = await prunedThrough(db, stream);
  if (mark !== null && after < BigInt(mark))
    throw badInput(
      'after',
      `cursor ${after} has expired: ${stream === 'alerts' ? 'alerts' : 'hotspot changes'} up to ${mark} were removed ` +
        `by the retention job (${HISTORY[stream].setting}); subscribe without after and read the current state ` +
        `(${stream === 'alerts' ? 'alerts' : 'hotspots'} query) instead`,
    );
}
