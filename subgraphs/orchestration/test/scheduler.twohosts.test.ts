// Jobs run once: two hosts (each a testkit with orchestration and a mocked data-core: the job only needs its series)
// share ONE PostgreSQL database and both run the scheduler with a per-second detection cron. Every tick must run
// exactly once: one job_runs row per tick and exactly one detection cycle (detection_runs row, the job's side effect)
// per tick.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type Database } from '@carbon-nexus/db';
import { createSubgraphTestkit, mockPlugin, type SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import orchestration from '../src/plugin.ts';

/** Each host's data-core: no emissions yet (a cycle still runs and records itself). */
const start = (db: Database, env: Record<string, string>) =>
  createSubgraphTestkit(orchestration, {
    with: [mockPlugin('data-core', { Query: { emissionsSeries: () => [] } })],
    db,
    scheduler: true,
    env: { ...process.env, ...env },
  });

describe.runIf(process.env.DATABASE_URL)('scheduler: two hosts, one database (postgres)', () => {
  let db: Database;
  const kits: SubgraphTestkit[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    const env = { HOTSPOT_CRON: '*/1 * * * * *', BASELINE_CRON: '0 0 1 1 *' };
    kits.push(await start(db, env));
    kits.push(await start(db, env));
  }, 300_000); // two hosts start slowly on a loaded 2-core machine
  afterAll(async () => {
    for (const k of kits) await k.stop();
    await db?.close();
  });

  it('each per-second tick of detectHotspots runs exactly once across both hosts', async () => {
    // Both schedulers are live: wait (bounded) for at least four finished ticks.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const [r] = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM job_runs WHERE job = 'detectHotspots' AND finished_at IS NOT NULL`,
      );
      if (Number(r.n) >= 4 || Date.now() > deadline) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    for (const k of kits) await k.host.stop(); // drain in-flight runs before counting
    const ticks = await db.query<{ scheduled_at: Date; status: string; n: string }>(
      `SELECT scheduled_at, status, count(*) OVER (PARTITION BY scheduled_at) AS n FROM job_runs WHERE job = 'detectHotspots' ORDER BY scheduled_at`,
    );
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(ticks.every((t) => Number(t.n) === 1 && t.status === 'ok')).toBe(true);
    const cycles = await db.query<{ window_end: Date; n: string }>(
      `SELECT window_end, count(*) AS n FROM detection_runs WHERE source = 'job' GROUP BY window_end ORDER BY window_end`,
    );
    // The job body's side effect happened once per tick, for exactly the ticks in the ledger.
    expect(cycles.map((c) => Number(c.n))).toEqual(ticks.map(() => 1));
    expect(cycles.map((c) => new Date(c.window_end).getTime())).toEqual(
      ticks.map((t) => new Date(t.scheduled_at).getTime()),
    );
  });
});
