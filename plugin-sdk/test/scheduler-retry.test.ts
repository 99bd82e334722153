// Scheduled ticks that fail are retried (exponential backoff, bounded attempts) by the process that claimed them,
// counted in metrics and recorded in job_runs; the ledger is keyed by (plugin, job, tick), so two plugins with a job
// of the same name both run every tick.
import { describe, it, expect } from 'vitest';
import {
  createScheduler,
  createLogger,
  createMetrics,
  schedulerRetryFromEnv,
  type Metrics,
} from '@carbon-nexus/plugin-sdk';
import { createTestDatabase, testDatabaseTargets, waitFor } from '@carbon-nexus/plugin-sdk/testkit';

const logger = createLogger({ level: 'silent' });

async function metricValue(metrics: Metrics, name: string, labels: Record<string, string>): Promise<number> {
  const m = (await metrics.registry.getSingleMetric(`carbon_nexus_${name}`)?.get())?.values ?? [];
  const hit = m.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return hit?.value ?? 0;
}

interface Row {
  plugin: string;
  job: string;
  scheduled_at: Date;
  status: string;
  attempts: number;
  error: string | null;
}

describe.each(testDatabaseTargets())('scheduler retries and ledger on %s', (target) => {
  it('retries a failed tick with backoff until it succeeds, and counts the retries', async () => {
    const db = await createTestDatabase(target);
    const metrics = createMetrics();
    const s = createScheduler({
      db,
      logger,
      metrics,
      pluginId: 'flaky-plugin',
      retry: { attempts: 5, baseMs: 50, maxMs: 200 },
    });
    const calls: string[] = [];
    try {
      s.add('flaky', '* * * * * *', async (tick) => {
        calls.push(tick.toISOString());
        // The first tick fails twice (a transient fault), then succeeds; later ticks succeed at once.
        if (calls.filter((c) => c === calls[0]).length <= 2 && tick.toISOString() === calls[0])
          throw new Error('upstream briefly unavailable');
      });
      const row = await waitFor(
        'the first tick done',
        async () => {
          const rows = await db.query<Row>(
            `SELECT * FROM job_runs WHERE plugin = 'flaky-plugin' AND job = 'flaky' ORDER BY scheduled_at LIMIT 1`,
          );
          return rows[0]?.status === 'ok' ? rows[0] : null;
        },
        20_000,
      );
      await s.stop();
      expect(row.attempts).toBe(3);
      expect(row.error).toBeNull();
      // The same tick ran three times, nothing in between ran it a fourth time.
      expect(calls.filter((c) => c === new Date(row.scheduled_at).toISOString())).toHaveLength(3);
      expect(await metricValue(metrics, 'job_retries_total', { plugin: 'flaky-plugin', job: 'flaky' })).toBe(2);
      expect(await metricValue(metrics, 'job_failures_total', { plugin: 'flaky-plugin', job: 'flaky' })).toBe(0);
    } finally {
      await s.stop();
      await db.close();
    }
  });

  it('gives up after the bounded number of attempts: status error, the reason kept, one failure counted', async () => {
    const db = await createTestDatabase(target);
    const metrics = createMetrics();
    const s = createScheduler({
      db,
      logger,
      metrics,
      pluginId: 'broken-plugin',
      retry: { attempts: 3, baseMs: 20, maxMs: 40 },
    });
    let calls = 0;
    try {
      s.add('broken', '* * * * * *', async () => {
        calls++;
        throw new Error('the model file is missing');
      });
      const row = await waitFor(
        'the first tick given up',
        async () => {
          const rows = await db.query<Row>(
            `SELECT * FROM job_runs WHERE plugin = 'broken-plugin' AND job = 'broken' AND finished_at IS NOT NULL ORDER BY scheduled_at LIMIT 1`,
          );
          return rows[0] ?? null;
        },
        20_000,
      );
      await s.stop();
      expect(row).toMatchObject({ status: 'error', attempts: 3, error: 'the model file is missing' });
      expect(calls).toBeGreaterThanOrEqual(3);
      expect(
        await metricValue(metrics, 'job_failures_total', { plugin: 'broken-plugin', job: 'broken' }),
      ).toBeGreaterThanOrEqual(1);
      expect(
        await metricValue(metrics, 'job_retries_total', { plugin: 'broken-plugin', job: 'broken' }),
      ).toBeGreaterThanOrEqual(2);
    } finally {
      await s.stop();
      await db.close();
    }
  });

  it('stop() ends a pending retry at once (drain does not wait out the backoff)', async () => {
    const db = await createTestDatabase(target);
    const s = createScheduler({
      db,
      logger,
      metrics: createMetrics(),
      pluginId: 'slow-retry',
      retry: { attempts: 3, baseMs: 10 * 60_000, maxMs: 10 * 60_000 },
    });
    try {
      s.add('fails', '* * * * * *', async () => {
        throw new Error('still down');
      });
      await waitFor(
        'a retry scheduled',
        async () =>
          (await db.query<Row>(`SELECT * FROM job_runs WHERE plugin = 'slow-retry' AND status = 'retrying'`)).length >
          0,
        20_000,
      );
      await s.stop(); // would wait 10 minutes (the test's timeout is 60 s) if the backoff were not cancelled
      const [row] = await db.query<Row>(
        `SELECT * FROM job_runs WHERE plugin = 'slow-retry' ORDER BY scheduled_at LIMIT 1`,
      );
      expect(row.status).toBe('error');
      expect(row.error).toMatch(/still down \(not retried: the scheduler stopped\)/);
    } finally {
      await db.close();
    }
  });

  it('two plugins with a job of the same name both run each tick (ledger keyed by plugin and job)', async () => {
    const db = await createTestDatabase(target);
    const ran: Record<string, string[]> = { alpha: [], beta: [] };
    const mk = (pluginId: 'alpha' | 'beta') => {
      const s = createScheduler({ db, logger, metrics: createMetrics(), pluginId, runner: `${pluginId}-host` });
      s.add('refresh', '* * * * * *', async (tick) => void ran[pluginId].push(tick.toISOString()));
      return s;
    };
    const a = mk('alpha');
    const b = mk('beta');
    try {
      await waitFor('a tick run by both plugins', () => ran.alpha.some((t) => ran.beta.includes(t)), 20_000);
      await a.stop();
      await b.stop();
      const rows = await db.query<Row>(
        `SELECT plugin, job, scheduled_at, status FROM job_runs WHERE job = 'refresh' ORDER BY scheduled_at, plugin`,
      );
      const shared = ran.alpha.find((t) => ran.beta.includes(t))!;
      expect(rows.filter((r) => new Date(r.scheduled_at).toISOString() === shared).map((r) => r.plugin)).toEqual([
        'alpha',
        'beta',
      ]);
    } finally {
      await a.stop();
      await b.stop();
      await db.close();
    }
  });
});

describe('scheduler retry settings', () => {
  it('reads JOB_RETRY_* and names a bad setting', () => {
    expect(schedulerRetryFromEnv({})).toEqual({ attempts: 4, baseMs: 1000, maxMs: 60_000 });
    expect(schedulerRetryFromEnv({ JOB_RETRY_ATTEMPTS: '1', JOB_RETRY_BASE_MS: '0', JOB_RETRY_MAX_MS: '5' })).toEqual({
      attempts: 1,
      baseMs: 0,
      maxMs: 5,
    });
    expect(() => schedulerRetryFromEnv({ JOB_RETRY_ATTEMPTS: '0' })).toThrow(
      /JOB_RETRY_ATTEMPTS: must be an integer >= 1 \(got "0"\)/,
    );
    expect(() => schedulerRetryFromEnv({ JOB_RETRY_BASE_MS: 'soon' })).toThrow(/JOB_RETRY_BASE_MS/);
  });
});
