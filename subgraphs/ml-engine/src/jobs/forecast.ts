// 7-day hourly forecasts per supplier and in total, with 80 % / 95 % bands from the models library's forecaster.
// History: data-core's emissionsSeries — the one emission figure every other view shows (fuel / energy / activity
// / model method per event), so the forecast continues the numbers on the dashboard; ml-engine's own predictions
// (predictionAggregates) are a model-estimate view and are not forecast. Persisted in `forecasts`, reused for an hour.
import { GraphQLError } from 'graphql';
import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import { contiguousHourly } from '../domain/hourly.ts';
import { emissionsSeries } from '../datacore.ts';
import { backtestSeries, forecastSeries, type BacktestResult } from '../engine/models-adapter.ts';
import { insertForecast, latestForecastSince, type ForecastRecord } from '../store/forecasts.ts';

export type { ForecastRecord } from '../store/forecasts.ts';

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

export class NotEnoughHistory extends GraphQLError {
  constructor(entity: string, hours: number) {
    super(
      `forecast for ${entity} needs at least ${MIN_HISTORY_HOURS} hours of hourly emissions (data-core emissionsSeries); ${hours} available`,
      {
        extensions: { code: 'NOT_ENOUGH_DATA', hours },
      },
    );
  }
}

export async function latestForecast(
  services: PluginServices,
  entityType: string,
  entityId: string,
  horizonHours: number,
  maxAgeMs = CACHE_MS,
): Promise<ForecastRecord | null> {
  return latestForecastSince(
    services.db,
    { type: entityType, id: entityId, horizonHours },
    new Date(Date.now() - maxAgeMs),
  );
}

/** Hourly kg CO2e of the entity from data-core (contiguous, missing hours = 0, from its first non-empty hour). */
async function loadHistory(
  services: PluginServices,
  entityType: string,
  entityId: string,
  end: Date,
): Promise<{ t: string; value: number }[]> {
  const from = new Date(end.getTime() - HISTORY_HOURS * H);
  const points = await emissionsSeries(services, {
    from: from.toISOString(),
    to: end.toISOString(),
    bucket: 'HOUR',
    groupBy: 'NONE',
    supplierIds: entityType === 'supplier' ? [entityId] : null,
  });
  return contiguousHourly(
    points.map((p) => ({ bucketStart: p.bucketStart, co2eKg: Number(p.co2eKg) || 0 })),
    end,
  );
}

/** A backtest over up to 4 folds when the history allows one (a failure is logged, the forecast stands). */
function backtestIfPossible(
  services: PluginServices,
  points: { t: string; value: number }[],
  horizonHours: number,
  entity: { entityType: string; entityId: string },
): BacktestResult | null {
  const folds = Math.min(4, Math.floor((points.length - WEEK) / horizonHours));
  if (folds < 1) return null;
  try {
    return backtestSeries(points, { horizonHours, folds });
  } catch (err) {
    services.logger.warn({ err, ...entity }, 'forecast backtest failed');
    return null;
  }
}

/** Computes, persists and returns a forecast (no cache). `end` = first hour not in the history (default: this hour). */
export async function computeForecast(
  services: PluginServices,
  entityType: string,
  entityId: string,
  horizonHours: number,
  end = new Date(Math.floor(Date.now() / H) * H),
): Promise<ForecastRecord> {
  const points = await loadHistory(services, entityType, entityId, end);
  if (points.length < MIN_HISTORY_HOURS)
    throw new NotEnoughHistory(entityType === 'total' ? 'the total' : `${entityType} ${entityId}`, points.length);
  const series = forecastSeries(points, { horizonHours });
  const backtest = backtestIfPossible(services, points, horizonHours, { entityType, entityId });
  const metrics = { backtest, historySource: HISTORY_SOURCE, historyHours: points.length };
  return insertForecast(services.db, { model: FORECAST_METHOD, entityType, entityId, horizonHours, series, metrics });
}

/** The cached forecast when it is less than an hour old, else a fresh one. */
export async function getForecast(
  services: PluginServices,
  entityType: string,
  entityId: string,
  horizonHours: number,
): Promise<ForecastRecord> {
  return (
    (await latestForecast(services, entityType, entityId, horizonHours)) ??
    computeForecast(services, entityType, entityId, horizonHours)
  );
}

/** The suppliers with emissions in the last week, largest first, at most `maxSuppliers` (data-core daily series). */
async function largestEmitters(services: PluginServices, now: number, maxSuppliers: number): Promise<string[]> {
  const points = await emissionsSeries(services, {
    from: new Date(now - WEEK * H).toISOString(),
    to: new Date(now).toISOString(),
    bucket: 'DAY',
    groupBy: 'SUPPLIER',
  });
  const totals = new Map<string, number>();
  for (const p of points) totals.set(p.key, (totals.get(p.key) ?? 0) + (Number(p.co2eKg) || 0));
  return [...totals.entries()]
    .filter(([, kg]) => kg > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, maxSuppliers)
    .map(([id]) => id);
}

/** forecastDaily job: the total and every supplier with emissions in the last week (largest first, at most
 * `maxSuppliers`). */
export async function forecastAll(
  services: PluginServices,
  maxSuppliers: number,
): Promise<{ ok: number; skipped: number; failed: number }> {
  const res = { ok: 0, skipped: 0, failed: 0 };
  const targets: [string, string][] = [['total', 'all']];
  const now = Math.floor(Date.now() / H) * H;
  try {
    for (const id of await largestEmitters(services, now, maxSuppliers)) targets.push(['supplier', id]);
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
