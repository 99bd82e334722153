// event.normalized → load the events from data-core → map to model features → batch predict → one bulk INSERT →
// prediction.created. Batches are queued (bounded) and processed one at a time; failures are logged and counted.
import { currentScope, currentTraceparent, runInScope, SYSTEM_CLAIMS, withSpan, type BusTopics, type PluginServices } from '@carbon-nexus/plugin-sdk';
import { mapEvent, type NormalizedEvent } from './features/index.ts';
import type { MappedEvent } from './features/types.ts';
import { ModelInputError, rowsToBatch, type InferenceEngine, type InferenceResult, type RowAdjustment, type FeatureRow } from './inference.ts';
import { insertPredictions, type PredictionContext } from './persist.ts';
import type { StoredModelName } from './models-adapter.ts';

/** data-core `events(filter:{ids})` — the fields the feature mappers read. */
export const EVENTS_QUERY = /* GraphQL */ `
  query MlEngineEvents($filter: EventFilter, $first: Int, $after: String) {
    events(filter: $filter, first: $first, after: $after) {
      nodes {
        id supplierId eventType timestamp distanceKm loadKg vehicleType fuelType speedKmh fuelL energyKwh route facilityId region
        productionUnits areaM2 refrigerated stops parcels idleMinutes gradientPct attributes dataSource qualityStatus
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

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
  dropped: number;
}

export interface Pipeline {
  enqueue(payload: BusTopics['event.normalized']): boolean;
  /** Predicts a list of event ids now (used by the queue and by catch-up). */
  processIds(ids: string[]): Promise<{ predicted: number; skipped: number; failed: number; ids: string[] }>;
  /** Stops accepting new batches and resolves when the queue is empty. */
  drain(): Promise<void>;
  queueDepth(): number;
  stats: PipelineStats;
}

export function createPipeline(services: PluginServices<any>, engine: InferenceEngine, opts: { maxQueue: number }): Pipeline {
  const { logger, metrics, db, bus } = services;
  const eventsCounter = metrics.counter('ml_pipeline_events_total', 'Events seen by the ml-engine pipeline, by outcome', ['outcome']);
  const batchesCounter = metrics.counter('ml_pipeline_batches_total', 'event.normalized batches, by status (ok | error | dropped)', ['status']);
  const depth = metrics.gauge('ml_pipeline_queue_depth', 'event.normalized batches waiting for prediction');
  const stats: PipelineStats = { batches: 0, events: 0, predicted: 0, duplicates: 0, skipped: 0, failed: 0, dropped: 0 };
  const queue: { payload: BusTopics['event.normalized']; correlationId?: string; traceparent?: string }[] = [];
  let running: Promise<void> | null = null;
  let accepting = true;

  async function fetchEvents(ids: string[]): Promise<NormalizedEvent[]> {
    const out: NormalizedEvent[] = [];
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      let after: string | null = null;
      for (let page = 0; page < 10; page++) {
        const data: any = await services.call('data-core', EVENTS_QUERY, { filter: { ids: chunk }, first: 1000, after });
        out.push(...(data.events.nodes as NormalizedEvent[]));
        if (!data.events.pageInfo?.hasNextPage) break;
        after = data.events.pageInfo.endCursor;
      }
    }
    return out;
  }

  /** Runs one model's rows; rows the model rejects are dropped (counted) and the rest retried once. */
  async function predictModel(
    model: StoredModelName,
    items: { e: NormalizedEvent; m: MappedEvent }[],
  ): Promise<{ results: InferenceResult[]; features: FeatureRow[]; ctx: PredictionContext[]; failed: number }> {
    const results: InferenceResult[] = [];
    const features: FeatureRow[] = [];
    const ctx: PredictionContext[] = [];
    const em = engine.get(model);
    let failed = 0;
    for (let i = 0; i < items.length; i += MAX_ROWS_PER_RUN) {
      let part = items.slice(i, i + MAX_ROWS_PER_RUN);
      for (let attempt = 0; attempt < 2 && part.length; attempt++) {
        const batch = rowsToBatch(em, part.map((x) => x.m.features));
        const adjust: RowAdjustment[] = part.map((x) => x.m.adjust);
        try {
          const r = await engine.run(model, batch, { explain: 'path', adjust, hash: true, salt: part.map((x) => x.e.id), source: 'pipeline' });
          results.push(...r);
          for (const x of r) features.push(part[x.index]!.m.features);
          for (const { e, m } of part) {
            ctx.push({
              eventId: e.id,
              supplierId: e.supplierId,
              eventType: e.eventType.toLowerCase(),
              entityType: m.entityType,
              entityId: m.entityId,
              route: e.route ?? null,
              timestamp: e.timestamp,
            });
          }
          break;
        } catch (err) {
          if (!(err instanceof ModelInputError) || attempt === 1) {
            failed += part.length;
            logger.error({ err, model, rows: part.length }, 'prediction failed for a batch of events');
            break;
          }
          const bad = new Set(err.errors.map((x) => x.row).filter((r): r is number => r !== undefined));
          logger.warn({ model, errors: err.errors.slice(0, 5), eventIds: [...bad].slice(0, 5).map((k) => part[k]!.e.id) }, 'events rejected by the model');
          failed += bad.size;
          part = part.filter((_, k) => !bad.has(k));
        }
      }
    }
    return { results, features, ctx, failed };
  }

  async function processIds(ids: string[]) {
    const events = await fetchEvents([...new Set(ids)]);
    const byModel = new Map<StoredModelName, { e: NormalizedEvent; m: MappedEvent }[]>();
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
    const allResults: InferenceResult[] = [];
    const allCtx: PredictionContext[] = [];
    const allFeatures: FeatureRow[] = [];
    let failed = 0;
    for (const [model, items] of byModel) {
      const r = await predictModel(model, items);
      allResults.push(...r.results);
      allCtx.push(...r.ctx);
      allFeatures.push(...r.features);
      failed += r.failed;
    }
    // Durable first: one INSERT per ≤ 1000 rows, then the signal.
    const refs = await insertPredictions(db, allResults, allFeatures, allCtx);
    const fresh: { id: string; c: PredictionContext }[] = [];
    refs.forEach((r, k) => {
      if (r.inserted) fresh.push({ id: r.id, c: allCtx[k]! });
    });
    const dup = refs.length - fresh.length;
    for (let i = 0; i < fresh.length; i += IDS_PER_MESSAGE) {
      const part = fresh.slice(i, i + IDS_PER_MESSAGE);
      const times = part.map((p) => Date.parse(p.c.timestamp!)).filter(Number.isFinite);
      const now = Date.now();
      await bus.publish('prediction.created', {
        ids: part.map((p) => p.id),
        count: part.length,
        supplierIds: [...new Set(part.map((p) => p.c.supplierId!).filter(Boolean))],
        from: new Date(times.length ? Math.min(...times) : now).toISOString(),
        to: new Date(times.length ? Math.max(...times) : now).toISOString(),
      });
    }
    const missing = ids.length - events.length;
    stats.events += ids.length;
    stats.predicted += fresh.length;
    stats.duplicates += dup;
    stats.skipped += skipped + missing;
    stats.failed += failed;
    eventsCounter.inc({ outcome: 'predicted' }, fresh.length);
    if (dup) eventsCounter.inc({ outcome: 'duplicate' }, dup);
    if (skipped + missing) eventsCounter.inc({ outcome: 'skipped' }, skipped + missing);
    if (failed) eventsCounter.inc({ outcome: 'failed' }, failed);
    return { predicted: fresh.length, skipped: skipped + missing, failed, ids: fresh.map((f) => f.id) };
  }

  async function loop() {
    while (queue.length) {
      const { payload: batch, correlationId, traceparent } = queue.shift()!;
      depth.set(queue.length);
      try {
        // Bus work runs as the system (like jobs), in the publisher's correlation id and trace (not in the trace of
        // whichever batch happened to start this loop).
        await runInScope({ auth: SYSTEM_CLAIMS, correlationId }, () =>
          withSpan('ml-engine predict batch', async () => {
            const r = await processIds(batch.ids);
            logger.debug({ events: batch.ids.length, predicted: r.predicted, skipped: r.skipped, failed: r.failed }, 'event.normalized batch predicted');
          }, { remoteParent: { traceparent }, attributes: { 'carbon_nexus.events': batch.ids.length } }),
        );
        stats.batches++;
        batchesCounter.inc({ status: 'ok' });
      } catch (err) {
        stats.failed += batch.ids.length;
        batchesCounter.inc({ status: 'error' });
        eventsCounter.inc({ outcome: 'failed' }, batch.ids.length);
        logger.error({ err, events: batch.ids.length }, 'event.normalized batch failed');
      }
    }
  }

  return {
    stats,
    enqueue(payload) {
      if (!accepting) return false;
      if (queue.length >= opts.maxQueue) {
        stats.dropped += payload.ids.length;
        batchesCounter.inc({ status: 'dropped' });
        logger.error({ queued: queue.length, events: payload.ids.length }, 'ml-engine pipeline queue full: batch dropped');
        return false;
      }
      queue.push({ payload, correlationId: currentScope()?.correlationId, traceparent: currentTraceparent() });
      depth.set(queue.length);
      running ??= loop().finally(() => {
        running = null;
      });
      return true;
    },
    processIds,
    async drain() {
      accepting = false;
      while (running) await running;
    },
    queueDepth: () => queue.length,
  };
}
