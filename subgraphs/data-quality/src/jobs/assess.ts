// assessQuality: one run over [from, to) — cadence learning, outliers (IQR + DBSCAN) -> data-core flagEvents,
// gap detection and regression gap-fill -> data-core ingestEvents (GAP_FILL), completeness windows -> data_quality.
// Reads hourly counts with ONE data-core emissionsSeries call (bucket HOUR, groupBy SUPPLIER) per run.
import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import type { Config } from '../config.ts';
import type { State } from '../state.ts';
import {
  completenessWindows,
  floorHour,
  HOUR_MS,
  DAY_MS,
  learnCadence,
  type CadenceProfile,
  type HourCounts,
} from '../domain/completeness.ts';
import { detectGaps } from '../domain/gaps.ts';
import { supplierOutliers, type OutlierEvent, type OutlierFlag } from '../domain/outliers.ts';
import { contextOf, modelId, predictFill } from '../domain/gapfill-model.ts';
import { allEvents, emissionsSeries, flagEvents, ingestEvents, supplierMeta, type DataSource } from '../datacore.ts';
import { cadenceRows, getThresholds, insertMany } from '../store.ts';
import { qualityUpdated } from '../../client/topics.ts';

export interface RunResult {
  from: string;
  to: string;
  suppliersAssessed: number;
  windowsWritten: number;
  outliersFlagged: number;
  gapsDetected: number;
  gapsFilled: number;
  fillsSuperseded: number;
  model: string;
}

export const REAL_SOURCES: DataSource[] = ['API', 'CSV', 'STREAM', 'MOCK', 'IMPORT'];

/** The scheduled window: the last QUALITY_LOOKBACK_HOURS completed hours. */
export function scheduledWindow(config: Config, now: Date): { from: number; to: number } {
  const to = floorHour(now.getTime());
  return { from: to - config.QUALITY_LOOKBACK_HOURS * HOUR_MS, to };
}

export async function assessQuality(
  services: PluginServices<Config>,
  state: State,
  from: number,
  to: number,
  now = Date.now(),
): Promise<RunResult> {
  // One run at a time per process (scheduled and on-demand runs queue behind each other); a stop waits for it.
  const run = state.lock.then(() => runOnce(services, state, from, to, now));
  state.lock = run.catch(() => undefined);
  return services.lifecycle.track(run);
}

