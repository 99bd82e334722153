// The predictions table. Writes: one multi-row INSERT (unnest of column arrays) per batch,
// deduplicated on (model, model_version, input_hash) with ON CONFLICT DO NOTHING. Reads: pages, by id, latest per
// event and per supplier, each limited to the caller's suppliers where it says so.
import type { SqlQueryable } from '@carbon-nexus/db';
import { packedRows, supplierScopeSql, type PackedRows } from '@carbon-nexus/plugin-sdk';
import type { FeatureRow, InferenceResult } from '../engine/inference.ts';

export interface PredictionContext {
  eventId?: string | null;
  supplierId?: string | null;
  eventType?: string | null;
  entityType?: string | null;
  entityId?: string | null;
  route?: string | null;
  timestamp?: string | null;
}

export interface StoredRef {
  id: string;
  /** false when an identical input was already stored (dedupe). */
  inserted: boolean;
}

/** What feature_importance holds: the contributions plus how they were made. */
export function featureImportanceJson(r: InferenceResult, features: FeatureRow): string {
  return JSON.stringify({
    method: r.contributionMethod,
    expectedKg: r.expectedKg,
    contributions: r.contributions,
    features,
    ...(r.defaulted.length ? { defaulted: r.defaulted } : {}),
    ...(r.clamped.length ? { clamped: r.clamped } : {}),
  });
}

const CHUNK = 1000;

/**
 * Inserts results (inputHash required) with their feature rows and optional event context; returns the stored id of
 * every row, in order.
 */
export async function insertPredictions(
  db: SqlQueryable,
  results: InferenceResult[],
  features: FeatureRow[],
  ctx?: (PredictionContext | undefined)[],
): Promise<StoredRef[]> {
  const out: StoredRef[] = new Array(results.length);
  for (let start = 0; start < results.length; start += CHUNK) {
    const part = results.slice(start, start + CHUNK);
    const cols = {
      model: [] as string[],
      version: [] as string[],
      hash: [] as string[],
      eventId: [] as (string | null)[],
      supplierId: [] as (string | null)[],
      eventType: [] as (string | null)[],
      entityType: [] as (string | null)[],
      entityId: [] as (string | null)[],
      route: [] as (string | null)[],
      ts: [] as (string | null)[],
      co2: [] as number[],
      lower: [] as number[],
      upper: [] as number[],
      conf: [] as number[],
      fi: [] as string[],
    };
    part.forEach((r, k) => {
      const c = ctx?.[start + k];
      cols.model.push(r.model);
      cols.version.push(r.modelVersion);
      cols.hash.push(r.inputHash);
      cols.eventId.push(c?.eventId ?? null);
      cols.supplierId.push(c?.supplierId ?? null);
      cols.eventType.push(c?.eventType ?? null);
      cols.entityType.push(c?.entityType ?? null);
      cols.entityId.push(c?.entityId ?? null);
      cols.route.push(c?.route ?? null);
      cols.ts.push(c?.timestamp ?? null);
      cols.co2.push(r.co2eKg);
      cols.lower.push(r.lowerKg);
      cols.upper.push(r.upperKg);
      cols.conf.push(r.confidence);
      cols.fi.push(featureImportanceJson(r, features[start + k]!));
    });
    const inserted = await db.query<{ id: string; model: string; model_version: string; input_hash: string }>(
      `INSERT INTO predictions (id, model, model_version, input_hash, event_id, supplier_id, event_type, entity_type, entity_id, route,
                                "timestamp", output_co2_kg, lower, upper, confidence, feature_importance)
       SELECT gen_random_uuid(), u.model, u.version, u.hash, u.event_id, u.supplier_id, u.event_type, u.entity_type, u.entity_id, u.route,
              u.ts, u.co2, u.lower, u.upper, u.conf, u.fi::jsonb
       FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[],
                   $10::timestamptz[], $11::float8[], $12::float8[], $13::float8[], $14::float8[], $15::text[])
            AS u(model, version, hash, event_id, supplier_id, event_type, entity_type, entity_id, route, ts, co2, lower, upper, conf, fi)
       ON CONFLICT (model, model_version, input_hash) DO NOTHING
       RETURNING id, model, model_version, input_hash`,
      [
        cols.model,
        cols.version,
        cols.hash,
        cols.eventId,
        cols.supplierId,
        cols.eventType,
        cols.entityType,
        cols.entityId,
        cols.route,
        cols.ts,
        cols.co2,
        cols.lower,
        cols.upper,
        cols.conf,
        cols.fi,
      ],
    );
    const key = (m: string, v: string, h: string) => `${m}|${v}|${h}`;
    const ids = new Map(inserted.map((r) => [key(r.model, r.model_version, r.input_hash), r.id]));
    const missing = part.filter((r) => !ids.has(key(r.model, r.modelVersion, r.inputHash)));
    const fresh = new Set(ids.values());
    if (missing.length) {
      const existing = await db.query<{ id: string; model: string; model_version: string; input_hash: string }>(
        `SELECT p.id, p.model, p.model_version, p.input_hash FROM predictions p
         JOIN unnest($1::text[], $2::text[], $3::text[]) AS u(model, version, hash)
           ON p.model = u.model AND p.model_version = u.version AND p.input_hash = u.hash`,
        [missing.map((r) => r.model), missing.map((r) => r.modelVersion), missing.map((r) => r.inputHash)],
      );
      for (const r of existing) ids.set(key(r.model, r.model_version, r.input_hash), r.id);
    }
    part.forEach((r, k) => {
      const id = ids.get(key(r.model, r.modelVersion, r.inputHash))!;
      out[start + k] = { id, inserted: fresh.has(id) };
    });
  }
  return out;
}

