// Every event data-core stores gets exactly one prediction per model version:
//   event.normalized → ids written to ml_pending_events (durable queue, with the announcing request's correlation id
//   and trace) → batches claimed (lease, SKIP LOCKED: several processes can share the queue) → predicted
//   (predict-events.ts) → the batch leaves the queue.
// A burst only grows the queue (ml_pipeline_backlog_events), a failure backs the batch off and retries it, and a
// stop or crash leaves the queue for the next start. Signals missed while no process listened, or while this one
// could not hear the bus, are found by the catch-up (catch-up.ts): at start, after the bus reconnects, and
// periodically.
import {
  currentScope,
  currentTraceparent,
  runInScope,
  SYSTEM_CLAIMS,
  withSpan,
  type PluginServices,
} from '@carbon-nexus/plugin-sdk';
import type { EventNormalized } from '@carbon-nexus/data-core/client';
import type { MlConfig } from '../config.ts';
import type { InferenceEngine } from '../engine/inference.ts';
import {
  backOffPending,
  claimBatch,
  countPending,
  CLAIM,
  insertPending,
  markListening,
  releaseLeases,
  removePending,
  type ClaimedEvent,
  type PendingItem,
} from '../store/queue.ts';
import { createCatchUp, type CatchUpInfo } from './catch-up.ts';
import { createEventPredictor, type PipelineStats, type ProcessResult } from './predict-events.ts';

export { MAX_ROWS_PER_RUN, type PipelineStats } from './predict-events.ts';

/** Received ids are written to the queue together after at most this long (fewer, larger inserts under load). */
const COALESCE_MS = 20;
/** Queue poll when idle: backed-off batches, and batches other processes queued; also watches the bus. */
const POLL_MS = 2_000;
/** How often this process records that it is listening (bounds the catch-up window after a stop). */
const ALIVE_MS = 10_000;

export interface PipelineStatus {
  backlog: number;
  oldestPendingAt: string | null;
  stats: PipelineStats;
  catchUp: CatchUpInfo;
}

export interface Pipeline {
  /** event.normalized: queues the ids durably (coalesced for a few ms) and wakes the worker. */
  enqueue(payload: EventNormalized): void;
  /** Writes ids to the durable queue now; returns how many were new there. */
  enqueueIds(ids: string[], meta?: { correlationId?: string; traceparent?: string }): Promise<number>;
  /** Predicts a list of event ids now (the worker's unit of work). */
  processIds(ids: string[]): Promise<ProcessResult>;
  /** Starts the worker, the liveness marker, the bus watch and the catch-up (at start and periodically). */
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
  /** Runs the catch-up now (or once more after the run in progress). */
  catchUpNow(): Promise<number>;
  stats: PipelineStats;
}

/** One claimed batch grouped by the request that announced its events (largest group first). */
function groupByRequest(batch: ClaimedEvent[]): ClaimedEvent[][] {
  const groups = new Map<string, ClaimedEvent[]>();
  for (const r of batch) {
    const key = r.correlation_id ?? '';
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r);
  }
  return [...groups.values()].sort((a, b) => b.length - a.length);
}

