import {
  badInput,
  canSeeSupplier,
  decodeCursor,
  isUuid,
  parseFirst,
  parseRange,
  parseUuid,
  scopedSuppliers,
  supplierScopeSql,
  type ResolverContext,
} from '@carbon-nexus/plugin-sdk';
import type { CatchUpState, Resolvers } from '../generated/resolvers-types.ts';
import type { MlState } from '../state.ts';
import { MODEL_NAMES, ModelInputError, type EngineModel, type GraphModelName } from '../engine/models-adapter.ts';
import { shownFeaturesOf, inputError, type InferenceResult } from '../engine/inference.ts';
import { insertPredictions, predictionsPage } from '../store/predictions.ts';
import { predictionAggregates, type Bucket, type GroupBy } from '../store/aggregates.ts';
import { getForecast, NotEnoughHistory } from '../jobs/forecast.ts';
import { cardToGraph, resultToGraph, toGraph } from './graph.ts';
import { toBatch } from './feature-rows.ts';
import { eventPredictionLoader, predictionLoader, supplierPredictionsLoader } from './loaders.ts';
import { predictionColumns, selectedFields } from './selection.ts';

type Ctx = ResolverContext<MlState>;

function engineModel(ctx: Ctx, model: GraphModelName): EngineModel {
  return ctx.state.engine.get(MODEL_NAMES[model]);
}

function checkHorizon(h: number) {
  if (!Number.isInteger(h) || h < 1 || h > 336)
    throw badInput('horizonHours', 'must be an integer between 1 and 336 (14 days)');
}

async function forecastFor(ctx: Ctx, entityType: string, entityId: string, horizonHours: number) {
  checkHorizon(horizonHours);
  if (entityType === 'total') {
    if (entityId !== 'all') throw badInput('entityId', 'must be "all" for entityType "total"');
    // A supplier-scoped caller must not see the platform total.
    if (ctx.auth?.supplierIds)
      throw badInput(
        'entityType',
        'supplier-scoped tokens can only forecast their own suppliers (entityType "supplier")',
      );
  } else if (entityType === 'supplier') {
    if (!isUuid(entityId)) throw badInput('entityId', 'must be a supplier id (uuid)');
    if (!canSeeSupplier(ctx.auth, entityId)) throw badInput('entityId', 'not a supplier you can see');
  } else throw badInput('entityType', 'must be "total" or "supplier"');
  return getForecast(ctx.services, entityType, entityId, horizonHours);
}

/** Each supplier id checked on its own, so the error names the position (supplierIds[2]). */
function checkSupplierIds(ids: readonly string[] | null | undefined) {
  for (const [i, s] of (ids ?? []).entries()) if (!isUuid(s)) throw badInput(`supplierIds[${i}]`, 'must be a uuid');
}