// ---- reads ---------------------------------------------------------------------------------------------------

/** A stored prediction row (feature_importance is absent when the caller left the explanation out). */
export interface PredictionRow {
  id: string;
  model: string;
  model_version: string;
  supplier_id: string | null;
  event_id: string | null;
  event_type: string | null;
  entity_type: string | null;
  entity_id: string | null;
  route: string | null;
  timestamp: Date | string | null;
  output_co2_kg: number;
  lower: number | null;
  upper: number | null;
  confidence: number | null;
  feature_importance?: StoredExplanation | string | null;
  created_at: Date | string;
}

/** What feature_importance holds, as read back (see featureImportanceJson). */
export interface StoredExplanation {
  method?: string;
  expectedKg?: number;
  contributions?: { feature: string; value: number; contributionKg: number }[];
  features?: FeatureRow;
  defaulted?: string[];
  clamped?: string[];
}

const COLS = `id, model, model_version, supplier_id, event_id, event_type, entity_type, entity_id, route, "timestamp",
  output_co2_kg, lower, upper, confidence, feature_importance, created_at`;
const KNOWN_COLUMNS = new Set(COLS.split(',').map((c) => c.trim()));

/**
 * One page of predictions, newest first. `scope` is a supplier-scope condition over `params` (supplierScopeSql);
 * `after` is the last row of the previous page.
 */
export async function predictionsPage(
  db: SqlQueryable,
  q: {
    params: unknown[];
    scope: string;
    model: string | null;
    supplierId: string | null;
    after: [string, string] | null;
    first: number;
  },
): Promise<PredictionRow[]> {
  const params = q.params;
  const where = [q.scope];
  if (q.model) {
    params.push(q.model);
    where.push(`model = $${params.length}`);
  }
  if (q.supplierId) {
    params.push(q.supplierId);
    where.push(`supplier_id = $${params.length}::uuid`);
  }
  if (q.after) {
    params.push(q.after[0], q.after[1]);
    where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(q.first);
  return db.query<PredictionRow>(
    `SELECT ${COLS} FROM predictions WHERE ${where.join(' AND ')}
     ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
}

/** Predictions by id within the caller's scope (suppliers null = all). */
export async function predictionsByIds(
  db: SqlQueryable,
  ids: string[],
  suppliers: readonly string[] | null,
): Promise<PredictionRow[]> {
  const params: unknown[] = [ids];
  const scope = supplierScopeSql(suppliers, params);
  return db.query<PredictionRow>(`SELECT ${COLS} FROM predictions WHERE id = ANY($1::uuid[]) AND ${scope}`, params);
}

/** The latest prediction per event id within the caller's scope (index predictions(event_id)). */
export async function latestPredictionsOfEvents(
  db: SqlQueryable,
  eventIds: string[],
  suppliers: readonly string[] | null,
): Promise<PredictionRow[]> {
  const params: unknown[] = [eventIds];
  const scope = supplierScopeSql(suppliers, params);
  return db.query<PredictionRow>(
    `SELECT DISTINCT ON (event_id) ${COLS} FROM predictions WHERE event_id = ANY($1::uuid[]) AND ${scope}
     ORDER BY event_id, created_at DESC, id DESC`,
    params,
  );
}

/** Packing per column list: the few distinct selections clients send (bounded: cleared past 256). */
const packs = new Map<string, PackedRows<PredictionRow>>();

/**
 * Latest `first` predictions per supplier, in one statement: per supplier a range scan of
 * predictions_supplier_latest_idx (supplier, event time DESC NULLS LAST, written DESC: the order asked) stopped by
 * LIMIT, so the cost does not grow with a supplier's history; the rows come back as one JSON value of arrays
 * (packedRows). Only `columns` are read (predictionColumns: what the selection needs), which makes that value and the
 * work of building and parsing it a third of all columns'.
 */
export async function latestPredictionsOfSuppliers(
  db: SqlQueryable,
  supplierIds: string[],
  first: number,
  columns: readonly string[],
): Promise<PredictionRow[]> {
  // Only known column names reach the SQL text.
  const cols = columns.filter((c) => KNOWN_COLUMNS.has(c));
  if (!cols.includes('id') || !cols.includes('supplier_id'))
    throw new Error('predictions: id and supplier_id are read');
  const list = cols.join(', ');
  let pack = packs.get(list);
  if (!pack) {
    if (packs.size >= 256) packs.clear();
    packs.set(list, (pack = packedRows<PredictionRow>(list)));
  }
  const [r] = await db.query<{ rows: unknown[][] }>(
    // The aggregate orders by the same keys as the scan (a window's row number cost a fifth of the statement).
    `SELECT ${pack.sql('p', 's.ord, p.sort_ts DESC NULLS LAST, p.sort_written DESC')} AS rows
     FROM unnest($1::uuid[]) WITH ORDINALITY AS s(id, ord),
     LATERAL (
       SELECT ${list}, "timestamp" AS sort_ts, created_at AS sort_written
       FROM predictions WHERE supplier_id = s.id
       ORDER BY "timestamp" DESC NULLS LAST, created_at DESC LIMIT $2
     ) p`,
    [supplierIds, first],
  );
  return pack.unpack(r!.rows);
}