async function runOnce(
  services: PluginServices<Config>,
  state: State,
  fromIn: number,
  toIn: number,
  now: number,
): Promise<RunResult> {
  const { db, config, logger } = services;
  const from = floorHour(fromIn);
  const to = Math.min(Math.ceil(toIn / HOUR_MS) * HOUR_MS, floorHour(now));
  const result: RunResult = {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    suppliersAssessed: 0,
    windowsWritten: 0,
    outliersFlagged: 0,
    gapsDetected: 0,
    gapsFilled: 0,
    fillsSuperseded: 0,
    model: modelId(state.model),
  };
  if (to <= from) return result;
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string) => {
    const t = performance.now();
    timings[name] = Math.round(t - mark);
    mark = t;
  };
  const thresholds = await getThresholds(db, config);
  const learnFrom = to - config.QUALITY_CADENCE_DAYS * DAY_MS;
  // History for the gap-fill context (trailing 168 h level, 14-day profile) and cadence learning; +1 h for the next-hour ratio.
  const seriesFrom = Math.min(from - 14 * DAY_MS, learnFrom);
  const seriesTo = Math.min(to + HOUR_MS, floorHour(now));

  // 1. Hourly counts per supplier: one call.
  const series = await emissionsSeries(services, {
    from: new Date(seriesFrom).toISOString(),
    to: new Date(seriesTo).toISOString(),
    bucket: 'HOUR',
    groupBy: 'SUPPLIER',
  });
  const bySupplier = new Map<string, Map<number, HourCounts>>();
  for (const p of series) {
    const hour = Date.parse(p.bucketStart);
    let m = bySupplier.get(p.key);
    if (!m) bySupplier.set(p.key, (m = new Map()));
    m.set(hour, { hour, real: p.eventCount - p.predictedCount, predicted: p.predictedCount, co2eKg: p.co2eKg });
  }

  lap('series');
  // 2. Cadence: learn from [to − N days, to), keep overrides.
  const cadences = await cadenceRows(db);
  const profiles = new Map<string, CadenceProfile>();
  const learnedRows: unknown[][] = [];
  for (const [supplierId, byHour] of bySupplier) {
    const learned = learnCadence([...byHour.values()], learnFrom, to);
    const override = cadences.get(supplierId)?.override_per_hour ?? null;
    profiles.set(supplierId, {
      perHour: override ?? learned.learnedPerHour,
      activeHoursOfDay: learned.activeHoursOfDay,
      firstSeen:
        learned.firstSeen ??
        [...byHour.values()]
          .filter((h) => h.real > 0)
          .map((h) => h.hour)
          .sort((a, b) => a - b)[0] ??
        null,
    });
    learnedRows.push([
      supplierId,
      learned.learnedPerHour,
      learned.learnedFromHours,
      learned.activeHoursOfDay,
      new Date(now),
    ]);
  }
  await insertMany(
    db,
    'supplier_cadence',
    ['supplier_id', 'learned_per_hour', 'learned_from_hours', 'active_hours_of_day', 'learned_at'],
    learnedRows,
    `ON CONFLICT (supplier_id) DO UPDATE SET learned_per_hour = EXCLUDED.learned_per_hour, learned_from_hours = EXCLUDED.learned_from_hours,
       active_hours_of_day = EXCLUDED.active_hours_of_day, learned_at = EXCLUDED.learned_at`,
  );

  lap('cadence');
  // 3. Outliers over the window's real events.
  const events = await allEvents(services, {
    from: result.from,
    to: result.to,
    dataSources: REAL_SOURCES,
    qualityStatuses: ['VALID', 'SUSPECT'],
  });
  // Names (for reasons) and categories (for fills) of every supplier in the run: one call.
  const meta = await supplierMeta(services, [...new Set([...bySupplier.keys(), ...events.map((e) => e.supplierId)])]);
  lap('events');
  const eventsBySupplier = new Map<string, OutlierEvent[]>();
  for (const e of events) {
    let l = eventsBySupplier.get(e.supplierId);
    if (!l) eventsBySupplier.set(e.supplierId, (l = []));
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
  const flags: OutlierFlag[] = [];
  for (const list of eventsBySupplier.values()) flags.push(...supplierOutliers(list, thresholds));
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
  result.outliersFlagged = new Set(inserted.map((r) => r.event_id)).size;
  // Send every not-yet-synced flag (this run's and any a previous run could not deliver), one per event.
  const pending = await db.query<{ event_id: string; reasons: string[] }>(
    `SELECT event_id, array_agg(reason ORDER BY method, metric) AS reasons FROM data_quality_flags WHERE synced_at IS NULL GROUP BY event_id`,
  );
  if (pending.length) {
    await flagEvents(
      services,
      pending.map((p) => ({
        eventId: p.event_id,
        status: 'SUSPECT' as const,
        reason: p.reasons.join('; ').slice(0, 500),
      })),
    );
    await db.query(
      `UPDATE data_quality_flags SET synced_at = now() WHERE synced_at IS NULL AND event_id = ANY($1::uuid[])`,
      [pending.map((p) => p.event_id)],
    );
  }

  lap('outliers');
  // 4. Gaps: supersede fills where real data arrived, fill new gaps.
  const gapRows = await db.query<{
    id: string;
    supplier_id: string;
    window_start: Date;
    status: string;
    event_id: string | null;
  }>(
    `SELECT id, supplier_id, window_start, status, event_id FROM gap_fills WHERE window_start >= $1 AND window_start < $2`,
    [new Date(from), new Date(to)],
  );
  const gapKey = (s: string, h: number) => `${s}|${h}`;
  const known = new Map(gapRows.map((r) => [gapKey(r.supplier_id, new Date(r.window_start).getTime()), r]));
  const superseded: string[] = [];
  for (const r of gapRows) {
    if (r.status === 'superseded') continue;
    const c = bySupplier.get(r.supplier_id)?.get(new Date(r.window_start).getTime());
    if (c && c.real > 0) superseded.push(r.id);
  }
  if (superseded.length) {
    await db.query(`UPDATE gap_fills SET status = 'superseded', updated_at = now() WHERE id = ANY($1::uuid[])`, [
      superseded,
    ]);
    result.fillsSuperseded = superseded.length;
  }

  interface Todo {
    id: string;
    supplierId: string;
    hour: number;
    expected: number;
    co2eKg: number | null;
    confidence: number | null;
  }
  const todo: Todo[] = [];
  for (const [supplierId, byHour] of bySupplier) {
    const profile = profiles.get(supplierId)!;
    const gaps = detectGaps(byHour, profile, from, to, { minExpected: config.QUALITY_GAP_MIN_EXPECTED });
    result.gapsDetected += gaps.length;
    const real = (t: number) => {
      const c = byHour.get(t);
      return c && c.real > 0 ? c.co2eKg : null;
    };
    for (const g of gaps) {
      const prev = known.get(gapKey(supplierId, g.hour));
      // Already filled (and the fill is still there) or already known as unfillable with no new context: skip.
      if (prev && prev.status === 'filled' && prev.event_id && g.filled) continue;
      if (prev?.status === 'superseded') continue;
      const x = contextOf(g.hour, real);
      const fill = x ? predictFill(state.model, x) : null;
      todo.push({
        id: prev?.id ?? crypto.randomUUID(),
        supplierId,
        hour: g.hour,
        expected: g.expected,
        co2eKg: fill?.co2eKg ?? null,
        confidence: fill?.confidence ?? null,
      });
    }
  }
  if (todo.length) {
    // Durable fact first: the gap rows (status filled, event id pending / unfilled).
    await insertMany(
      db,
      'gap_fills',
      [
        'id',
        'supplier_id',
        'window_start',
        'window_end',
        'expected_count',
        'co2e_kg',
        'confidence',
        'predicted_by',
        'status',
      ],
      todo.map((t) => [
        t.id,
        t.supplierId,
        new Date(t.hour),
        new Date(t.hour + HOUR_MS),
        t.expected,
        t.co2eKg,
        t.confidence,
        t.co2eKg == null ? null : modelId(state.model),
        t.co2eKg == null ? 'unfilled' : 'filled',
      ]),
      `ON CONFLICT (supplier_id, window_start) DO UPDATE SET co2e_kg = EXCLUDED.co2e_kg, confidence = EXCLUDED.confidence,
         predicted_by = EXCLUDED.predicted_by, status = EXCLUDED.status, expected_count = EXCLUDED.expected_count, updated_at = now()`,
    );
    const fills = todo.filter((t) => t.co2eKg != null);
    if (fills.length && config.QUALITY_GAPFILL_ENABLED) {
      // A supplier's category names the kind of its activity (data-core's SupplierCategory and EventType share values).
      const types = new Map(fills.map((f) => [f.supplierId, meta.get(f.supplierId)?.category ?? 'TRANSPORT']));
      const results = await ingestEvents(
        services,
        fills.map((f) => ({
          externalId: `gapfill:${new Date(f.hour).toISOString()}`,
          supplierId: f.supplierId,
          eventType: types.get(f.supplierId)!,
          timestamp: new Date(f.hour).toISOString(),
          dataSource: 'GAP_FILL',
          co2eKg: f.co2eKg,
          confidence: f.confidence,
          predictedBy: modelId(state.model),
          attributes: { expectedEvents: f.expected },
        })),
      );
      const ok: [string, string][] = [];
      for (const r of results) {
        const f = fills[r.index];
        if ((r.status === 'ACCEPTED' || r.status === 'DUPLICATE') && r.eventId) {
          ok.push([f.id, r.eventId]);
          const c = bySupplier.get(f.supplierId)!.get(f.hour);
          if (r.status === 'ACCEPTED') {
            if (c) c.predicted += 1;
            else bySupplier.get(f.supplierId)!.set(f.hour, { hour: f.hour, real: 0, predicted: 1, co2eKg: f.co2eKg! });
          }
        } else {
          logger.warn(
            { supplierId: f.supplierId, hour: new Date(f.hour).toISOString(), status: r.status, errors: r.errors },
            'gap fill not accepted by data-core',
          );
        }
      }
      for (const [id, eventId] of ok)
        await db.query(`UPDATE gap_fills SET event_id = $2, updated_at = now() WHERE id = $1`, [id, eventId]);
      result.gapsFilled = ok.length;
    }
  }

  lap('gaps');
  // 5. Completeness windows (hour + day) with anomaly counts.
  const anomalies = await db.query<{ supplier_id: string; event_timestamp: Date }>(
    `SELECT DISTINCT ON (event_id) supplier_id, event_timestamp FROM data_quality_flags WHERE event_timestamp >= $1 AND event_timestamp < $2`,
    [new Date(Math.floor(from / DAY_MS) * DAY_MS), new Date(to + DAY_MS)],
  );
  const anomalyCount = new Map<string, number>();
  for (const a of anomalies) {
    const t = new Date(a.event_timestamp).getTime();
    for (const k of [
      `${a.supplier_id}|hour|${floorHour(t)}`,
      `${a.supplier_id}|day|${Math.floor(t / DAY_MS) * DAY_MS}`,
    ])
      anomalyCount.set(k, (anomalyCount.get(k) ?? 0) + 1);
  }
  const windowRows: unknown[][] = [];
  for (const [supplierId, byHour] of bySupplier) {
    const windows = completenessWindows(byHour, profiles.get(supplierId)!, from, to);
    if (!windows.length) continue;
    result.suppliersAssessed++;
    for (const w of windows) {
      windowRows.push([
        crypto.randomUUID(),
        supplierId,
        w.granularity,
        new Date(w.windowStart),
        w.expectedCount,
        w.realCount,
        w.predictedCount,
        w.completenessPct,
        w.predictedPct,
        anomalyCount.get(`${supplierId}|${w.granularity}|${w.windowStart}`) ?? 0,
      ]);
    }
  }
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
    windowRows,
    `ON CONFLICT (supplier_id, granularity, window_start) DO UPDATE SET expected_count = EXCLUDED.expected_count, real_count = EXCLUDED.real_count,
       predicted_count = EXCLUDED.predicted_count, completeness_pct = EXCLUDED.completeness_pct, predicted_pct = EXCLUDED.predicted_pct,
       anomalies_count = EXCLUDED.anomalies_count, updated_at = now()`,
  );
  result.windowsWritten = windowRows.length;

  await services.bus.publish(qualityUpdated, { supplierIds: [...bySupplier.keys()], from: result.from, to: result.to });
  services.metrics.counter('data_quality_gap_fills_total', 'Gap fills written to data-core').inc(result.gapsFilled);
  services.metrics
    .counter('data_quality_outliers_total', 'Events flagged SUSPECT by data-quality')
    .inc(result.outliersFlagged);
  lap('windows');
  logger.info({ ...result, timingsMs: timings }, 'data quality assessed');
  return result;
}
