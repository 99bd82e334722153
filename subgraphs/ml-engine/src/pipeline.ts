// Every event data-core stores gets exactly one prediction per model version:
//   event.normalized → ids written to ml_pending_events (durable queue, with the announcing request's correlation id
//   and trace) → batches claimed (lease, SKIP LOCKED: several processes can share the queue) → events read from
//   data-core → model features → batch predict → one bulk INSERT (deduplicated on model, version, input hash; the
//   hash includes the event id) → prediction.created → the batch leaves the queue.
// A burst only grows the queue (ml_pipeline_backlog_events), a failure backs the batch off and retries it, and a
// stop or crash leaves the queue for the next start. Signals missed while no process listened are found by the
// catch-up on start: data-core's events stored since this pipeline last listened, minus those already predicted.
import { randomUUID } from 'node:crypto';
import { currentScope, currentTraceparent, runInScope, SYSTEM_CLAIMS, withSpan, type PluginServices } from '@carbon-nexus/plugin-sdk';
import { mapEvent, type NormalizedEvent } from './features/index.ts';
import type { MappedEvent } from './features/types.ts';
import { ModelInputError, rowsToBatch, type InferenceEngine, type InferenceResult, type RowAdjustment, type FeatureRow } from './inference.ts';
import { insertPredictions, type PredictionContext } from './persist.ts';
import type { StoredModelName } from './models-adapter.ts';
import type { EventNormalized } from '@carbon-nexus/data-core/client';
import { predictionCreated } from '../client/topics.ts';

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

