// The hotspot change log (table hotspot_changes): every change of a hotspot (created, escalated, updated, resolved,
// acknowledged) with a monotonic seq, written in the transaction that changes the hotspot row. hotspotDetected(after:)
// replays it from a cursor. Every writer holds CHANGE_LOCK (detection's advisory lock) until it commits, so seq values
// become visible in order: a reader that sees seq n has seen every change before it (the argument alert seq relies on).
import type { SqlQueryable } from '@carbon-nexus/db';
import type { HotspotChanged } from '../../client/topics.ts';
import { HOTSPOT_COLUMNS, type HotspotRow } from './rows.ts';

/** Serializes detection cycles across processes and orders every writer of alert and hotspot change seq values. */
export const CHANGE_LOCK = 7_340_021;

/** Takes CHANGE_LOCK until the transaction ends: call it before the transaction changes any hotspot row. */
export async function lockChanges(tx: SqlQueryable): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock($1)`, [CHANGE_LOCK]);
}

/**
 * Logs `changes` in their order (the caller holds CHANGE_LOCK) and sets each one's `seq`. A hotspot appears at most
 * once per call: its seq is read back by hotspot id.
 */
export async function logHotspotChanges(tx: SqlQueryable, changes: HotspotChanged[]): Promise<void> {
  if (!changes.length) return;
  const rows = await tx.query<{ seq: string | bigint; hotspot_id: string }>(
    `INSERT INTO hotspot_changes (hotspot_id, change, severity, supplier_id, at)
     SELECT c.hotspot_id, c.change, c.severity, c.supplier_id, now()
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[]) WITH ORDINALITY AS c(hotspot_id, change, severity, supplier_id, ord)
     ORDER BY c.ord
     RETURNING seq, hotspot_id::text AS hotspot_id`,
    [
      changes.map((c) => c.id),
      changes.map((c) => c.change),
      changes.map((c) => c.severity),
      changes.map((c) => c.supplierId),
    ],
  );
  const seqOf = new Map(rows.map((r) => [r.hotspot_id, String(r.seq)]));
  if (seqOf.size !== changes.length) throw new Error('logHotspotChanges: one change per hotspot per call');
  for (const c of changes) c.seq = seqOf.get(c.id);
}

/**
 * A logged change with the hotspot's CURRENT row (its columns null when the hotspot no longer exists). change_seq is
 * null only for a change its producer did not log (built by the reader, never read from the table).
 */
export type HotspotChangeRow = { change_seq: string | null; change_kind: string; change_at: Date | string } & (
  | HotspotRow
  | { [K in keyof HotspotRow]: null }
);

/** Logged changes joined to their hotspot's current row, in seq order; `where` is on the change (alias c). */
export const changesWhere = (where: string, limit: number) =>
  `SELECT c.seq::text AS change_seq, c.change AS change_kind, c.at AS change_at, h.*
   FROM hotspot_changes c
   LEFT JOIN LATERAL (SELECT ${HOTSPOT_COLUMNS} FROM hotspots WHERE hotspots.id = c.hotspot_id) h ON true
   WHERE ${where}
   ORDER BY c.seq
   LIMIT ${limit}`;
