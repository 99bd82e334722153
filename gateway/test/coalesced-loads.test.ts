// Entity joins under concurrency: the plugins' batch loaders send the batches of requests that arrive while one is
// running as one statement (plugin-sdk kit, defineLoader). What must hold: every caller gets exactly the answer it
// gets alone — callers of different supplier scope never share a statement — and concurrent requests do share them.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Database } from '@carbon-nexus/db';
import { currentScope } from '@carbon-nexus/plugin-sdk';
import { createTestDatabase, testDatabaseTargets } from '@carbon-nexus/plugin-sdk/testkit';
import { startTestPlatform, type TestPlatform } from '@carbon-nexus/gateway/testkit';

const JOIN = /* GraphQL */ `
  query Join($first: Int!) {
    suppliers(first: $first) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        name
        hotspots { id severity percentAbove }
        predictions(first: 3) { id co2eKg }
      }
    }
  }
`;
const N = 40;

/**
 * The database as the plugins see it, counting the statements that read supplier pages, hotspots and predictions; while `slow` is
 * set, the first of each kind per caller takes that long (a busy database), so that the requests behind it find it
 * running.
 */
function counting(db: Database) {
  const counts = { pages: 0, hotspots: 0, predictions: 0, slow: 0 };
  const held = new Set<string>();
  const proxy = new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'query')
        return async (sql: string, params?: unknown[]) => {
          const kind = /AS sort_key/.test(sql)
            ? 'pages'
            : /FROM hotspots WHERE supplier_id = ANY/.test(sql)
              ? 'hotspots'
              : /FROM predictions WHERE supplier_id = s\.id/.test(sql)
                ? 'predictions'
                : null;
          if (kind) {
            counts[kind]++;
            const caller = `${kind}/${currentScope()?.auth?.sub}`;
            if (counts.slow && !held.has(caller)) {
              held.add(caller);
              await new Promise((r) => setTimeout(r, counts.slow));
            }
          }
          return target.query(sql, params);
        };
      return Reflect.get(target, prop, receiver);
    },
  });
  return { db: proxy, counts };
}

describe.each(testDatabaseTargets())('coalesced entity loads on %s', (target) => {
  let platform: TestPlatform;
  let db: Database;
  let counts: ReturnType<typeof counting>['counts'];
  const sid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

  beforeAll(async () => {
    db = await createTestDatabase(target);
    const c = counting(db);
    counts = c.counts;
    platform = await startTestPlatform({ db: c.db });
    await db.exec(`
      INSERT INTO suppliers (id, name, category, updated_at)
      SELECT ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'Supplier ' || lpad(i::text, 3, '0'), 'transport', now()
      FROM generate_series(1, ${N}) i;
      INSERT INTO hotspots (id, entity_type, entity_id, supplier_id, metric_value, baseline, percent_above, severity, status, window_start, window_end)
      SELECT md5('h' || i || '-' || k)::uuid, 'supplier', 's' || i, ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid,
             100 + i, 60, (40 + i)::float / 60 * 100, (ARRAY['info','warn','critical'])[1 + (i + k) % 3], 'open',
             now() - interval '1 hour', now()
      FROM generate_series(1, ${N}) i, generate_series(1, 2) k;
      INSERT INTO predictions (id, model, model_version, input_hash, supplier_id, event_type, timestamp, output_co2_kg, lower, upper, confidence, feature_importance)
      SELECT md5('p' || i || '-' || k)::uuid, 'logistics', '1.0.0', md5('p' || i || '-' || k),
             ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'transport', now() - (k || ' hours')::interval,
             10 * k + i, 9 * k + i, 11 * k + i, 0.8, '{}'
      FROM generate_series(1, ${N}) i, generate_series(1, 4) k;
    `);
  });
  afterAll(async () => {
    await platform?.close();
    await db?.close();
  });

  it('each caller gets its own answer when callers of every scope ask at once, and the reads are shared', async () => {
    const callers = {
      analyst: await platform.token('analyst'),
      first: await platform.token('viewer', { sub: 'v-first', supplierIds: [sid(1), sid(2)] }),
      other: await platform.token('viewer', { sub: 'v-other', supplierIds: [sid(7)] }),
    };
    const ask = (token: string, first: number) => platform.graphql(JOIN, { first }, { token });
    // Alone, one after another: the reference answers, per caller and page size.
    const who = Object.keys(callers) as (keyof typeof callers)[];
    const alone = new Map<string, unknown>();
    for (const w of who)
      for (let first = 1; first <= N; first++) alone.set(`${w}/${first}`, await ask(callers[w], first));
    const all = (alone.get(`analyst/${N}`) as any).data.suppliers.nodes;
    expect(all).toHaveLength(N);
    expect(all.every((s: any) => s.hotspots.length === 2 && s.predictions.length === 3)).toBe(true);
    expect((alone.get(`first/${N}`) as any).data.suppliers.nodes.map((s: any) => s.id)).toEqual([sid(1), sid(2)]);
    expect((alone.get(`other/${N}`) as any).data.suppliers.nodes.map((s: any) => s.id)).toEqual([sid(7)]);

    // All at once, scopes interleaved, every analyst request a different page (so the gateway cannot share the
    // fetch of identical requests: what is shared here is the plugins' statements).
    const before = { ...counts };
    counts.slow = 1000;
    const asks = Array.from({ length: 2 * N }, (_, i) => ({
      who: i % 2 ? 'analyst' : who[(i / 2) % 3],
      first: 1 + ((i * 7) % N),
    }));
    const answers = await Promise.all(asks.map((a) => ask(callers[a.who as keyof typeof callers], a.first)));
    answers.forEach((a, i) =>
      expect(a, `request ${i} (${asks[i].who}, first ${asks[i].first})`).toEqual(
        alone.get(`${asks[i].who}/${asks[i].first}`),
      ),
    );
    // Every request resolves hotspots and predictions; while one statement runs the others wait and go together:
    // per caller scope the held statement and about one more (without coalescing: one per distinct request).
    const reads = {
      pages: counts.pages - before.pages,
      hotspots: counts.hotspots - before.hotspots,
      predictions: counts.predictions - before.predictions,
    };
    // Pages of different sizes share one statement (each is a prefix of the largest).
    for (const kind of ['pages', 'hotspots', 'predictions'] as const) {
      expect(reads[kind], kind).toBeGreaterThanOrEqual(3); // at least one per scope
      expect(reads[kind], kind).toBeLessThanOrEqual(12);
    }
  });
});