export function createPipeline(services: PluginServices<MlConfig>, engine: InferenceEngine): Pipeline {
  const { logger, metrics, db, bus, lifecycle } = services;
  const batchesCounter = metrics.counter('ml_pipeline_batches_total', 'Prediction batches, by status (ok | error)', [
    'status',
  ]);
  const backlogGauge = metrics.gauge(
    'ml_pipeline_backlog_events',
    'Events waiting for their prediction (durable queue ml_pending_events)',
  );
  const stats: PipelineStats = {
    batches: 0,
    events: 0,
    predicted: 0,
    duplicates: 0,
    skipped: 0,
    failed: 0,
    retried: 0,
    caughtUp: 0,
  };
  const predictor = createEventPredictor(services, engine, stats);

  let buffer: PendingItem[] = [];
  let bufferTimer: NodeJS.Timeout | null = null;
  let writing: Promise<void> = Promise.resolve();
  let backlog = 0;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let started = false;
  /** Whether the bus was heard at the last look (a change to true after false asks for a catch-up). */
  let busHeard = bus.connected;
  /** The bus's subscription count at the last look: a reconnect between two looks changes it. */
  let busListenings = bus.listenings;
  const idleWaiters = new Set<() => void>();
  // The catch-up ends when the plugin drains or when this pipeline is drained on its own (tests, a second pipeline).
  const stopping = new AbortController();

  const setBacklog = (n: number) => {
    backlog = Math.max(0, n);
    backlogGauge.set(backlog + buffer.length);
  };

  async function enqueueIds(
    ids: string[],
    meta: { correlationId?: string; traceparent?: string } = {},
  ): Promise<number> {
    if (!ids.length) return 0;
    const items = ids.map((id) => ({
      id,
      correlationId: meta.correlationId ?? null,
      traceparent: meta.traceparent ?? null,
    }));
    const n = await insertPending(db, items);
    setBacklog(backlog + n);
    kick();
    return n;
  }

  const catchUp = createCatchUp({
    services,
    signal: AbortSignal.any([lifecycle.signal, stopping.signal]),
    enqueue: enqueueIds,
    onCaughtUp(n) {
      stats.caughtUp += n;
      predictor.countCaughtUp(n);
    },
  });

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
          setBacklog(backlog + (await insertPending(db, items)));
          return;
        } catch (err) {
          // After a few tries the ids are left to the catch-up (they are in data-core).
          if (attempt >= 4 || stopped) {
            logger.error(
              { err, events: items.length },
              'prediction queue: ids not written (the next catch-up finds them)',
            );
            return;
          }
          await sleep(200 * 2 ** attempt);
        }
      }
    });
    return writing;
  }

  /** Predicts the batch inside the trace of its largest announcing request; logs each request's share. */
  async function predictClaimed(batch: ClaimedEvent[], ids: string[]): Promise<void> {
    const groups = groupByRequest(batch);
    const main = groups[0]!;
    // Queue work runs as the system (like jobs).
    await runInScope({ auth: SYSTEM_CLAIMS, correlationId: main[0]!.correlation_id ?? undefined }, () =>
      withSpan(
        'ml-engine predict batch',
        async () => {
          const r = await predictor.processIds(ids);
          const done = new Set(r.eventIds);
          for (const g of groups) {
            const predicted = g.filter((x) => done.has(x.event_id)).length;
            runInScope({ correlationId: g[0]!.correlation_id ?? undefined }, () =>
              logger.debug({ events: g.length, predicted, batch: ids.length }, 'event.normalized batch predicted'),
            );
          }
        },
        {
          remoteParent: { traceparent: main[0]!.traceparent ?? undefined },
          attributes: { 'carbon_nexus.events': ids.length },
        },
      ),
    );
  }

  /** A failed batch stays queued and becomes available again after an exponential backoff (at most 5 min). */
  async function backOff(batch: ClaimedEvent[], ids: string[], err: unknown): Promise<void> {
    const attempts = Math.max(...batch.map((r) => r.attempts));
    const wait = Math.min(300, 2 ** Math.min(attempts, 9));
    stats.retried++;
    batchesCounter.inc({ status: 'error' });
    logger.error(
      { err, events: ids.length, attempts, retryInSeconds: wait },
      'prediction batch failed; it stays queued and is retried',
    );
    // When even that fails, the lease expires anyway.
    await backOffPending(db, ids, wait, String((err as Error)?.message ?? err)).catch(() => undefined);
  }

  /**
   * One claimed batch, predicted in one run (never per request: a stream of small requests still gets batch
   * inference). Then it leaves the queue: predicted, already predicted, skipped, or refused by the model for good.
   */
  async function runBatch(batch: ClaimedEvent[]): Promise<void> {
    const ids = batch.map((r) => r.event_id);
    try {
      await predictClaimed(batch, ids);
      setBacklog(backlog - (await removePending(db, ids)));
      stats.batches++;
      batchesCounter.inc({ status: 'ok' });
    } catch (err) {
      // data-core unreachable, database down...: back off and retry; nothing is lost.
      await backOff(batch, ids, err);
    }
  }

  async function loop() {
    do {
      again = false;
      while (!stopped) {
        await flushBuffer();
        const batch = await claimBatch(db);
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

  async function notifyIdle() {
    if (!idleWaiters.size || running || buffer.length) return;
    const { n } = await countPending(db).catch(() => ({ n: -1 }));
    if (n === 0 && !running && !buffer.length) {
      setBacklog(0);
      for (const w of [...idleWaiters]) w();
    }
    // Otherwise the poll (or the next enqueue) runs the worker again, and it calls back here when it stops.
  }

  /**
   * A bus that was not heard and is heard again may have carried signals meanwhile: catch up. Also when it came back
   * between two looks (a short cut, or this thread busy meanwhile): its subscription count changed.
   */
  function watchBus() {
    const heard = bus.connected;
    const listenings = bus.listenings;
    if (heard && (!busHeard || listenings !== busListenings)) {
      logger.info('the bus is back: catching up on the events announced while it was away');
      void catchUp.request('reconnect');
    }
    busHeard = heard;
    if (heard) busListenings = listenings;
  }

  /** The pipeline listens, and no catch-up is owed: the next start may begin its catch-up from here. */
  async function markAlive() {
    if (!busHeard || catchUp.owed()) return;
    await markListening(db);
  }

  /** Worker, queue count, bus watch and liveness marker on timers that end when the plugin drains. */
  function startTimers() {
    lifecycle.setInterval(() => {
      kick();
      watchBus();
      void countPending(db)
        .then(({ n }) => setBacklog(n))
        .catch(() => undefined);
    }, POLL_MS);
    lifecycle.setInterval(
      () => void markAlive().catch((err) => logger.warn({ err }, 'prediction queue: liveness marker not written')),
      ALIVE_MS,
    );
    const every = services.config.ML_CATCHUP_INTERVAL_SECONDS;
    if (every > 0) lifecycle.setInterval(() => void catchUp.request('interval'), every * 1000);
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
    processIds: (ids) => predictor.processIds(ids),
    start() {
      if (started) return;
      started = true;
      // A process that owns the database (PGlite) holds no lease of another: batches a crash left claimed are free.
      const release = db.kind === 'pglite' ? releaseLeases(db) : Promise.resolve();
      void release
        .then(() => countPending(db))
        .then(({ n }) => setBacklog(n))
        .catch((err) => logger.warn({ err }, 'prediction queue: first count failed'))
        .finally(kick);
      startTimers();
      void catchUp.request('start');
    },
    async drain() {
      stopped = true;
      stopping.abort();
      // What was received is written (the batch in hand finishes); the rest waits in the queue for the next start.
      const pendingWrite = buffer.length ? flushBuffer() : writing;
      await pendingWrite;
      while (running) await running;
      await catchUp.settled();
      // Covered up to now only when the last catch-up completed and the bus was heard.
      await markAlive().catch(() => undefined);
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
      const { n, oldest } = await countPending(db);
      setBacklog(n);
      return { backlog: n + buffer.length, oldestPendingAt: oldest, stats: { ...stats }, catchUp: { ...catchUp.info } };
    },
    catchUpDone: () => catchUp.first(),
    catchUpNow: () => catchUp.request('interval'),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref?.());
