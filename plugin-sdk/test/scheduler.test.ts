import { describe, it, expect } from 'vitest';
import { createScheduler, createLogger, createMetrics } from '@carbon-nexus/plugin-sdk';
import { createTestDatabase, testDatabaseTargets } from '@carbon-nexus/plugin-sdk/testkit';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(testDatabaseTargets())('scheduler on %s', (target) => {
  it('runs each tick exactly once across two schedulers sharing the database', async () => {
    const db = await createTestDatabase(target);
    const runs: string[] = [];
    const mk = (name: string) =>
      createScheduler({ db, logger: createLogger({ level: 'silent' }), metrics: createMetrics(), runner: name });
    const a = mk('replica-a');
    const b = mk('replica-b');
    try {
      for (const [s, who] of [
        [a, 'a'],
        [b, 'b'],
      ] as const) {
        s.add('tick', '* * * * * *', async (tick) => {
          runs.push(`${tick.toISOString()}@${who}`);
        });
      }
      await wait(3300);
      await a.stop();
      await b.stop();
      const ticks = runs.map((r) => r.split('@')[0]);
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(new Set(ticks).size).toBe(ticks.length); // no tick ran twice
      const ledger = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM job_runs WHERE job = 'tick' AND status = 'ok'`,
      );
      expect(ledger[0].n).toBe(ticks.length);
    } finally {
      await db.close();
    }
  });

  it('runNow runs on demand and reports a failure without throwing', async () => {
    const db = await createTestDatabase(target);
    const s = createScheduler({
      db,
      logger: createLogger({ level: 'silent' }),
      metrics: createMetrics(),
      enabled: false,
    });
    try {
      let n = 0;
      s.add('count', '0 0 1 1 *', async () => void n++);
      s.add('fail', '0 0 1 1 *', async () => {
        throw new Error('boom');
      });
      expect((await s.runNow('count')).ran).toBe(true);
      expect(n).toBe(1);
      expect((await s.runNow('fail')).ran).toBe(true);
      await expect(s.runNow('missing')).rejects.toThrow(/no job named "missing"/);
      expect(() => s.add('bad', 'not a cron', async () => undefined)).not.toThrow(); // disabled schedulers don't parse
    } finally {
      await s.stop();
      await db.close();
    }
  });
});
