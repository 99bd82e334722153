// Step 3: outliers (IQR + DBSCAN) over the window's real events. Flags are stored in data_quality_flags first (the
// durable fact), then every flag not yet delivered — this run's and any an earlier run could not send — goes to
// data-core flagEvents as SUSPECT and is marked synced.
import type { SqlQueryable } from '@carbon-nexus/db';
import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import { supplierOutliers, type OutlierEvent, type OutlierFlag, type Thresholds } from '../../domain/outliers.ts';
import {
  allEvents,
  flagEvents,
  supplierMeta,
  type DataSource,
  type DcEvent,
  type SupplierMeta,
} from '../../datacore.ts';
import { insertMany } from '../../store.ts';
import type { Run, SupplierHours } from './run.ts';

/** Every data source but GAP_FILL: fills are never judged as outliers. */
export const REAL_SOURCES: DataSource[] = ['API', 'CSV', 'STREAM', 'MOCK', 'IMPORT'];

export interface RunEvents {
  /** The window's real VALID and SUSPECT events. */
  events: DcEvent[];
  /** Names (for reasons) and categories (for fills) of every supplier in the run. */
  meta: Map<string, SupplierMeta>;
}

export async function loadEvents(run: Run, hours: SupplierHours): Promise<RunEvents> {
  const events = await allEvents(run.services, {
    from: new Date(run.window.from).toISOString(),
    to: new Date(run.window.to).toISOString(),
    dataSources: REAL_SOURCES,
    qualityStatuses: ['VALID', 'SUSPECT'],
  });
  // One call for the suppliers of both the counts and the events.
  const meta = await supplierMeta(run.services, [...new Set([...hours.keys(), ...events.map((e) => e.supplierId)])]);
  return { events, meta };
}

/** Flags this run and delivers pending ones; returns the number of events newly flagged. */
export async function flagOutliers(run: Run, { events, meta }: RunEvents, thresholds: Thresholds): Promise<number> {
  const flags: OutlierFlag[] = [];
  for (const list of outlierEventsBySupplier(events, meta).values()) flags.push(...supplierOutliers(list, thresholds));
  const flagged = await insertFlags(run.services.db, flags);
  await syncFlags(run.services);
  return flagged;
}

/** Events grouped per supplier (a supplier's fences come from its own distribution), with its name for reasons. */
export function outlierEventsBySupplier(
  events: readonly DcEvent[],
  meta: ReadonlyMap<string, SupplierMeta>,
): Map<string, OutlierEvent[]> {
  const out = new Map<string, OutlierEvent[]>();
  for (const e of events) {
    let l = out.get(e.supplierId);
    if (!l) out.set(e.supplierId, (l = []));
    l.push({
      id: e.id,
      supplierId: e.supplierId,
      supplierName: meta.get(e.supplierId)?.name,
      timestamp: e.timestamp,
      co2eKg: e.co2eKg,
      distanceKm: e.distanceKm,
      loadKg: e.loadKg,
      tonneKm: e.tonneKm,
      eventType: e.eventType,
      vehicleType: e.vehicleType,
      productionUnits: e.productionUnits,
      areaM2: e.areaM2,
    });
  }
  return out;
}

/** Stores the flags (a flag already stored for the event, method and metric is kept); returns events newly flagged. */
async function insertFlags(db: SqlQueryable, flags: readonly OutlierFlag[]): Promise<number> {
  const inserted = await insertMany<{ event_id: string }>(
    db,
    'data_quality_flags',
    [
      'id',
      'event_id',
      'supplier_id',
      'event_timestamp',
      'method',
      'metric',
      'value',
      'lower_fence',
      'upper_fence',
      'reason',
    ],
    flags.map((f) => [
      crypto.randomUUID(),
      f.eventId,
      f.supplierId,
      new Date(f.timestamp),
      f.method,
      f.metric,
      f.value,
      f.lowerFence,
      f.upperFence,
      f.reason,
    ]),
    'ON CONFLICT (event_id, method, metric) DO NOTHING RETURNING event_id',
  );
  return new Set(inserted.map((r) => r.event_id)).size;
}

/** Sends every not-yet-synced flag, one per event, then marks them synced (a failed send is retried next run). */
async function syncFlags(services: PluginServices): Promise<void> {
  const pending = await services.db.query<PendingFlag>(
    `SELECT event_id, array_agg(reason ORDER BY method, metric) AS reasons FROM data_quality_flags WHERE synced_at IS NULL GROUP BY event_id`,
  );
  if (!pending.length) return;
  await flagEvents(services, flagRequests(pending));
  await services.db.query(
    `UPDATE data_quality_flags SET synced_at = now() WHERE synced_at IS NULL AND event_id = ANY($1::uuid[])`,
    [pending.map((p) => p.event_id)],
  );
}

export interface PendingFlag {
  event_id: string;
  /** Reasons of the event's flags, ordered by method and metric. */
  reasons: string[];
}

/** One SUSPECT flag per event, its reasons joined and cut to data-core's limit of 500 characters. */
export function flagRequests(pending: readonly PendingFlag[]) {
  return pending.map((p) => ({
    eventId: p.event_id,
    status: 'SUSPECT' as const,
    reason: p.reasons.join('; ').slice(0, 500),
  }));
}
