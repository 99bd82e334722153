import { badInput, canSeeSupplier, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import type { Resolvers } from '../generated/resolvers-types.ts';
import type { MlState } from '../state.ts';
import { MODEL_NAMES, ModelInputError, toGraphName, type EngineModel, type GraphModelName, type ValidationError } from '../models-adapter.ts';
import { shownFeaturesOf, inputError, type Batch, type InferenceResult } from '../inference.ts';
import { insertPredictions } from '../persist.ts';
import { predictionAggregates, type Bucket, type GroupBy } from '../aggregates.ts';
import { getForecast, NotEnoughHistory, type ForecastRecord } from '../forecast.ts';
import { batchLoader } from './batch.ts';
import { selectedFields } from './selection.ts';

type Ctx = ResolverContext<MlState>;

interface PredictionRow {
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
  feature_importance: any;
  created_at: Date | string;
}

const COLS = `id, model, model_version, supplier_id, event_id, event_type, entity_type, entity_id, route, "timestamp",
  output_co2_kg, lower, upper, confidence, feature_importance, created_at`;

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const encodeCursor = (createdAt: string, id: string) => Buffer.from(`${createdAt}|${id}`).toString('base64url');
function decodeCursor(c: string): { createdAt: string; id: string } {
  const [createdAt, id] = Buffer.from(c, 'base64url').toString().split('|');
  if (!createdAt || !id || !Number.isFinite(Date.parse(createdAt)) || !/^[0-9a-f-]{36}$/i.test(id)) throw badInput('after', 'not a cursor returned by predictions');
  return { createdAt, id };
}

/** A prediction as GraphQL sees it; the fields that cost a parse or an encoding are computed only when read. */
function toGraph(p: PredictionRow) {
  let fi: any;
  const explanation = () =>
    (fi ??= typeof p.feature_importance === 'string' ? JSON.parse(p.feature_importance) : (p.feature_importance ?? {}));
  return {
    id: p.id,
    model: p.model,
    modelVersion: p.model_version,
    supplier: p.supplier_id ? { __typename: 'Supplier' as const, id: p.supplier_id } : null,
    eventId: p.event_id,
    eventType: p.event_type,
    entityType: p.entity_type,
    entityId: p.entity_id,
    route: p.route,
    get timestamp() {
      return iso(p.timestamp);
    },
    co2eKg: Number(p.output_co2_kg),
    lowerKg: p.lower,
    upperKg: p.upper,
    confidence: p.confidence,
    get contributions() {
      const c = explanation().contributions;
      return Array.isArray(c) ? c : [];
    },
    get contributionMethod() {
      return explanation().method ?? 'none';
    },
    get createdAt() {
      return iso(p.created_at)!;
    },
    get cursor() {
      return encodeCursor(iso(p.created_at)!, p.id);
    },
  };
}

/** Rows a caller may see: supplier-scoped tokens only see their suppliers' predictions. */
function scopeSql(ctx: Ctx, params: unknown[]): string {
  if (!ctx.auth?.supplierIds) return 'TRUE';
  params.push(ctx.auth.supplierIds);
  return `supplier_id = ANY($${params.length}::uuid[])`;
}

function engineModel(ctx: Ctx, model: GraphModelName): EngineModel {
  return ctx.state.engine.get(MODEL_NAMES[model]);
}

/**
 * [[{name, value}]] → one Float32Array in the card's feature order. Unknown and repeated names are errors naming
 * the feature (and row); absent or null values become NaN and are reported as missing by the engine.
 */
function toBatch(m: EngineModel, rows: readonly (readonly { name: string; value?: number | null }[])[], single: boolean): Batch {
  const F = m.featureNames.length;
  const index = m.nameIndex;
  const X = new Float32Array(rows.length * F).fill(NaN);
  const errors: ValidationError[] = [];
  const seen = new Uint8Array(F);
  for (let i = 0; i < rows.length; i++) {
    seen.fill(0);
    const r = rows[i]!;
    for (let k = 0; k < r.length; k++) {
      const f = r[k]!;
      // fast path: features listed in card order
      const j = k < F && m.featureNames[k] === f.name ? k : index.get(f.name);
      const row = single ? {} : { row: i };
      if (j === undefined) {
        errors.push({ feature: f.name, code: 'unknown_feature', message: `${f.name} is not a feature of model ${m.graph} (expected: ${m.featureNames.join(', ')})`, ...row });
        continue;
      }
      if (seen[j]) {
        errors.push({ feature: f.name, code: 'unknown_feature', message: `${f.name} is given more than once`, ...row });
        continue;
      }
      seen[j] = 1;
      X[i * F + j] = f.value ?? NaN;
    }
    if (errors.length >= 50) break;
  }
  if (errors.length) throw inputError(m.graph, errors);
  return { X, n: rows.length };
}

function resultToGraph(r: InferenceResult, id: string | null) {
  return {
    id,
    model: toGraphName(r.model),
    modelVersion: r.modelVersion,
    co2eKg: r.co2eKg,
    lowerKg: r.lowerKg,
    upperKg: r.upperKg,
    confidence: r.confidence,
    expectedKg: r.expectedKg,
    contributions: r.contributions,
    contributionMethod: r.contributionMethod,
  };
}

function forecastToGraph(f: ForecastRecord) {
  return { ...f, backtest: f.backtest };
}

function parseTime(field: string, v: string): Date {
  const t = Date.parse(v);
  if (!Number.isFinite(t) || !/\d{4}-\d{2}-\d{2}/.test(v)) throw badInput(field, `not an ISO-8601 timestamp: "${v}"`);
  return new Date(t);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkHorizon(h: number) {
  if (!Number.isInteger(h) || h < 1 || h > 336) throw badInput('horizonHours', 'must be an integer between 1 and 336 (14 days)');
}

async function forecastFor(ctx: Ctx, entityType: string, entityId: string, horizonHours: number) {
  checkHorizon(horizonHours);
  if (entityType === 'total') {
    if (entityId !== 'all') throw badInput('entityId', 'must be "all" for entityType "total"');
    // A supplier-scoped caller must not see the platform total.
    if (ctx.auth?.supplierIds) throw badInput('entityType', 'supplier-scoped tokens can only forecast their own suppliers (entityType "supplier")');
  } else if (entityType === 'supplier') {
    if (!UUID.test(entityId)) throw badInput('entityId', 'must be a supplier id (uuid)');
    if (!canSeeSupplier(ctx.auth, entityId)) throw badInput('entityId', 'not a supplier you can see');
  } else throw badInput('entityType', 'must be "total" or "supplier"');
  return forecastToGraph(await getForecast(ctx.services, entityType, entityId, horizonHours));
}

export const resolvers: Resolvers<Ctx> = {
  Query: {
    async predictions(_, { first, after, model, supplierId }, ctx) {
      const n = first ?? 50;
      if (!Number.isInteger(n) || n < 1 || n > 500) throw badInput('first', 'must be between 1 and 500');
      const params: unknown[] = [];
      const where = [scopeSql(ctx, params)];
      if (model) {
        params.push(MODEL_NAMES[model]);
        where.push(`model = $${params.length}`);
      }
      if (supplierId) {
        if (!UUID.test(supplierId)) throw badInput('supplierId', 'must be a uuid');
        params.push(supplierId);
        where.push(`supplier_id = $${params.length}::uuid`);
      }
      if (after) {
        const c = decodeCursor(after);
        params.push(c.createdAt, c.id);
        where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
      }
      params.push(n);
      const rows = await ctx.services.db.query<PredictionRow>(
        `SELECT ${COLS} FROM predictions WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
        params,
      );
      return rows.map(toGraph) as any;
    },

    async prediction(_, { id }, ctx) {
      if (!UUID.test(id)) throw badInput('id', 'must be a uuid');
      return (await predictionLoader(ctx).load(id)) as any;
    },

    models(_, __, ctx) {
      return [...ctx.state.engine.models.values()].map(cardToGraph) as any;
    },

    async mlPipelineStatus(_, __, ctx) {
      const s = await (ctx.state as MlState).pipeline.status();
      return {
        backlog: s.backlog,
        oldestPendingAt: s.oldestPendingAt,
        predicted: s.stats.predicted,
        duplicates: s.stats.duplicates,
        skipped: s.stats.skipped,
        failed: s.stats.failed,
        retriedBatches: s.stats.retried,
        catchUp: { state: s.catchUp.state.toUpperCase(), from: s.catchUp.from, enqueued: s.catchUp.enqueued, error: s.catchUp.error },
      } as any;
    },

    async predict(_, { model, features }, ctx) {
      const m = engineModel(ctx, model);
      const batch = toBatch(m, [features], true);
      let r: InferenceResult;
      try {
        [r] = (await ctx.state.engine.run(m.stored, batch, { explain: 'exact', hash: true })) as [InferenceResult];
      } catch (err) {
        // single row: name the feature only
        if (err instanceof ModelInputError) throw inputError(model, err.errors.map(({ row: _row, ...e }) => e));
        throw err;
      }
      const [ref] = await insertPredictions(ctx.services.db, [r], [shownFeaturesOf(m, batch, 0)]);
      return resultToGraph(r, ref!.id) as any;
    },

    async predictBatch(_, { model, rows, explain, persist }, ctx) {
      if (rows.length > 10000) throw badInput('rows', `at most 10000 rows per call (got ${rows.length})`);
      const m = engineModel(ctx, model);
      const batch = toBatch(m, rows, false);
      let results: InferenceResult[];
      try {
        results = await ctx.state.engine.run(m.stored, batch, { explain: explain === false ? 'none' : 'path', hash: persist !== false });
      } catch (err) {
        if (err instanceof ModelInputError) throw inputError(model, err.errors);
        throw err;
      }
      const refs = persist === false ? null : await insertPredictions(ctx.services.db, results, results.map((r) => shownFeaturesOf(m, batch, r.index)));
      return results.map((r, i) => resultToGraph(r, refs ? refs[i]!.id : null)) as any;
    },

    async predictionAggregates(_, { from, to, bucket, groupBy, supplierIds }, ctx) {
      const f = parseTime('from', from);
      const t = parseTime('to', to);
      if (t <= f) throw badInput('to', 'must be after from');
      const b = (bucket ?? 'HOUR') as Bucket;
      const maxDays = b === 'HOUR' ? 93 : 3660;
      if (t.getTime() - f.getTime() > maxDays * 86400_000) throw badInput('to', `range too long for ${b} buckets (max ${maxDays} days)`);
      for (const [i, s] of (supplierIds ?? []).entries()) if (!UUID.test(s)) throw badInput(`supplierIds[${i}]`, 'must be a uuid');
      let ids: string[] | null = supplierIds?.length ? [...supplierIds] : null;
      const scope = ctx.auth?.supplierIds;
      if (scope) ids = ids ? ids.filter((s) => scope.includes(s)) : [...scope];
      return predictionAggregates(ctx.services.db, { from: f, to: t, bucket: b, groupBy: (groupBy ?? 'NONE') as GroupBy, supplierIds: ids });
    },

    async forecast(_, { entityType, entityId, horizonHours }, ctx) {
      return (await forecastFor(ctx, entityType ?? 'total', entityId ?? 'all', horizonHours ?? 168)) as any;
    },
  },

  Prediction: {
    async __resolveReference(ref, ctx) {
      if (!ref.id || !UUID.test(ref.id)) return null;
      return (await predictionLoader(ctx).load(ref.id)) as any;
    },
  },

  // data-core's Event, joined by id: the model estimate beside the event's own figure.
  Event: {
    __resolveReference(ref) {
      return { id: ref.id } as any;
    },
    async prediction(e, _args, ctx) {
      if (!e.id || !UUID.test(e.id)) return null;
      return (await eventPredictionLoader(ctx).load(e.id.toLowerCase())) as any;
    },
  },

  Supplier: {
    async predictions(s, { first }, ctx, info) {
      const n = first ?? 20;
      if (!Number.isInteger(n) || n < 1 || n > 200) throw badInput('first', 'must be between 1 and 200');
      if (!s.id || !UUID.test(s.id) || !canSeeSupplier(ctx.auth, s.id)) return [];
      const f = selectedFields(info);
      return (await supplierPredictionsLoader(ctx, n, f.has('contributions') || f.has('contributionMethod')).load(s.id)) as any;
    },
    async forecast(s, { horizonHours }, ctx) {
      if (!s.id || !canSeeSupplier(ctx.auth, s.id)) return null;
      try {
        return (await forecastFor(ctx, 'supplier', s.id, horizonHours ?? 168)) as any;
      } catch (err) {
        if (err instanceof NotEnoughHistory) return null;
        throw err;
      }
    },
  },
};

function cardToGraph(m: EngineModel) {
  const c = m.card;
  const h = c.metrics?.heldOut;
  return {
    name: m.graph,
    version: c.version,
    description: c.description,
    boundary: c.boundary,
    targetUnit: c.targetUnit,
    explainMethod: `${c.explain.method}; contributions rescaled to kg CO2e with the logarithmic mean (Σ = prediction − expected). predict: exact TreeSHAP; predictBatch and event predictions: Saabas decision-path attribution (same additivity, O(trees × depth)).`,
    features: c.features.map((f) => ({
      name: f.name,
      unit: f.unit,
      min: f.min,
      max: f.max,
      description: f.description,
      kind: f.kind,
      categories: f.kind === 'categorical' && f.categories ? Object.entries(f.categories).map(([k, v]) => `${k} = ${v}`) : f.kind === 'binary' ? ['0 = no', '1 = yes'] : null,
    })),
    metrics: h
      ? {
          rows: h.rows,
          maeKg: h.mae,
          mape: h.mape,
          baselineMaeKg: h.baselineMae,
          baselineMape: h.baselineMape,
          maeImprovement: h.maeImprovement,
          intervalCoverage: h.intervalCoverage,
        }
      : null,
  };
}

/** The latest prediction per event id, one statement per request batch (index predictions(event_id)). */
const eventPredictionLoader = (ctx: Ctx) =>
  batchLoader(ctx, 'eventPrediction', async (ids: readonly string[]) => {
    const params: unknown[] = [ids];
    const scope = scopeSql(ctx, params);
    const rows = await ctx.services.db.query<PredictionRow>(
      `SELECT DISTINCT ON (event_id) ${COLS} FROM predictions WHERE event_id = ANY($1::uuid[]) AND ${scope} ORDER BY event_id, created_at DESC, id DESC`,
      params,
    );
    const byEvent = new Map(rows.map((r) => [r.event_id, toGraph(r)]));
    return ids.map((id) => byEvent.get(id) ?? null);
  });

const predictionLoader = (ctx: Ctx) =>
  batchLoader(ctx, 'prediction', async (ids: readonly string[]) => {
    const params: unknown[] = [ids];
    const scope = scopeSql(ctx, params);
    const rows = await ctx.services.db.query<PredictionRow>(`SELECT ${COLS} FROM predictions WHERE id = ANY($1::uuid[]) AND ${scope}`, params);
    const byId = new Map(rows.map((r) => [r.id, toGraph(r)]));
    return ids.map((id) => byId.get(id) ?? null);
  });

/**
 * Latest `first` predictions per supplier for all suppliers in the request, in one statement: per supplier an index
 * range scan (supplier_id, timestamp) bounded by LIMIT, and the rows come back as one JSON value (decoding one
 * value is several times cheaper than decoding hundreds of typed rows, notably on PGlite). The explanation JSON
 * (feature_importance) is only read when contributions are asked for.
 */
const supplierPredictionsLoader = (ctx: Ctx, first: number, explained: boolean) =>
  batchLoader(ctx, `supplier-predictions:${first}:${explained}`, async (ids: readonly string[]) => {
    const cols = explained ? COLS : COLS.replace(/feature_importance, /, '');
    const [{ rows }] = await ctx.services.db.query<{ rows: PredictionRow[] }>(
      `SELECT coalesce(json_agg(p ORDER BY s.ord, p.rn), '[]') AS rows
       FROM unnest($1::uuid[]) WITH ORDINALITY AS s(id, ord),
       LATERAL (
         SELECT ${cols}, row_number() OVER (ORDER BY "timestamp" DESC NULLS LAST, created_at DESC) AS rn
         FROM predictions WHERE supplier_id = s.id
         ORDER BY "timestamp" DESC NULLS LAST, created_at DESC LIMIT $2
       ) p`,
      [ids, first],
    );
    const by = new Map<string, ReturnType<typeof toGraph>[]>();
    for (const r of rows) {
      let l = by.get(r.supplier_id!);
      if (!l) by.set(r.supplier_id!, (l = []));
      l.push(toGraph(r));
    }
    return ids.map((id) => by.get(id) ?? []);
  });

