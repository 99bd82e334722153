// MODEL figures: events without the activity data the other methods need (a factory with production units but no
// kWh, a warehouse with floor area but no kWh) take ml-engine's estimate. ml-engine already predicts every normalized
// event; on `prediction.created` data-core reads those predictions through ml-engine's GraphQL API and writes the
// figure into its own row — only rows whose method is MODEL (a measured or activity figure is never replaced).
// Catch-up (a lost signal): `fillPending` looks up the latest predictions of suppliers with pending rows.
import type { ResultOf } from '@carbon-nexus/plugin-sdk';
import { LatestPredictions, PredictionFigures, type PredictionCreated } from '@carbon-nexus/ml-engine/client';
import type { Services } from '../config.ts';
import type { FactorUse } from '../domain/factors/index.ts';

/** A prediction as ml-engine publishes it to data-core (its contract, not a copy). */
type Prediction = ResultOf<typeof LatestPredictions>['predictions'][number];

/** Writes predictions into pending (or older-model) MODEL rows; returns how many rows changed. */
export async function writeModelFigures(services: Services, preds: Prediction[]): Promise<number> {
  const usable = preds.filter((p) => p.eventId && Number.isFinite(p.co2eKg));
  if (!usable.length) return 0;
  const factors = usable.map((p): FactorUse[] => [
    {
      id: `ml-engine.${p.model}`,
      version: p.modelVersion,
      activity: `ml-engine ${p.model} model estimate for this event`,
      unit: 'kg CO2e / event',
      value: p.co2eKg,
      boundary: 'WTW',
      source: `ml-engine model ${p.model}@${p.modelVersion} (prediction ${p.id}; model card and accuracy in models/REPORT.md)`,
      quantity: 1,
      result: p.co2eKg,
      role: 'emission',
    },
  ]);
  const rows = await services.db.query<{ id: string }>(
    `UPDATE events_normalized e SET co2e_kg = u.co2e, ttw_kg = NULL, wtt_kg = NULL, factors = u.factors::jsonb,
       factor_id = u.factor_id, factor_version = u.version, factor_source = u.source, method_note = u.note
     FROM unnest($1::uuid[], $2::float8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
       AS u(id, co2e, factors, factor_id, version, source, note)
     WHERE e.id = u.id AND e.method = 'model'
       AND (e.co2e_kg IS NULL OR e.factor_version IS DISTINCT FROM u.version OR e.co2e_kg IS DISTINCT FROM u.co2e)
     RETURNING e.id`,
    [
      usable.map((p) => p.eventId),
      usable.map((p) => p.co2eKg),
      factors.map((f) => JSON.stringify(f)),
      usable.map((p) => `ml-engine.${p.model}`),
      usable.map((p) => p.modelVersion),
      factors.map((f) => f[0].source),
      usable.map(
        (p) =>
          `no metered energy: ml-engine ${p.model} model estimate` +
          (p.lowerKg != null && p.upperKg != null
            ? ` (80 % interval ${p.lowerKg.toFixed(1)}–${p.upperKg.toFixed(1)} kg)`
            : ''),
      ),
    ],
  );
  return rows.length;
}

/** prediction.created: only when the batch's suppliers and time span hold pending MODEL rows is ml-engine asked. */
export async function onPredictionsCreated(services: Services, msg: PredictionCreated): Promise<number> {
  if (!msg.ids?.length) return 0;
  const [hit] = await services.db.query<{ one: number }>(
    `SELECT 1 AS one FROM events_normalized
     WHERE method = 'model' AND co2e_kg IS NULL AND supplier_id = ANY($1::uuid[])
       AND "timestamp" >= $2::timestamptz AND "timestamp" <= $3::timestamptz LIMIT 1`,
    [msg.supplierIds ?? [], msg.from, msg.to],
  );
  if (!hit) return 0;
  const data = await services.call(PredictionFigures, {
    representations: msg.ids.map((id) => ({ __typename: 'Prediction', id })),
  });
  const preds = data._entities.filter(
    (p): p is Prediction & { __typename: 'Prediction' } => p?.__typename === 'Prediction',
  );
  return writeModelFigures(services, preds);
}

/** Catch-up for pending rows older than `minAgeMs`: the latest predictions of their suppliers, matched by event id. */
export async function fillPending(services: Services, minAgeMs = 30_000): Promise<number> {
  const pending = await services.db.query<{ supplier_id: string; event_type: string; n: number }>(
    `SELECT supplier_id::text, event_type, COUNT(*)::int AS n FROM events_normalized
     WHERE method = 'model' AND co2e_kg IS NULL AND created_at < $1::timestamptz
     GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 50`,
    [new Date(Date.now() - minAgeMs).toISOString()],
  );
  let written = 0;
  for (const p of pending) {
    const model = p.event_type === 'factory' ? 'FACTORY' : p.event_type === 'warehouse' ? 'WAREHOUSE' : null;
    if (!model) continue;
    const data = await services.call(LatestPredictions, {
      supplierId: p.supplier_id,
      model,
      first: Math.min(500, Math.max(50, p.n * 2)),
    });
    written += await writeModelFigures(services, data.predictions);
  }
  return written;
}
