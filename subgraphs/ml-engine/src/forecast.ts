// 7-day hourly forecasts per supplier and in total, with 80 % / 95 % bands from the models library's forecaster.
// History: data-core's emissionsSeries — the one emission figure every other view shows (fuel / energy / activity
// / model method per event), so the forecast continues the numbers on the dashboard; ml-engine's own predictions
// (predictionAggregates) are a model-estimate view and are not forecast. Persisted in `forecasts`, reused for an hour.
import { GraphQLError } from 'graphql';
import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import { contiguousHourly } from './aggregates.ts';
import { backtestSeries, forecastSeries, type BacktestResult, type ForecastPoint } from './models-adapter.ts';

export const FORECAST_METHOD =
  'seasonal-decomposition (hour-of-week profile, level-shift re-levelling, weekly trend, AR(1) correction) + backtest-calibrated ordered bands (@carbon-nexus/models)';
const H = 3600_000;
const WEEK = 168;
/** Shortest history forecast (hours): two days; bands are wide until a week of backtest errors exists. */
export const MIN_HISTORY_HOURS = 48;
export const HISTORY_SOURCE = 'emissionsSeries';
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
    super(`forecast for ${entity} needs at least ${MIN_HISTORY_HOURS} hours of hourly emissions (data-core emissionsSeries); ${hours} available`, {
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

/** Hourly kg CO2e of the entity from data-core (contiguous, missing hours = 0, from its first non-empty hour). */
async function loadHistory(services: PluginServices<any>, entityType: string, entityId: string, end: Date): Promise<{ t: string; value: number }[]> {
  const from = new Date(end.getTime() - HISTORY_HOURS * H);
  const data = await services.call<{ emissionsSeries: { bucketStart: string; co2eKg: number | null }[] }>('data-core', EMISSIONS_SERIES, {
    from: from.toISOString(),
    to: end.toISOString(),
    groupBy: 'NONE',
    supplierIds: entityType === 'supplier' ? [entityId] : null,
  });
  return contiguousHourly(
    data.emissionsSeries.map((p) => ({ bucketStart: p.bucketStart, co2eKg: Number(p.co2eKg) || 0 })),
    end,
  );
}

/** Computes, persists and returns a forecast (no cache). `end` = first hour not in the history (default: this hour). */
export async function computeForecast(services: PluginServices<any>, entityType: string, entityId: string, horizonHours: number, end = new Date(Math.floor(Date.now() / H) * H)): Promise<ForecastRecord> {
  const points = await loadHistory(services, entityType, entityId, end);
  const source = HISTORY_SOURCE;
  if (points.length < MIN_HISTORY_HOURS) throw new NotEnoughHistory(entityType === 'total' ? 'the total' : `${entityType} ${entityId}`, points.length);
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

const SUPPLIER_TOTALS = /* GraphQL */ `
  query MlEngineForecastTargets($from: String!, $to: String!) {
    emissionsSeries(from: $from, to: $to, bucket: DAY, groupBy: SUPPLIER) { key co2eKg }
  }
`;

/** forecastDaily job: the total and every supplier with emissions in the last week (largest first, at most `maxSuppliers`). */
export async function forecastAll(services: PluginServices<any>, maxSuppliers: number): Promise<{ ok: number; skipped: number; failed: number }> {
  const res = { ok: 0, skipped: 0, failed: 0 };
  const targets: [string, string][] = [['total', 'all']];
  const now = Math.floor(Date.now() / H) * H;
  try {
    const data = await services.call<{ emissionsSeries: { key: string; co2eKg: number | null }[] }>('data-core', SUPPLIER_TOTALS, {
      from: new Date(now - WEEK * H).toISOString(),
      to: new Date(now).toISOString(),
    });
    const totals = new Map<string, number>();
    for (const p of data.emissionsSeries) totals.set(p.key, (totals.get(p.key) ?? 0) + (Number(p.co2eKg) || 0));
    const ranked = [...totals.entries()].filter(([, kg]) => kg > 0).sort((a, b) => b[1] - a[1]).slice(0, maxSuppliers);
    for (const [id] of ranked) targets.push(['supplier', id]);
  } catch (err) {
    services.logger.warn({ err }, 'forecast job: supplier list from data-core unavailable; forecasting the total only');
  }
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
