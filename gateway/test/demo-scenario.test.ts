// The seed's demo, compressed: the real product behind the real gateway (data-core, ml-engine, orchestration,
// recommendations, data-quality; scheduler on), the mock stream with history and its planned spike sent through
// POST /ingest/event, the simulated clock meeting real time 90 s in. A graphql-ws client subscribed like the dashboard
// must receive the CRITICAL hotspot, its alert and a recommendation for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@carbon-nexus/db';
import { runStream, type StreamStats } from '@carbon-nexus/data-core/mock';
import { startTestPlatform, type TestPlatform } from '@carbon-nexus/gateway/testkit';
import { watchPlatform, type DemoEvent, type Watch } from '../src/demo/watch.ts';

describe.each(testDatabaseTargets())('demo scenario, compressed (%s)', (target) => {
  let platform: TestPlatform;
  let watch: Watch;
  const errors: unknown[] = [];

  beforeAll(async () => {
    const plugins = await Promise.all(
      ['data-core', 'ml-engine', 'orchestration', 'recommendations', 'data-quality'].map(
        async (p) => (await import(`@carbon-nexus/${p}`)).default,
      ),
    );
    // Detection every 5 s (the demo: 20 s; production: 5 min), over the sliding last hour.
    const env = { HOTSPOT_CRON: '*/5 * * * * *', BASELINE_CRON: '0 0 1 1 *', LOG_LEVEL: 'warn' };
    platform = await startTestPlatform({ plugins, target, env, scheduler: true });
    const token = await platform.token('viewer', { sub: 'watcher' });
    watch = watchPlatform({ url: platform.url, token, onError: (e) => errors.push(e) });
    platform.defer(() => watch.close());
    await watch.ready;
  }, 300_000);
  afterAll(() => platform?.close());

  it('the planned spike fires a CRITICAL hotspot, pushed with its alert and a recommendation', async () => {
    const ac = new AbortController();
    let stats = null as StreamStats | null;
    const stream = runStream({
      url: platform.url,
      speed: 60,
      hotspotAt: 1.5,
      catchUp: 1.5,
      windowMinutes: 60,
      hotspotSupplier: 'MOCK-T1',
      hotspotKind: 'distance',
      hotspotFactor: 3,
      hotspotHours: 2,
      suppliers: ['MOCK-T1', 'MOCK-F1', 'MOCK-W1'],
      // 30 days: every hour of a weekend day has 8 samples of its own day type (baseline-statistics.ts). With 8
      // days a Saturday hour's baseline was the weekday level with a spread of both, and the spike was within its noise.
      backfillDays: 30,
      recalculateBaselines: true,
      durationMin: 6,
      seed: 42,
      batch: 1000,
      quiet: true,
      tickMs: 250,
      signal: ac.signal,
      log: () => undefined,
    }).then(
      (s) => (stats = s),
      (err) => (ac.signal.aborted ? null : Promise.reject(err)),
    );
    const deadline = Date.now() + 5 * 60_000;
    const find = <K extends DemoEvent['kind']>(kind: K, pred: (e: Extract<DemoEvent, { kind: K }>) => boolean) =>
      watch.events.find((e) => e.kind === kind && pred(e as Extract<DemoEvent, { kind: K }>)) as
        | Extract<DemoEvent, { kind: K }>
        | undefined;
    let critical: Extract<DemoEvent, { kind: 'hotspot' }> | undefined;
    while (Date.now() < deadline) {
      critical = find('hotspot', (e) => e.severity === 'CRITICAL');
      if (
        critical &&
        find('alert', (a) => a.level === 'CRITICAL' && a.hotspotId === critical!.id) &&
        find('recommendation', (r) => r.hotspotId === critical!.id)
      )
        break;
      await new Promise((r) => setTimeout(r, 500));
    }
    ac.abort();
    await stream;
    expect(errors).toEqual([]);
    expect(critical).toMatchObject({ name: 'Northline Haulage', severity: 'CRITICAL' });
    expect(critical!.percentAbove).toBeGreaterThanOrEqual(150);
    expect(critical!.eventCount).toBeGreaterThanOrEqual(3);
    const alert = find('alert', (a) => a.level === 'CRITICAL' && a.hotspotId === critical!.id);
    expect(alert?.message).toMatch(/^Northline Haulage exceeded emissions by \d+%/);
    expect(find('recommendation', (r) => r.hotspotId === critical!.id)).toBeDefined();
    // It fired because of the spike: after the spike's first events were sent, and for no other supplier.
    expect(stats?.rejected).toBe(0);
    expect(critical!.at).toBeGreaterThan(Date.parse(stats!.spike!.realStart));
    const others = watch.events.filter((e) => e.kind === 'hotspot' && e.name !== 'Northline Haulage');
    expect(others).toEqual([]);
  }, 420_000);
});
