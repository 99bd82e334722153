// One unit of the pipeline's work: a list of event ids → events read from data-core → model features → batch
// predict per model → one bulk INSERT (deduplicated on model, version, input hash; the hash includes the event id)
// → prediction.created. Each step is a function named for what it does.
import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import { eventsByIds } from '../datacore.ts';
import { mapEvent, type NormalizedEvent } from '../domain/features/index.ts';
import type { MappedEvent } from '../domain/features/types.ts';
import {
  ModelInputError,
  rowsToBatch,
  type FeatureRow,
  type InferenceEngine,
  type InferenceResult,
  type RowAdjustment,
} from '../engine/inference.ts';
import type { StoredModelName } from '../engine/models-adapter.ts';
import { insertPredictions, type PredictionContext } from '../store/predictions.ts';
import { predictionCreated } from '../../client/topics.ts';

export const MAX_ROWS_PER_RUN = 1000;
/** ids per prediction.created message (keeps each payload far below PostgreSQL NOTIFY's 8000 bytes). */
const IDS_PER_MESSAGE = 100;

export interface PipelineStats {
  batches: number;
  events: number;
  predicted: number;
  duplicates: number;
  skipped: number;
  failed: number;
  /** Failed batch attempts (each is retried after a backoff). */
  retried: number;
  /** Events found by the catch-up that had no prediction. */
  caughtUp: number;
}

export interface ProcessResult {
  predicted: number;
  skipped: number;
  failed: number;
  ids: string[];
  eventIds: string[];
}

type Item = { e: NormalizedEvent; m: MappedEvent };

interface Predicted {
  results: InferenceResult[];
  features: FeatureRow[];
  ctx: PredictionContext[];
  failed: number;
}

/** The event's row in `predictions` besides the model output. */
function contextOf({ e, m }: Item): PredictionContext {
  return {
    eventId: e.id,
    supplierId: e.supplierId,
    eventType: e.eventType.toLowerCase(),
    entityType: m.entityType,
    entityId: m.entityId,
    route: e.route ?? null,
    timestamp: e.timestamp,
  };
}

