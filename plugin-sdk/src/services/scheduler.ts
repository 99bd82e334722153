// Cron jobs on node-schedule. Exactly one process runs each tick: every replica fires, each tries to insert the
// (plugin, job, tick) row in job_runs, and only the one whose insert lands runs the job. A failed tick is retried by
// that process with exponential backoff (bounded attempts), so a transient fault (a dropped connection, a subgraph
// restarting) does not cost a whole cron period; attempts and the final status are kept in the row.
import os from 'node:os';
import schedule from 'node-schedule';
import type { SqlRunner } from '@carbon-nexus/db';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { runInScope, SYSTEM_CLAIMS } from '../context.ts';
import { withSpan } from './tracing.ts';

export interface JobResult {
  ran: boolean;
  reason?: string;
  durationMs?: number;
  attempts?: number;
  error?: string;
}

export interface Scheduler {
  /** Registers a job; `cron` is a node-schedule cron spec (seconds field optional). */
  add(name: string, cron: string, run: (tick: Date) => Promise<void>): void;
  /** Runs a job now (on demand), outside the tick ledger and without retries: the caller sees the outcome. */
  runNow(name: string): Promise<JobResult>;
  jobs(): { name: string; cron: string; nextRun: Date | null; running: boolean }[];
  stop(): Promise<void>;
}

export interface RetryPolicy {
  /** Attempts per tick in all (1 = no retry). Default 4. */
  attempts: number;
  /** Delay before the first retry; doubles each time. Default 1 s. */
  baseMs: number;
  /** Longest delay between attempts. Default 60 s. */
  maxMs: number;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseMs: 1000, maxMs: 60_000 };

