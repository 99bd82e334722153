// 7-day hourly forecasts per supplier and in total, with 80 % / 95 % bands from the models library's forecaster.
// History: hourly sums of our own predictions; when there is less than a week of them, data-core's
// emissionsSeries (activity-based estimates). Results are persisted in `forecasts` and reused for an hour.
import { GraphQLError } from 'graphql';
import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import { contiguousHourly, predictionAggregates } from './aggregates.ts';
import { backtestSeries, forecastSeries, type BacktestResult, type ForecastPoint } from './models-adapter.ts';

export const FORECAST_METHOD = 'seasonal-decomposition (hour-of-week profile, weekly trend, AR(1) correction) + backtest-calibrated bands (@carbon-nexus/models)';
const H = 3600_000;
const WEEK = 168;
/** History window read for a forecast: 8 weeks (6 for the profile + room for a 4-fold backtest). */
const HISTORY_HOURS = 8 * WEEK;
export const CACHE_MS = 3600_000;

export interface ForecastRecord {
  id: string;
  entityType: string;
  entityId: string;
  horizonHours: number;
  model: string;
  historySource: string;
  historyHours: number;
  series: ForecastPoint[];
  backtest: BacktestResult | null;
  createdAt: string;
}

export class NotEnoughHistory extends GraphQLError {
  constructor(entity: string, hours: number) {
    super(`forecast for ${entity} needs at least ${WEEK} hours (one week) of hourly history; ${hours} available`, {
      extensions: { code: 'NOT_ENOUGH_DATA', hours },
    });
  }
}

const EMISSIONS_SERIES = /* GraphQL */ `
  query MlEngineHistory($from: String!, $to: String!, $groupBy: EmissionsGroupBy, $supplierIds: [ID!]) {
    emissionsSeries(from: $from, to: $to, bucket: HOUR, groupBy: $groupBy, supplierIds: $supplierIds) { bucketStart key co2eKg }
  }
`;

function rowToRecord(r: { id: string; entity_type: string; entity_id: string; horizon_hours: number; model: string; series: any; metrics: any; created_at: Date | string }): ForecastRecord {
  const series = typeof r.series === 'string' ? JSON.parse(r.series) : r.series;
  const metrics = typeof r.metrics === 'string' ? JSON.parse(r.metrics) : r.metrics;
  return {
    id: r.id,
    entityType: r.entity_type,
    entityId: r.entity_id,
    horizonHours: Number(r.horizon_hours),
    model: r.model,
    historySource: metrics?.historySource ?? 'predictions',
    historyHours: Number(metrics?.historyHours ?? 0),
    series,
    backtest: metrics?.backtest ?? null,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

export async function latestForecast(services: PluginServices<any>, entityType: string, entityId: string, horizonHours: number, maxAgeMs = CACHE_MS): Promise<ForecastRecord | null> {
  const rows = await services.db.query<any>(
    `SELECT id, entity_type, entity_id, horizon_hours, model, series, metrics, created_at FROM forecasts
     WHERE entity_type = $1 AND entity_id = $2 AND horizon_hours = $3 AND created_at > $4
     ORDER BY created_at DESC LIMIT 1`,
    [entityType, entityId, horizonHours, new Date(Date.now() - maxAgeMs).toISOString()],
  );
  return rows[0] ? rowToRecord(rows[0]) : null;
}

async function loadHistory(services: PluginServices<any>, entityType: string, entityId: string, end: Date): Promise<{ source: string; points: { t: string; value: number }[] }> {
  const from = new Date(end.getTime() - HISTORY_HOURS * H);
  const supplierIds = entityType === 'supplier' ? [entityId] : null;
  const agg = await predictionAggregates(services.db, { from, to: end, bucket: 'HOUR', groupBy: 'NONE', supplierIds });
  const fromPredictions = contiguousHourly(agg, end);
  if (fromPredictions.length >= WEEK) return { source: 'predictions', points: fromPredictions };
  // Too little prediction history: fall back to data-core's activity-based hourly series.
  try {
    const data: any = await services.call('data-core', EMISSIONS_SERIES, {
      from: from.toISOString(),
      to: end.toISOString(),
      groupBy: 'NONE',
      supplierIds,
    });
    const pts = contiguousHourly(data.emissionsSeries as { bucketStart: string; co2eKg: number }[], end);
    if (pts.length > fromPredictions.length) return { source: 'emissionsSeries', points: pts };
  } catch (err) {
    services.logger.warn({ err }, 'data-core emissionsSeries unavailable for forecast history');
  }
  return { source: 'predictions', points: fromPredictions };
}

/** Computes, persists and returns a forecast (no cache). `end` = first hour not in the history (default: this hour). */
export async function computeForecast(services: PluginServices<any>, entityType: string, entityId: string, horizonHours: number, end = new Date(Math.floor(Date.now() / H) * H)): Promise<ForecastRecord> {
  const { source, points } = await loadHistory(services, entityType, entityId, end);
  if (points.length < WEEK) throw new NotEnoughHistory(entityType === 'total' ? 'the total' : `${entityType} ${entityId}`, points.length);
  const series = forecastSeries(points, { horizonHours });
  const folds = Math.min(4, Math.floor((points.length - WEEK) / horizonHours));
  let backtest: BacktestResult | null = null;
  if (folds >= 1) {
    try {
      backtest = backtestSeries(points, { horizonHours, folds });
    } catch (err) {
      services.logger.warn({ err, entityType, entityId }, 'forecast backtest failed');
    }
  }
  const metrics = { backtest, historySource: source, historyHours: points.length };
  const rows = await services.db.query<any>(
    `INSERT INTO forecasts (id, model, entity_type, entity_id, horizon_hours, series, metrics)
     VALUES (gen_random_uuid(), $1, $2, $3, $4, $5::jsonb, $6::jsonb)
     RETURNING id, entity_type, entity_id, horizon_hours, model, series, metrics, created_at`,
    [FORECAST_METHOD, entityType, entityId, horizonHours, JSON.stringify(series), JSON.stringify(metrics)],
  );
  return rowToRecord(rows[0]);
}

/** The cached forecast when it is less than an hour old, else a fresh one. */
export async function getForecast(services: PluginServices<any>, entityType: string, entityId: string, horizonHours: number): Promise<ForecastRecord> {
  return (await latestForecast(services, entityType, entityId, horizonHours)) ?? computeForecast(services, entityType, entityId, horizonHours);
}

/** forecastDaily job: the total and every supplier with predictions in the last week (at most `maxSuppliers`). */
export async function forecastAll(services: PluginServices<any>, maxSuppliers: number): Promise<{ ok: number; skipped: number; failed: number }> {
  const res = { ok: 0, skipped: 0, failed: 0 };
  const targets: [string, string][] = [['total', 'all']];
  const sup = await services.db.query<{ supplier_id: string }>(
    `SELECT supplier_id FROM predictions WHERE "timestamp" >= $1 AND supplier_id IS NOT NULL
     GROUP BY supplier_id ORDER BY sum(output_co2_kg) DESC LIMIT $2`,
    [new Date(Date.now() - WEEK * H).toISOString(), maxSuppliers],
  );
  for (const s of sup) targets.push(['supplier', s.supplier_id]);
  for (const [type, id] of targets) {
    try {
      await computeForecast(services, type, id, WEEK);
      res.ok++;
    } catch (err) {
      if (err instanceof NotEnoughHistory) res.skipped++;
      else {
        res.failed++;
        services.logger.error({ err, entityType: type, entityId: id }, 'forecast failed');
      }
    }
  }
  services.logger.info(res, 'forecasts computed');
  return res;
}