export const resolvers: Resolvers<Ctx> = {
  Query: {
    async predictions(_, { first, after, model, supplierId }, ctx) {
      const n = parseFirst(first, 50, 500);
      if (supplierId) parseUuid('supplierId', supplierId, 'a supplier id');
      const params: unknown[] = [];
      const scope = supplierScopeSql(ctx.auth?.supplierIds ?? null, params);
      const cursor = decodeCursor('after', after, ['datetime', 'uuid']);
      const rows = await predictionsPage(ctx.services.db, {
        params,
        scope,
        model: model ? MODEL_NAMES[model] : null,
        supplierId: supplierId ?? null,
        after: cursor,
        first: n,
      });
      return rows.map(toGraph);
    },

    async prediction(_, { id }, ctx) {
      parseUuid('id', id, 'a prediction id');
      return (await predictionLoader.load(ctx, id)) ?? null;
    },

    models(_, __, ctx) {
      return [...ctx.state.engine.models.values()].map(cardToGraph);
    },

    async mlPipelineStatus(_, __, ctx) {
      const s = await ctx.state.pipeline.status();
      return {
        backlog: s.backlog,
        oldestPendingAt: s.oldestPendingAt,
        predicted: s.stats.predicted,
        duplicates: s.stats.duplicates,
        skipped: s.stats.skipped,
        failed: s.stats.failed,
        retriedBatches: s.stats.retried,
        catchUp: {
          state: s.catchUp.state.toUpperCase() as CatchUpState,
          from: s.catchUp.from,
          enqueued: s.catchUp.enqueued,
          error: s.catchUp.error,
        },
      };
    },

    async predict(_, { model, features }, ctx) {
      const m = engineModel(ctx, model);
      const batch = toBatch(m, [features], true);
      let r: InferenceResult;
      try {
        [r] = (await ctx.state.engine.run(m.stored, batch, { explain: 'exact', hash: true })) as [InferenceResult];
      } catch (err) {
        // single row: name the feature only
        if (err instanceof ModelInputError)
          throw inputError(
            model,
            err.errors.map(({ row: _row, ...e }) => e),
          );
        throw err;
      }
      const [ref] = await insertPredictions(ctx.services.db, [r], [shownFeaturesOf(m, batch, 0)]);
      return resultToGraph(r, ref!.id);
    },

    async predictBatch(_, { model, rows, explain, persist }, ctx) {
      if (rows.length > 10000) throw badInput('rows', `at most 10000 rows per call (got ${rows.length})`);
      const m = engineModel(ctx, model);
      const batch = toBatch(m, rows, false);
      let results: InferenceResult[];
      try {
        results = await ctx.state.engine.run(m.stored, batch, {
          explain: explain === false ? 'none' : 'path',
          hash: persist !== false,
        });
      } catch (err) {
        if (err instanceof ModelInputError) throw inputError(model, err.errors);
        throw err;
      }
      const shown = results.map((r) => shownFeaturesOf(m, batch, r.index));
      const refs = persist === false ? null : await insertPredictions(ctx.services.db, results, shown);
      return results.map((r, i) => resultToGraph(r, refs ? refs[i]!.id : null));
    },

    async predictionAggregates(_, { from, to, bucket, groupBy, supplierIds }, ctx) {
      const b: Bucket = bucket ?? 'HOUR';
      const range = parseRange(from, to, { maxDays: b === 'HOUR' ? 93 : 3660 });
      checkSupplierIds(supplierIds);
      // Outside the caller's scope: nothing (not an error), as before.
      const ids = scopedSuppliers(ctx.auth?.supplierIds ?? null, supplierIds, { outside: 'empty' });
      const g: GroupBy = groupBy ?? 'NONE';
      return predictionAggregates(ctx.services.db, {
        from: new Date(range.from),
        to: new Date(range.to),
        bucket: b,
        groupBy: g,
        supplierIds: ids,
      });
    },

    async forecast(_, { entityType, entityId, horizonHours }, ctx) {
      return forecastFor(ctx, entityType ?? 'total', entityId ?? 'all', horizonHours ?? 168);
    },
  },

  Prediction: {
    async __resolveReference(ref, ctx) {
      if (!ref.id || !isUuid(ref.id)) return null;
      return (await predictionLoader.load(ctx, ref.id)) ?? null;
    },
  },

  // data-core's Event, joined by id: the model estimate beside the event's own figure.
  Event: {
    __resolveReference(ref) {
      return { id: ref.id };
    },
    async prediction(e, _args, ctx) {
      if (!e.id || !isUuid(e.id)) return null;
      return (await eventPredictionLoader.load(ctx, e.id.toLowerCase())) ?? null;
    },
  },

  Supplier: {
    async predictions(s, { first }, ctx, info) {
      const n = parseFirst(first, 20, 200);
      if (!s.id || !isUuid(s.id) || !canSeeSupplier(ctx.auth, s.id)) return [];
      const columns = predictionColumns(selectedFields(info));
      return (await supplierPredictionsLoader.load(ctx, s.id, { first: n, columns })) ?? [];
    },
    async forecast(s, { horizonHours }, ctx) {
      if (!s.id || !canSeeSupplier(ctx.auth, s.id)) return null;
      try {
        return await forecastFor(ctx, 'supplier', s.id, horizonHours ?? 168);
      } catch (err) {
        if (err instanceof NotEnoughHistory) return null;
        throw err;
      }
    },
  },
};