/** JOB_RETRY_ATTEMPTS, JOB_RETRY_BASE_MS, JOB_RETRY_MAX_MS; a bad value is an error naming the setting. */
export function schedulerRetryFromEnv(env: Record<string, string | undefined>): RetryPolicy {
  const read = (name: string, fallback: number, min: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name}: must be an integer >= ${min} (got "${raw}")`);
    return n;
  };
  return {
    attempts: read('JOB_RETRY_ATTEMPTS', DEFAULT_RETRY.attempts, 1),
    baseMs: read('JOB_RETRY_BASE_MS', DEFAULT_RETRY.baseMs, 0),
    maxMs: read('JOB_RETRY_MAX_MS', DEFAULT_RETRY.maxMs, 0),
  };
}

export function createScheduler(deps: {
  db: SqlRunner;
  logger: Logger;
  metrics: Metrics;
  /** The plugin the jobs belong to: ledger rows are keyed by (plugin, job, tick), so equal job names never collide. */
  pluginId?: string;
  runner?: string;
  enabled?: boolean;
  retry?: Partial<RetryPolicy>;
}): Scheduler {
  const runner = deps.runner ?? `${os.hostname()}:${process.pid}`;
  const plugin = deps.pluginId ?? 'platform';
  const retry = { ...DEFAULT_RETRY, ...deps.retry };
  const entries = new Map<
    string,
    { cron: string; run: (tick: Date) => Promise<void>; job: schedule.Job | null; running: Promise<unknown> | null }
  >();
  const duration = deps.metrics.histogram('job_duration_seconds', 'Scheduled job duration', ['job', 'status']);
  const retries = deps.metrics.counter('job_retries_total', 'Scheduled ticks retried after a failure', [
    'plugin',
    'job',
  ]);
  const failures = deps.metrics.counter('job_failures_total', 'Scheduled ticks that failed on every attempt', [
    'plugin',
    'job',
  ]);
  let stopped = false;
  const sleepers = new Set<() => void>();

  /** Waits `ms` unless the scheduler stops first (then resolves false). */
  const sleep = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const wake = () => {
        clearTimeout(t);
        sleepers.delete(wake);
        resolve(!stopped);
      };
      const t = setTimeout(wake, ms);
      sleepers.add(wake);
    });

  async function claim(name: string, tick: Date): Promise<boolean> {
    const rows = await deps.db.query<{ job: string }>(
      `INSERT INTO job_runs (plugin, job, scheduled_at, runner) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING job`,
      [plugin, name, tick, runner],
    );
    return rows.length === 1;
  }

  /** The claim itself can fail (database briefly unreachable): it is retried like the job. */
  async function claimWithRetry(name: string, tick: Date): Promise<boolean> {
    for (let n = 1; ; n++) {
      try {
        return await claim(name, tick);
      } catch (err) {
        if (n >= retry.attempts || stopped) throw err;
        retries.inc({ plugin, job: name });
        deps.logger.warn({ job: name, attempt: n, err }, 'could not claim the tick; retrying');
        if (!(await sleep(Math.min(retry.maxMs, retry.baseMs * 2 ** (n - 1))))) throw err;
      }
    }
  }

  async function attempt(name: string, run: (tick: Date) => Promise<void>, tick: Date): Promise<string | null> {
    const started = performance.now();
    try {
      await runInScope({ auth: SYSTEM_CLAIMS }, () =>
        withSpan(`job ${name}`, () => run(tick), { attributes: { 'carbon_nexus.job': name } }),
      );
      duration.observe({ job: name, status: 'ok' }, (performance.now() - started) / 1000);
      return null;
    } catch (err) {
      duration.observe({ job: name, status: 'error' }, (performance.now() - started) / 1000);
      return (err as Error)?.message ?? String(err);
    }
  }

  async function execute(name: string, tick: Date, ledger: boolean): Promise<JobResult> {
    const entry = entries.get(name);
    if (!entry) throw new Error(`no job named "${name}" (known: ${[...entries.keys()].join(', ') || 'none'})`);
    if (entry.running) return { ran: false, reason: 'previous run still in progress' };
    // Marked running before the claim's await: a second fire of the same tick in this process waits its turn.
    let release!: () => void;
    entry.running = new Promise<void>((r) => (release = r));
    try {
      if (ledger && !(await claimWithRetry(name, tick)))
        return { ran: false, reason: 'another process took this tick' };
      const started = performance.now();
      const maxAttempts = ledger ? retry.attempts : 1;
      let error: string | null = null;
      let attempts = 0;
      for (;;) {
        attempts++;
        error = await attempt(name, entry.run, tick);
        if (!error) break;
        if (attempts >= maxAttempts || stopped) {
          deps.logger.error({ job: name, attempts, err: error }, 'job failed');
          if (ledger) failures.inc({ plugin, job: name });
          break;
        }
        const delay = Math.min(retry.maxMs, retry.baseMs * 2 ** (attempts - 1));
        deps.logger.warn({ job: name, attempt: attempts, retryInMs: delay, err: error }, 'job failed; retrying');
        retries.inc({ plugin, job: name });
        if (ledger) await recordProgress(name, tick, attempts, error);
        if (!(await sleep(delay))) {
          error = `${error} (not retried: the scheduler stopped)`;
          deps.logger.error({ job: name, attempts }, 'job failed; scheduler stopping, no more retries');
          failures.inc({ plugin, job: name });
          break;
        }
      }
      if (ledger) {
        await deps.db
          .query(
            `UPDATE job_runs SET finished_at = now(), status = $4, error = $5, attempts = $6 WHERE plugin = $1 AND job = $2 AND scheduled_at = $3`,
            [plugin, name, tick, error ? 'error' : 'ok', error, attempts],
          )
          .catch((err) => deps.logger.warn({ err, job: name }, 'could not record the job run'));
      }
      return { ran: true, durationMs: performance.now() - started, attempts, ...(error ? { error } : {}) };
    } finally {
      entry.running = null;
      release();
    }
  }

  async function recordProgress(name: string, tick: Date, attempts: number, error: string) {
    await deps.db
      .query(
        `UPDATE job_runs SET status = 'retrying', error = $4, attempts = $5 WHERE plugin = $1 AND job = $2 AND scheduled_at = $3`,
        [plugin, name, tick, error, attempts],
      )
      .catch(() => undefined);
  }

  return {
    add(name, cron, run) {
      if (entries.has(name)) throw new Error(`job "${name}" is already registered`);
      const entry = { cron, run, job: null as schedule.Job | null, running: null };
      entries.set(name, entry);
      if (deps.enabled === false) return;
      const job = schedule.scheduleJob(name, cron, (fireDate) => {
        if (stopped) return;
        // node-schedule's fireDate is the planned tick: identical across processes for the same cron.
        const tick = new Date(Math.floor(fireDate.getTime() / 1000) * 1000);
        void execute(name, tick, true).catch((err) => {
          failures.inc({ plugin, job: name });
          deps.logger.error({ err, job: name }, 'job tick lost: could not claim it');
        });
      });
      if (!job) throw new Error(`invalid cron expression "${cron}"`);
      entry.job = job;
    },
    runNow: (name) => execute(name, new Date(), false),
    jobs: () =>
      [...entries].map(([name, e]) => ({
        name,
        cron: e.cron,
        nextRun: (e.job?.nextInvocation() as Date | null | undefined) ?? null,
        running: !!e.running,
      })),
    async stop() {
      stopped = true;
      for (const e of entries.values()) e.job?.cancel();
      // Pending retries give up now; runs in progress finish (drain).
      for (const wake of [...sleepers]) wake();
      await Promise.all([...entries.values()].map((e) => e.running));
    },
  };
}

/** Validates a cron expression without scheduling anything. */
export function isValidCron(expr: string): boolean {
  const job = schedule.scheduleJob(expr, () => undefined);
  if (!job) return false;
  job.cancel();
  return true;
}
