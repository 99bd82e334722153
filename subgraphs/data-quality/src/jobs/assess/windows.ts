// Step 5: hour and day completeness windows per supplier, with the flagged events counted in each -> data_quality.
import { completenessWindows, DAY_MS, floorHour, type CadenceProfile } from '../../domain/completeness.ts';
import { insertMany } from '../../store.ts';
import type { Run, RunResult, SupplierHours } from './run.ts';

export type WindowCounts = Pick<RunResult, 'suppliersAssessed' | 'windowsWritten'>;

export interface AnomalyRow {
  supplier_id: string;
  event_timestamp: Date;
}

export const anomalyKey = (supplierId: string, granularity: 'hour' | 'day', windowStart: number) =>
  `${supplierId}|${granularity}|${windowStart}`;

export async function writeWindows(
  run: Run,
  hours: SupplierHours,
  profiles: ReadonlyMap<string, CadenceProfile>,
): Promise<WindowCounts> {
  const { db } = run.services;
  const { from, to } = run.window;
  // Whole days: day windows reach past [from, to) at both ends.
  const anomalies = await db.query<AnomalyRow>(
    `SELECT DISTINCT ON (event_id) supplier_id, event_timestamp FROM data_quality_flags WHERE event_timestamp >= $1 AND event_timestamp < $2`,
    [new Date(Math.floor(from / DAY_MS) * DAY_MS), new Date(to + DAY_MS)],
  );
  const { rows, suppliersAssessed } = windowRows(hours, profiles, from, to, anomalyCounts(anomalies));
  await insertMany(
    db,
    'data_quality',
    [
      'id',
      'supplier_id',
      'granularity',
      'window_start',
      'expected_count',
      'real_count',
      'predicted_count',
      'completeness_pct',
      'predicted_pct',
      'anomalies_count',
    ],
    rows,
    `ON CONFLICT (supplier_id, granularity, window_start) DO UPDATE SET expected_count = EXCLUDED.expected_count, real_count = EXCLUDED.real_count,
       predicted_count = EXCLUDED.predicted_count, completeness_pct = EXCLUDED.completeness_pct, predicted_pct = EXCLUDED.predicted_pct,
       anomalies_count = EXCLUDED.anomalies_count, updated_at = now()`,
  );
  return { suppliersAssessed, windowsWritten: rows.length };
}

/** data_quality rows of every supplier with a window (one expecting or holding data) in [from, to). */
function windowRows(
  hours: SupplierHours,
  profiles: ReadonlyMap<string, CadenceProfile>,
  from: number,
  to: number,
  anomalyCount: ReadonlyMap<string, number>,
): { rows: unknown[][]; suppliersAssessed: number } {
  const rows: unknown[][] = [];
  let suppliersAssessed = 0;
  for (const [supplierId, byHour] of hours) {
    const windows = completenessWindows(byHour, profiles.get(supplierId)!, from, to);
    if (!windows.length) continue;
    suppliersAssessed++;
    for (const w of windows) {
      rows.push([
        crypto.randomUUID(),
        supplierId,
        w.granularity,
        new Date(w.windowStart),
        w.expectedCount,
        w.realCount,
        w.predictedCount,
        w.completenessPct,
        w.predictedPct,
        anomalyCount.get(anomalyKey(supplierId, w.granularity, w.windowStart)) ?? 0,
      ]);
    }
  }
  return { rows, suppliersAssessed };
}

/** Flagged events per supplier window (anomalyKey): each counts in its hour and in its UTC day. */
export function anomalyCounts(rows: readonly AnomalyRow[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of rows) {
    const t = new Date(a.event_timestamp).getTime();
    for (const k of [
      anomalyKey(a.supplier_id, 'hour', floorHour(t)),
      anomalyKey(a.supplier_id, 'day', Math.floor(t / DAY_MS) * DAY_MS),
    ])
      out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}