/** data-core events stored in a time window, in stored order (catch-up). */
export const STORED_EVENTS_QUERY = /* GraphQL */ `
  query MlEngineStoredEvents($filter: EventFilter, $first: Int, $after: String) {
    events(filter: $filter, first: $first, after: $after, orderBy: INGESTED_ASC) {
      nodes { id }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

export const MAX_ROWS_PER_RUN = 1000;
/** ids per prediction.created message (keeps each payload far below PostgreSQL NOTIFY's 8000 bytes). */
const IDS_PER_MESSAGE = 100;
/** Events claimed per batch. */
const CLAIM = 1000;
/** How long a claimed batch stays with its worker before another may take it (a worker that died). */
const LEASE_SECONDS = 120;
/** Received ids are written to the queue together after at most this long (fewer, larger inserts under load). */
const COALESCE_MS = 20;
/** Queue poll when idle: backed-off batches, and batches other processes queued. */
const POLL_MS = 2_000;
/** How often this process records that it is listening (bounds the catch-up window after a stop). */
const ALIVE_MS = 10_000;
/** Catch-up looks back this much further than the last sign of life (transactions commit after they start). */
const CATCH_UP_MARGIN_MS = 5 * 60_000;
const ALIVE_MARKER = 'listening';

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

export interface PipelineStatus {
  backlog: number;
  oldestPendingAt: string | null;
  stats: PipelineStats;
  catchUp: { state: 'pending' | 'running' | 'done' | 'failed'; from: string | null; enqueued: number; error: string | null };
}

export interface Pipeline {
  /** event.normalized: queues the ids durably (coalesced for a few ms) and wakes the worker. */
  enqueue(payload: EventNormalized): void;
  /** Writes ids to the durable queue now; returns how many were new there. */
  enqueueIds(ids: string[], meta?: { correlationId?: string; traceparent?: string }): Promise<number>;
  /** Predicts a list of event ids now (the worker's unit of work). */
  processIds(ids: string[]): Promise<{ predicted: number; skipped: number; failed: number; ids: string[]; eventIds: string[] }>;
  /** Starts the worker, the liveness marker and the catch-up. */
  start(): void;
  /** Writes what was received, finishes the batch in hand and stops (the queue stays for the next start). */
  drain(): Promise<void>;
  /** Resolves once the queue is empty (nothing buffered, pending or in hand). */
  idle(): Promise<void>;
  /** Events waiting (buffered + queued), as last counted. */
  queueDepth(): number;
  status(): Promise<PipelineStatus>;
  /** The catch-up run started by start() (resolves with how many events it queued). */
  catchUpDone(): Promise<number>;
  stats: PipelineStats;
}

interface Buffered {
  id: string;
  correlationId: string | null;
  traceparent: string | null;
}

export function createPipeline(services: PluginServices<any>, engine: InferenceEngine): Pipeline {
  const { logger, metrics, db, bus } = services;
  const eventsCounter = metrics.counter('ml_pipeline_events_total', 'Events seen by the ml-engine pipeline, by outcome', ['outcome']);
  const batchesCounter = metrics.counter('ml_pipeline_batches_total', 'Prediction batches, by status (ok | error)', ['status']);
  const backlogGauge = metrics.gauge('ml_pipeline_backlog_events', 'Events waiting for their prediction (durable queue ml_pending_events)');
  const stats: PipelineStats = { batches: 0, events: 0, predicted: 0, duplicates: 0, skipped: 0, failed: 0, retried: 0, caughtUp: 0 };
  const owner = randomUUID();

  let buffer: Buffered[] = [];
  let bufferTimer: NodeJS.Timeout | null = null;
  let writing: Promise<void> = Promise.resolve();
  let backlog = 0;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let started = false;
  let pollTimer: NodeJS.Timeout | null = null;
  let aliveTimer: NodeJS.Timeout | null = null;
  let catchUp: Promise<number> = Promise.resolve(0);
  const catchUpInfo: PipelineStatus['catchUp'] = { state: 'pending', from: null, enqueued: 0, error: null };
  const idleWaiters = new Set<() => void>();

  const setBacklog = (n: number) => {
    backlog = Math.max(0, n);
    backlogGauge.set(backlog + buffer.length);
  };

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
      await bus.publish(predictionCreated, {
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
    return { predicted: fresh.length, skipped: skipped + missing, failed, ids: fresh.map((f) => f.id), eventIds: fresh.map((f) => f.c.eventId!) };
  }

  // ---- the durable queue ----------------------------------------------------------------------------------

  async function enqueueIds(ids: string[], meta: { correlationId?: string; traceparent?: string } = {}): Promise<number> {
    if (!ids.length) return 0;
    const rows = await db.query<{ event_id: string }>(
      `INSERT INTO ml_pending_events (event_id, correlation_id, traceparent)
       SELECT u.id, u.cid, u.tp FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(id, cid, tp)
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [ids, ids.map(() => meta.correlationId ?? null), ids.map(() => meta.traceparent ?? null)],
    );
    setBacklog(backlog + rows.length);
    kick();
    return rows.length;
  }

  /** Writes the buffered ids (one INSERT); retried while the database refuses, so a received id is not dropped. */
  function flushBuffer(): Promise<void> {
    if (bufferTimer) clearTimeout(bufferTimer);
    bufferTimer = null;
    if (!buffer.length) return writing;
    const items = buffer;
    buffer = [];
    writing = writing.then(async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          const rows = await db.query<{ event_id: string }>(
            `INSERT INTO ml_pending_events (event_id, correlation_id, traceparent)
             SELECT u.id, u.cid, u.tp FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(id, cid, tp)
             ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
            [items.map((b) => b.id), items.map((b) => b.correlationId), items.map((b) => b.traceparent)],
          );
          setBacklog(backlog + rows.length);
          return;
        } catch (err) {
          // After a few tries the ids are left to the catch-up of the next start (they are in data-core).
          if (attempt >= 4 || stopped) {
            logger.error({ err, events: items.length }, 'prediction queue: ids not written (the catch-up on the next start finds them)');
            return;
          }
          await sleep(200 * 2 ** attempt);
        }
      }
    });
    return writing;
  }

  /** Takes up to `CLAIM` available events for this worker (a lease), oldest first. */
  async function claim(): Promise<{ event_id: string; correlation_id: string | null; traceparent: string | null; attempts: number }[]> {
    return db.query(
      `UPDATE ml_pending_events q SET available_at = now() + make_interval(secs => ${LEASE_SECONDS}), attempts = q.attempts + 1
       WHERE q.event_id IN (
         SELECT event_id FROM ml_pending_events WHERE available_at <= now() ORDER BY available_at, event_id LIMIT ${CLAIM} FOR UPDATE SKIP LOCKED)
       RETURNING q.event_id, q.correlation_id, q.traceparent, q.attempts`,
    );
  }

  /**
   * One claimed batch, predicted in one run (never per request: a stream of small requests still gets batch
   * inference), inside the trace of its largest announcing request; each request's events are logged under its own
   * correlation id. Then it leaves the queue.
   */
  async function runBatch(batch: Awaited<ReturnType<typeof claim>>): Promise<void> {
    const groups = new Map<string, typeof batch>();
    for (const r of batch) {
      const key = r.correlation_id ?? '';
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push(r);
    }
    const main = [...groups.values()].sort((a, b) => b.length - a.length)[0]!;
    const ids = batch.map((r) => r.event_id);
    try {
      // Queue work runs as the system (like jobs).
      await runInScope({ auth: SYSTEM_CLAIMS, correlationId: main[0]!.correlation_id ?? undefined }, () =>
        withSpan(
          'ml-engine predict batch',
          async () => {
            const r = await processIds(ids);
            const done = new Set(r.eventIds);
            for (const g of groups.values()) {
              const predicted = g.filter((x) => done.has(x.event_id)).length;
              runInScope({ correlationId: g[0]!.correlation_id ?? undefined }, () =>
                logger.debug({ events: g.length, predicted, batch: ids.length }, 'event.normalized batch predicted'),
              );
            }
          },
          { remoteParent: { traceparent: main[0]!.traceparent ?? undefined }, attributes: { 'carbon_nexus.events': ids.length } },
        ),
      );
      // Done (predicted, already predicted, skipped, or refused by the model for good): out of the queue.
      const removed = await db.query(`DELETE FROM ml_pending_events WHERE event_id = ANY($1::uuid[]) RETURNING event_id`, [ids]);
      setBacklog(backlog - removed.length);
      stats.batches++;
      batchesCounter.inc({ status: 'ok' });
    } catch (err) {
      // data-core unreachable, database down...: back off and retry; nothing is lost.
      const attempts = Math.max(...batch.map((r) => r.attempts));
      const wait = Math.min(300, 2 ** Math.min(attempts, 9));
      stats.retried++;
      batchesCounter.inc({ status: 'error' });
      logger.error({ err, events: ids.length, attempts, retryInSeconds: wait }, 'prediction batch failed; it stays queued and is retried');
      await db
        .query(`UPDATE ml_pending_events SET available_at = now() + make_interval(secs => $2::float8), last_error = $3 WHERE event_id = ANY($1::uuid[])`, [
          ids,
          wait,
          String((err as Error)?.message ?? err).slice(0, 500),
        ])
        .catch(() => undefined); // the lease expires anyway
    }
  }

  async function loop() {
    do {
      again = false;
      while (!stopped) {
        await flushBuffer();
        const batch = await claim();
        if (!batch.length) break;
        await runBatch(batch);
      }
    } while (again && !stopped);
  }

  function kick() {
    if (!started || stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = loop()
      .catch((err) => logger.error({ err }, 'prediction queue worker failed; it retries on the next poll'))
      .finally(() => {
        running = null;
        void notifyIdle();
      });
  }

  async function count(): Promise<{ n: number; oldest: string | null }> {
    const [r] = await db.query<{ n: number; oldest: Date | string | null }>(`SELECT count(*)::int AS n, min(enqueued_at) AS oldest FROM ml_pending_events`);
    return { n: r!.n, oldest: r!.oldest ? new Date(r!.oldest).toISOString() : null };
  }

  async function notifyIdle() {
    if (!idleWaiters.size || running || buffer.length) return;
    const { n } = await count().catch(() => ({ n: -1 }));
    if (n === 0 && !running && !buffer.length) {
      setBacklog(0);
      for (const w of [...idleWaiters]) w();
    }
    // Otherwise the poll (or the next enqueue) runs the worker again, and it calls back here when it stops.
  }

  async function markAlive() {
    await db.query(`INSERT INTO ml_pipeline_markers (name, at) VALUES ($1, now()) ON CONFLICT (name) DO UPDATE SET at = GREATEST(ml_pipeline_markers.at, now())`, [ALIVE_MARKER]);
  }

  /**
   * Events data-core stored since this pipeline last listened (minus a margin), that have no prediction and are
   * not queued: queued now. Runs once per start, in the background, retrying while data-core is unreachable.
   */
  async function runCatchUp(): Promise<number> {
    const [m] = await db.query<{ at: Date | string }>(`SELECT at FROM ml_pipeline_markers WHERE name = $1`, [ALIVE_MARKER]);
    const from = m ? new Date(new Date(m.at).getTime() - CATCH_UP_MARGIN_MS).toISOString() : null;
    catchUpInfo.from = from;
    catchUpInfo.state = 'running';
    // From now on this process listens: later signals arrive on the bus.
    await markAlive();
    const until = new Date().toISOString();
    let after: string | null = null;
    let enqueued = 0;
    for (;;) {
      let data: any;
      for (let attempt = 0; ; attempt++) {
        try {
          data = await runInScope({ auth: SYSTEM_CLAIMS }, () =>
            services.call('data-core', STORED_EVENTS_QUERY, { filter: { ...(from ? { ingestedFrom: from } : {}), ingestedTo: until, dataSources: ['API', 'CSV', 'STREAM', 'MOCK', 'IMPORT'] }, first: 1000, after }),
          );
          break;
        } catch (err) {
          if (stopped) return enqueued;
          if (attempt % 10 === 0) logger.warn({ err }, 'catch-up: data-core not reachable yet; retrying');
          await sleep(Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)));
        }
      }
      const ids: string[] = data.events.nodes.map((n: { id: string }) => n.id);
      if (ids.length) {
        const known = await db.query<{ id: string }>(
          `SELECT event_id AS id FROM predictions WHERE event_id = ANY($1::uuid[])
           UNION SELECT event_id FROM ml_pending_events WHERE event_id = ANY($1::uuid[])`,
          [ids],
        );
        const have = new Set(known.map((k) => k.id));
        const missing = ids.filter((id) => !have.has(id));
        if (missing.length) enqueued += await enqueueIds(missing, { correlationId: `catch-up-${owner.slice(0, 8)}` });
      }
      catchUpInfo.enqueued = enqueued;
      if (stopped || !data.events.pageInfo.hasNextPage) break;
      after = data.events.pageInfo.endCursor;
    }
    stats.caughtUp += enqueued;
    if (enqueued) eventsCounter.inc({ outcome: 'caught_up' }, enqueued);
    logger.info({ from, until, enqueued }, enqueued ? 'catch-up: events without a prediction queued' : 'catch-up: nothing missed');
    catchUpInfo.state = 'done';
    return enqueued;
  }

  return {
    stats,
    enqueue(payload) {
      if (stopped || !payload.ids?.length) return;
      const correlationId = currentScope()?.correlationId ?? null;
      const traceparent = currentTraceparent() ?? null;
      for (const id of payload.ids) buffer.push({ id, correlationId, traceparent });
      backlogGauge.set(backlog + buffer.length);
      if (buffer.length >= CLAIM) void flushBuffer().then(kick);
      else bufferTimer ??= setTimeout(() => void flushBuffer().then(kick), COALESCE_MS);
    },
    enqueueIds,
    processIds,
    start() {
      if (started) return;
      started = true;
      // A process that owns the database (PGlite) holds no lease of another: batches a crash left claimed are free.
      const release = db.kind === 'pglite' ? db.query(`UPDATE ml_pending_events SET available_at = now() WHERE available_at > now()`) : Promise.resolve();
      void release
        .then(() => count())
        .then(({ n }) => setBacklog(n))
        .catch((err) => logger.warn({ err }, 'prediction queue: first count failed'))
        .finally(kick);
      pollTimer = setInterval(() => {
        kick();
        void count()
          .then(({ n }) => setBacklog(n))
          .catch(() => undefined);
      }, POLL_MS);
      pollTimer.unref();
      aliveTimer = setInterval(() => void markAlive().catch((err) => logger.warn({ err }, 'prediction queue: liveness marker not written')), ALIVE_MS);
      aliveTimer.unref();
      catchUp = runCatchUp().catch((err) => {
        catchUpInfo.state = 'failed';
        catchUpInfo.error = String((err as Error)?.message ?? err);
        logger.error({ err }, 'catch-up failed; events missed while stopped are predicted after the next start');
        return 0;
      });
    },
    async drain() {
      stopped = true;
      if (pollTimer) clearInterval(pollTimer);
      if (aliveTimer) clearInterval(aliveTimer);
      // What was received is written (the batch in hand finishes); the rest waits in the queue for the next start.
      const pendingWrite = buffer.length ? flushBuffer() : writing;
      await pendingWrite;
      while (running) await running;
      await markAlive().catch(() => undefined);
      await catchUp;
    },
    idle() {
      return new Promise<void>((resolve) => {
        const done = () => {
          idleWaiters.delete(done);
          resolve();
        };
        idleWaiters.add(done);
        kick();
        void notifyIdle();
      });
    },
    queueDepth: () => backlog + buffer.length,
    async status() {
      const { n, oldest } = await count();
      setBacklog(n);
      return { backlog: n + buffer.length, oldestPendingAt: oldest, stats: { ...stats }, catchUp: { ...catchUpInfo } };
    },
    catchUpDone: () => catchUp,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref?.());