export function createEventPredictor(services: PluginServices, engine: InferenceEngine, stats: PipelineStats) {
  const { logger, metrics, db, bus } = services;
  const eventsCounter = metrics.counter(
    'ml_pipeline_events_total',
    'Events seen by the ml-engine pipeline, by outcome',
    ['outcome'],
  );

  /** Events grouped by the model that predicts them; the rest are counted as skipped (gap fills, non-road modes…). */
  function groupByModel(events: NormalizedEvent[]): { byModel: Map<StoredModelName, Item[]>; skipped: number } {
    const byModel = new Map<StoredModelName, Item[]>();
    let skipped = 0;
    for (const e of events) {
      const m = mapEvent(e, engine.models);
      if ('skip' in m) {
        skipped++;
        logger.debug({ eventId: e.id, reason: m.skip }, 'event not predicted');
        continue;
      }
      let list = byModel.get(m.model);
      if (!list) byModel.set(m.model, (list = []));
      list.push({ e, m });
    }
    return { byModel, skipped };
  }

  /** Runs one model's rows; rows the model rejects are dropped (counted) and the rest retried once. */
  async function predictModel(model: StoredModelName, items: Item[]): Promise<Predicted> {
    const out: Predicted = { results: [], features: [], ctx: [], failed: 0 };
    const em = engine.get(model);
    for (let i = 0; i < items.length; i += MAX_ROWS_PER_RUN) {
      let part = items.slice(i, i + MAX_ROWS_PER_RUN);
      for (let attempt = 0; attempt < 2 && part.length; attempt++) {
        const batch = rowsToBatch(
          em,
          part.map((x) => x.m.features),
        );
        const adjust: RowAdjustment[] = part.map((x) => x.m.adjust);
        try {
          const salt = part.map((x) => x.e.id);
          const r = await engine.run(model, batch, { explain: 'path', adjust, hash: true, salt, source: 'pipeline' });
          out.results.push(...r);
          for (const x of r) out.features.push(part[x.index]!.m.features);
          out.ctx.push(...part.map(contextOf));
          break;
        } catch (err) {
          if (!(err instanceof ModelInputError) || attempt === 1) {
            out.failed += part.length;
            logger.error({ err, model, rows: part.length }, 'prediction failed for a batch of events');
            break;
          }
          const bad = new Set(err.errors.map((x) => x.row).filter((r): r is number => r !== undefined));
          const eventIds = [...bad].slice(0, 5).map((k) => part[k]!.e.id);
          logger.warn({ model, errors: err.errors.slice(0, 5), eventIds }, 'events rejected by the model');
          out.failed += bad.size;
          part = part.filter((_, k) => !bad.has(k));
        }
      }
    }
    return out;
  }

  /** Every model's rows, concatenated in model order. */
  async function predictAll(byModel: Map<StoredModelName, Item[]>): Promise<Predicted> {
    const all: Predicted = { results: [], features: [], ctx: [], failed: 0 };
    for (const [model, items] of byModel) {
      const r = await predictModel(model, items);
      all.results.push(...r.results);
      all.ctx.push(...r.ctx);
      all.features.push(...r.features);
      all.failed += r.failed;
    }
    return all;
  }

  /** prediction.created for the newly stored rows, 100 ids per message, with their suppliers and time span. */
  async function announce(fresh: { id: string; c: PredictionContext }[]): Promise<void> {
    for (let i = 0; i < fresh.length; i += IDS_PER_MESSAGE) {
      const part = fresh.slice(i, i + IDS_PER_MESSAGE);
      const times = part.map((p) => Date.parse(p.c.timestamp!)).filter(Number.isFinite);
      const now = Date.now();
      await bus.publish(predictionCreated, {
        ids: part.map((p) => p.id),
        count: part.length,
        supplierIds: [...new Set(part.map((p) => p.c.supplierId!).filter(Boolean))],
        from: new Date(times.length ? Math.min(...times) : now).toISOString(),
        to: new Date(times.length ? Math.max(...times) : now).toISOString(),
      });
    }
  }

  function count(outcome: { events: number; predicted: number; duplicates: number; skipped: number; failed: number }) {
    stats.events += outcome.events;
    stats.predicted += outcome.predicted;
    stats.duplicates += outcome.duplicates;
    stats.skipped += outcome.skipped;
    stats.failed += outcome.failed;
    eventsCounter.inc({ outcome: 'predicted' }, outcome.predicted);
    if (outcome.duplicates) eventsCounter.inc({ outcome: 'duplicate' }, outcome.duplicates);
    if (outcome.skipped) eventsCounter.inc({ outcome: 'skipped' }, outcome.skipped);
    if (outcome.failed) eventsCounter.inc({ outcome: 'failed' }, outcome.failed);
  }

  /** Predicts a list of event ids now: durable first (one INSERT per ≤ 1000 rows), then the signal. */
  async function processIds(ids: string[]): Promise<ProcessResult> {
    const events = await eventsByIds(services, [...new Set(ids)]);
    const { byModel, skipped } = groupByModel(events);
    const predicted = await predictAll(byModel);
    const refs = await insertPredictions(db, predicted.results, predicted.features, predicted.ctx);
    const fresh: { id: string; c: PredictionContext }[] = [];
    refs.forEach((r, k) => {
      if (r.inserted) fresh.push({ id: r.id, c: predicted.ctx[k]! });
    });
    await announce(fresh);
    // Ids data-core no longer has (or never had) count as skipped.
    const skippedAll = skipped + (ids.length - events.length);
    count({
      events: ids.length,
      predicted: fresh.length,
      duplicates: refs.length - fresh.length,
      skipped: skippedAll,
      failed: predicted.failed,
    });
    return {
      predicted: fresh.length,
      skipped: skippedAll,
      failed: predicted.failed,
      ids: fresh.map((f) => f.id),
      eventIds: fresh.map((f) => f.c.eventId!),
    };
  }

  return { processIds, countCaughtUp: (n: number) => eventsCounter.inc({ outcome: 'caught_up' }, n) };
}
