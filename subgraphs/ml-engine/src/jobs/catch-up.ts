// The catch-up: events data-core stored that have no prediction and are not queued, queued now. A signal is lost
// when no process listened (ml-engine stopped) or this process could not hear the bus (a Redis or PostgreSQL bus
// reconnecting); data-core has the events, so the catch-up finds them. It runs at start (from the last sign of life
// of any pipeline), after the bus comes back and every ML_CATCHUP_INTERVAL_SECONDS (from where the previous run
// ended). Runs never overlap; a request during a run runs once more after it. Each run is tracked by the lifecycle
// and ends when the plugin drains.
import { randomUUID } from 'node:crypto';
import { runInScope, SYSTEM_CLAIMS, type PluginServices } from '@carbon-nexus/plugin-sdk';
import { storedEventIds, type StoredIdsPage } from '../datacore.ts';
import { knownEventIds, lastListening, markListening } from '../store/queue.ts';
import type { DataSource } from '@carbon-nexus/data-core/client';

/** Catch-up looks back this much further than it must (transactions commit after they start). */
const CATCH_UP_MARGIN_MS = 5 * 60_000;
/** What the catch-up scans: data-core's stored events of every source ml-engine predicts. */
const SOURCES: DataSource[] = ['API', 'CSV', 'STREAM', 'MOCK', 'IMPORT'];

export type CatchUpReason = 'start' | 'reconnect' | 'interval';

export interface CatchUpInfo {
  state: 'pending' | 'running' | 'done' | 'failed';
  from: string | null;
  enqueued: number;
  error: string | null;
  /** Completed runs, and why the last one ran. */
  runs: number;
  reason: CatchUpReason | null;
}

export interface CatchUp {
  /** Asks for a run (now, or once more after the one in progress); resolves with how many events it queued. */
  request(reason: CatchUpReason): Promise<number>;
  /** The first run (at start). */
  first(): Promise<number>;
  /** Whether a run is in progress, asked for, or did not complete: the liveness marker must not claim coverage. */
  owed(): boolean;
  /** Resolves when no run is in progress or asked for. */
  settled(): Promise<void>;
  info: CatchUpInfo;
}

interface CatchUpDeps {
  services: PluginServices;
  /** Ends retries and runs (the plugin drains, or the pipeline stops). */
  signal: AbortSignal;
  /** Queues ids (the pipeline's durable queue); returns how many were new there. */
  enqueue(ids: string[], meta: { correlationId: string }): Promise<number>;
  /** Counts events queued by a run. */
  onCaughtUp(n: number): void;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    t.unref?.();
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });

export function createCatchUp({ services, signal, enqueue, onCaughtUp }: CatchUpDeps): CatchUp {
  const { db, logger, lifecycle } = services;
  const tag = `catch-up-${randomUUID().slice(0, 8)}`;
  const info: CatchUpInfo = { state: 'pending', from: null, enqueued: 0, error: null, runs: 0, reason: null };
  /** Where the last complete run stopped scanning (the next one starts there, minus the margin). */
  let coveredUntil: number | null = null;
  let running: Promise<number> | null = null;
  let again: Promise<number> | null = null;
  let firstRun: Promise<number> = Promise.resolve(0);

  /** The start of the window: the previous run's end, else the last sign of life of any pipeline (null = all). */
  async function windowStart(): Promise<string | null> {
    const base = coveredUntil ?? (await lastListening(db))?.getTime() ?? null;
    return base === null ? null : new Date(base - CATCH_UP_MARGIN_MS).toISOString();
  }

  /** One page of stored ids, retried while data-core is unreachable (null once the plugin drains). */
  async function pageOf(from: string | null, until: string, after: string | null): Promise<StoredIdsPage | null> {
    const filter = { ...(from ? { ingestedFrom: from } : {}), ingestedTo: until, dataSources: SOURCES };
    for (let attempt = 0; ; attempt++) {
      try {
        return await runInScope({ auth: SYSTEM_CLAIMS }, () => storedEventIds(services, filter, after));
      } catch (err) {
        if (signal.aborted) return null;
        // At start-up data-core may register a moment after this plugin: the first misses are expected; a warning only
        // once it is still unreachable after the first retries (~1.5 s), then every tenth attempt.
        if (attempt >= 2 && (attempt - 2) % 10 === 0)
          logger.warn({ err, attempt }, 'catch-up: data-core not reachable yet; retrying');
        else logger.debug({ err, attempt }, 'catch-up: data-core not reachable yet; retrying');
        await sleep(Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)), signal);
        if (signal.aborted) return null;
      }
    }
  }

  /** Of one page's ids, those neither predicted nor queued go to the queue. */
  async function enqueueMissing(ids: string[]): Promise<number> {
    if (!ids.length) return 0;
    const have = await knownEventIds(db, ids);
    const missing = ids.filter((id) => !have.has(id));
    return missing.length ? enqueue(missing, { correlationId: tag }) : 0;
  }

  async function run(reason: CatchUpReason): Promise<number> {
    const from = await windowStart();
    Object.assign(info, { state: 'running', from, enqueued: 0, error: null, reason });
    // From now on this process listens: later signals arrive on the bus.
    if (reason === 'start') await markListening(db);
    const until = new Date();
    let after: string | null = null;
    let enqueued = 0;
    let complete = false;
    for (;;) {
      const page = await pageOf(from, until.toISOString(), after);
      if (!page) break;
      enqueued += await enqueueMissing(page.nodes.map((n) => n.id));
      info.enqueued = enqueued;
      if (!page.pageInfo.hasNextPage || signal.aborted) {
        complete = !page.pageInfo.hasNextPage;
        break;
      }
      after = page.pageInfo.endCursor;
    }
    if (complete) coveredUntil = until.getTime();
    if (enqueued) onCaughtUp(enqueued);
    logger.info(
      { from, until, enqueued, reason },
      enqueued ? 'catch-up: events without a prediction queued' : 'catch-up: nothing missed',
    );
    // An interrupted run (the plugin drains) leaves its window to the next start.
    info.state = complete ? 'done' : 'pending';
    info.runs++;
    return enqueued;
  }

  function guarded(reason: CatchUpReason): Promise<number> {
    return run(reason).catch((err) => {
      info.state = 'failed';
      info.error = String((err as Error)?.message ?? err);
      logger.error({ err, reason }, 'catch-up failed; missed events are found by the next run');
      return 0;
    });
  }

  function request(reason: CatchUpReason): Promise<number> {
    if (signal.aborted) return Promise.resolve(0);
    if (running) {
      // One more run after this one covers whatever the request was about; further requests share it.
      again ??= running.then(() => {
        again = null;
        return request(reason);
      });
      return again;
    }
    const p = lifecycle.track(guarded(reason)).finally(() => {
      if (running === p) running = null;
    });
    running = p;
    if (reason === 'start') firstRun = p;
    return p;
  }

  async function settled(): Promise<void> {
    while (running || again) await (again ?? running);
  }

  const owed = () => running !== null || again !== null || info.state !== 'done';
  return { request, first: () => firstRun, owed, settled, info };
}
