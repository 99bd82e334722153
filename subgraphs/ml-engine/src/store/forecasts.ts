// The forecasts table: a forecast is stored once computed and read back while it is young (reused for an hour).
import type { SqlQueryable } from '@carbon-nexus/db';
import type { BacktestResult, ForecastPoint } from '../engine/models-adapter.ts';

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

/** What `metrics` holds besides the model name. */
export interface ForecastMetrics {
  backtest: BacktestResult | null;
  historySource: string;
  historyHours: number;
}

interface ForecastRow {
  id: string;
  entity_type: string;
  entity_id: string;
  horizon_hours: number;
  model: string;
  series: ForecastPoint[] | string;
  metrics: Partial<ForecastMetrics> | string | null;
  created_at: Date | string;
}

const COLS = 'id, entity_type, entity_id, horizon_hours, model, series, metrics, created_at';

function rowToRecord(r: ForecastRow): ForecastRecord {
  const series: ForecastPoint[] = typeof r.series === 'string' ? JSON.parse(r.series) : r.series;
  const metrics: Partial<ForecastMetrics> | null = typeof r.metrics === 'string' ? JSON.parse(r.metrics) : r.metrics;
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

/** The newest forecast of the entity and horizon made after `since`, or null. */
export async function latestForecastSince(
  db: SqlQueryable,
  entity: { type: string; id: string; horizonHours: number },
  since: Date,
): Promise<ForecastRecord | null> {
  const rows = await db.query<ForecastRow>(
    `SELECT ${COLS} FROM forecasts
     WHERE entity_type = $1 AND entity_id = $2 AND horizon_hours = $3 AND created_at > $4
     ORDER BY created_at DESC LIMIT 1`,
    [entity.type, entity.id, entity.horizonHours, since.toISOString()],
  );
  return rows[0] ? rowToRecord(rows[0]) : null;
}

export async function insertForecast(
  db: SqlQueryable,
  f: {
    model: string;
    entityType: string;
    entityId: string;
    horizonHours: number;
    series: ForecastPoint[];
    metrics: ForecastMetrics;
  },
): Promise<ForecastRecord> {
  const rows = await db.query<ForecastRow>(
    `INSERT INTO forecasts (id, model, entity_type, entity_id, horizon_hours, series, metrics)
     VALUES (gen_random_uuid(), $1, $2, $3, $4, $5::jsonb, $6::jsonb)
     RETURNING ${COLS}`,
    [f.model, f.entityType, f.entityId, f.horizonHours, JSON.stringify(f.series), JSON.stringify(f.metrics)],
  );
  return rowToRecord(rows[0]!);
}
