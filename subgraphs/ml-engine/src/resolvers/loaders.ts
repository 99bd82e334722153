// Request-scoped batch loads of predictions (the kit's loader: one statement per request batch, no cache).
import { defineLoader, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import type { MlState } from '../state.ts';
import { latestPredictionsOfEvents, latestPredictionsOfSuppliers, predictionsByIds } from '../store/predictions.ts';
import { toGraph, type PredictionView } from './graph.ts';

type Ctx = ResolverContext<MlState>;
const scopeOf = (ctx: Ctx) => ctx.auth?.supplierIds ?? null;

/** A prediction by id, within the caller's suppliers. */
export const predictionLoader = defineLoader(async (ids: string[], ctx: Ctx) => {
  const rows = await predictionsByIds(ctx.services.db, ids, scopeOf(ctx));
  return new Map(rows.map((r) => [r.id, toGraph(r)]));
});

/** The latest prediction per event id, within the caller's suppliers. */
export const eventPredictionLoader = defineLoader(async (ids: string[], ctx: Ctx) => {
  const rows = await latestPredictionsOfEvents(ctx.services.db, ids, scopeOf(ctx));
  return new Map(rows.map((r) => [r.event_id!, toGraph(r)]));
});

/** Latest `first` predictions per supplier, reading only `columns` (predictionColumns of the selection). */
export const supplierPredictionsLoader = defineLoader(
  async (ids: string[], ctx: Ctx, args: { first: number; columns: string[] }) => {
    const rows = await latestPredictionsOfSuppliers(ctx.services.db, ids, args.first, args.columns);
    const by = new Map<string, PredictionView[]>();
    for (const r of rows) {
      let l = by.get(r.supplier_id!);
      if (!l) by.set(r.supplier_id!, (l = []));
      l.push(toGraph(r));
    }
    return by;
  },
);
