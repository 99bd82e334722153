// Cron jobs on node-schedule. Exactly one process runs each tick: every replica fires, each tries to
// insert the (job, tick) row in job_runs, and only the one whose insert lands runs the job.
import os from 'node:os';
import schedule from 'node-schedule';
import type { SqlRunner } from '@carbon-nexus/db';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { runInScope, SYSTEM_CLAIMS } from '../context.ts';
import { withSpan } from './tracing.ts';

export interface JobResult { ran: boolean; reason?: string; durationMs?: number }

export interface Scheduler {
  /** Registers a job; `cron` is a node-schedule cron spec (seconds field optional). */
  add(name: string, cron: string, run: (tick: Date) => Promise<void>): void;
  /** Runs a job now (on demand), outside the tick ledger. */
  runNow(name: string): Promise<JobResult>;
  jobs(): { name: string; cron: string; nextRun: Date | null; running: boolean }[];
  stop(): Promise<void>;
}

export function createScheduler(deps: { db: SqlRunner; logger: Logger; metrics: Metrics; runner?: string; enabled?: boolean }): Scheduler {
  const runner = deps.runner ?? `${os.hostname()}:${process.pid}`;
  const entries = new Map<string, { cron: string; run: (tick: Date) => Promise<void>; job: schedule.Job | null; running: Promise<void> | null }>();
  const duration = deps.metrics.histogram('job_duration_seconds', 'Scheduled job duration', ['job', 'status']);
  let stopped = false;

  async function claim(name: string, tick: Date): Promise<boolean> {
    const rows = await deps.db.query<{ job: string }>(
      `INSERT INTO job_runs (job, scheduled_at, runner) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING job`,
      [name, tick, runner],
    );
    return rows.length === 1;
  }

  async function execute(name: string, tick: Date, ledger: boolean): Promise<JobResult> {
    const entry = entries.get(name);
    if (!entry) throw new Error(`no job named "${name}" (known: ${[...entries.keys()].join(', ') || 'none'})`);
    if (entry.running) return { ran: false, reason: 'previous run still in progress' };
    if (ledger && !(await claim(name, tick))) return { ran: false, reason: 'another process took this tick' };
    const started = performance.now();
    let status = 'ok';
    let error: string | null = null;
    const run = runInScope({ auth: SYSTEM_CLAIMS }, () => withSpan(`job ${name}`, () => entry.run(tick), { attributes: { 'carbon_nexus.job': name } }));
    entry.running = run.catch(() => undefined);
    try {
      await run;
    } catch (err) {
      status = 'error';
      error = (err as Error).message;
      deps.logger.error({ err, job: name }, 'job failed');
    } finally {
      entry.running = null;
    }
    const ms = performance.now() - started;
    duration.observe({ job: name, status }, ms / 1000);
    if (ledger) {
      await deps.db
        .query(`UPDATE job_runs SET finished_at = now(), status = $3, error = $4 WHERE job = $1 AND scheduled_at = $2`, [name, tick, status, error])
        .catch(() => undefined);
    }
    return { ran: true, durationMs: ms };
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
        void execute(name, tick, true).catch((err) => deps.logger.error({ err, job: name }, 'job scheduling failed'));
      });
      if (!job) throw new Error(`invalid cron expression "${cron}"`);
      entry.job = job;
    },
    runNow: (name) => execute(name, new Date(), false),
    jobs: () =>
      [...entries].map(([name, e]) => ({ name, cron: e.cron, nextRun: (e.job?.nextInvocation() as Date | null | undefined) ?? null, running: !!e.running })),
    async stop() {
      stopped = true;
      for (const e of entries.values()) e.job?.cancel();
      // Drain: let in-flight runs finish.
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
