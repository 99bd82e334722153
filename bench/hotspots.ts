// bench/hotspots: one hotspot detection cycle (orchestration -> data-core emissionsSeries over services.call, twice:
// the window and the sustained-evidence span -> baselines -> set-based hotspot/alert writes -> bus) over 1,000,000
// events in the window, against the plain SQL aggregation of the same window (the GROUP BY the cycle needs),
// alternating, in the same run.
//   npx tsx bench/hotspots.ts [--rows 1000000] [--suppliers 200] [--rounds 5] [--target pglite|postgres] [--record]
import { parseArgs } from 'node:util';
import { createTestDatabase } from '@carbon-nexus/db';
import { createSubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import orchestration from '@carbon-nexus/orchestration';
import { detectWindow } from '../subgraphs/orchestration/src/jobs/detect-hotspots.ts';
import { recordBenchmark } from './lib/record.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    suppliers: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '5' },
    target: { type: 'string', default: process.env.DATABASE_URL ? 'postgres' : 'pglite' },
    record: { type: 'boolean', default: false },
  },
});
const ROWS = Number(values.rows);
const SUPPLIERS = Number(values.suppliers);
const ROUNDS = Number(values.rounds);
const target = values.target as 'pglite' | 'postgres';

const dataCore = (await import('@carbon-nexus/data-core')).default;
const mlEngine = (await import('@carbon-nexus/ml-engine')).default;
const db = await createTestDatabase(target);
const kit = await createSubgraphTestkit(orchestration, {
  with: [dataCore, mlEngine],
  db,
  env: { ...process.env, LOG_LEVEL: 'warn' },
});

const end = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const start = new Date(end.getTime() - 3_600_000);
const sid = (n: string) => `('00000000-0000-4000-8000-' || lpad((${n})::text, 12, '0'))::uuid`;

let t = performance.now();
// 1M normalized events (data-core's figure in co2e_kg) spread over the detection window and the suppliers (seeded
// directly with SQL). Secondary indexes are dropped for the bulk insert and rebuilt from their own definitions
// afterwards (much faster).
const indexes = await db.query<{ indexname: string; indexdef: string }>(
  `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'events_normalized' AND indexname <> 'events_normalized_pkey'`,
);
for (const i of indexes) await db.exec(`DROP INDEX "${i.indexname}"`);
await db.exec(`INSERT INTO events_normalized (id, raw_id, event_type, supplier_id, "timestamp", co2e_kg, method, factor_id, factor_version, factor_source, data_source, quality_status)
  SELECT gen_random_uuid(), gen_random_uuid(), 'transport', ${sid(`g % ${SUPPLIERS}`)},
         '${start.toISOString()}'::timestamptz + ((g * 3599.0 / ${ROWS}) * interval '1 second'), 10 + (g % 97), 'FUEL', 'bench', 'bench', 'bench', 'mock', 'valid'
  FROM generate_series(1, ${ROWS}) AS g`);
const inserted = performance.now() - t;
for (const i of indexes) await db.exec(i.indexdef);
await db.exec(`VACUUM ANALYZE events_normalized`); // visibility map: index-only scans, as in steady state
// Flat baselines: every other supplier at a third of its load (a CRITICAL hotspot), the rest above it (none).
const perSupplier = (ROWS / SUPPLIERS) * 58;
await db.exec(`INSERT INTO baselines (id, entity_type, entity_id, hour_of_week, value, spread, events, method, samples)
  SELECT gen_random_uuid(), 'supplier', ${sid('n')}::text, -1, CASE WHEN n % 2 = 0 THEN ${perSupplier / 3} ELSE ${perSupplier * 1.2} END,
         ${perSupplier / 20}, ${ROWS / SUPPLIERS}, 'flat_median', 672
  FROM generate_series(0, ${SUPPLIERS - 1}) AS n`);
console.log(
  `seeded ${ROWS.toLocaleString()} events for ${SUPPLIERS} suppliers on ${target} in ${((performance.now() - t) / 1000).toFixed(1)} s (insert ${(inserted / 1000).toFixed(1)} s, then ${indexes.length} indexes + vacuum)`,
);

const plainSql = `SELECT date_trunc('hour', "timestamp", 'UTC') AS bucket_start, supplier_id::text AS key, sum(co2e_kg) AS co2, count(*) AS n
  FROM events_normalized WHERE "timestamp" >= $1 AND "timestamp" < $2 AND quality_status NOT IN ('rejected', 'superseded') GROUP BY 1, 2 ORDER BY 1, 2`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const sqlMs: number[] = [];
const cycleMs: number[] = [];
let first: Awaited<ReturnType<typeof detectWindow>> | null = null;
// Warm-up both paths once (plans, caches, the first cycle's inserts).
await db.query(plainSql, [start, end]);
first = await detectWindow(kit.services, start, end, 'job');
for (let i = 0; i < ROUNDS; i++) {
  t = performance.now();
  const rows = await db.query(plainSql, [start, end]);
  sqlMs.push(performance.now() - t);
  if (rows.length < SUPPLIERS) throw new Error(`plain aggregation returned ${rows.length} groups`);
  t = performance.now();
  const c = await detectWindow(kit.services, start, end, 'job');
  cycleMs.push(performance.now() - t);
  if (c.entitiesEvaluated !== SUPPLIERS)
    throw new Error(`cycle evaluated ${c.entitiesEvaluated} entities, expected ${SUPPLIERS}`);
}
const [hot] = await db.query<{ n: string }>(
  `SELECT count(*) AS n FROM hotspots WHERE status = 'open' AND severity = 'critical'`,
);
const sql = median(sqlMs);
const cycle = median(cycleMs);
const ratio = cycle / sql;
console.log(
  `first cycle: created ${first.created} hotspots, ${first.alertsRaised} alerts; open CRITICAL hotspots now ${hot.n}`,
);
const table = [
  '| path | median ms | ratio |',
  '|---|---:|---:|',
  `| plain SQL aggregation (GROUP BY hour, supplier) | ${sql.toFixed(0)} | 1.00x |`,
  `| detection cycle (data-core calls + baselines + writes + bus) | ${cycle.toFixed(0)} | ${ratio.toFixed(2)}x |`,
].join('\n');
console.log(table);
console.log(
  `goal: < 1.5x (${ratio < 1.5 ? 'met' : 'NOT met'}) and < 2000 ms (${cycle < 2000 ? 'met' : 'NOT met'}); ${ROUNDS} rounds, ${target}`,
);
if (values.record) {
  recordBenchmark(
    'hotspots',
    `One detection cycle over ${ROWS.toLocaleString()} events (${SUPPLIERS} suppliers, one 60-minute window) vs the plain SQL aggregation of the same window, ${target}, median of ${ROUNDS} alternating rounds.`,
    table,
    `npx tsx bench/hotspots.ts --target ${target} --record`,
  );
}
await kit.stop();
await db.close();
