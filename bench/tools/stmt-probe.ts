// Times SQL variants on a migrated PGlite database (in its own thread, as shipped) seeded with the bench fixture: a
// tool for choosing a statement's shape, not a benchmark of the product.
//   npx tsx bench/tools/stmt-probe.ts VARIANTS.json
//     VARIANTS.json: { "name": ["SQL", [params…]] } — "$IDS" as a parameter stands for 35 fixture supplier ids
//     PER_SUPPLIER=n   predictions added per supplier (default 50: a product that has run for a while)
//     EXTRA_SQL="…"    run before ANALYZE (e.g. an index to try);  PLAN=1  print EXPLAIN ANALYZE of each variant
import { createTestDatabase } from '@carbon-nexus/db';
import { seedFixture } from '../lib/fixture.ts';

const db = await createTestDatabase('pglite');
await seedFixture(db as any, 60);
// More predictions per supplier, as a product that has run for a while has.
const perSupplier = Number(process.env.PER_SUPPLIER ?? 50);
await db.exec(`INSERT INTO predictions (id, model, model_version, input_hash, supplier_id, event_type, timestamp, output_co2_kg, lower, upper, confidence, feature_importance)
  SELECT gen_random_uuid(), 'logistics', '1.0.0', md5(random()::text), md5('s' || i)::uuid, 'transport', now() - (k || ' minutes')::interval - interval '6 hours', k, k, k, 0.8, '{}'
  FROM generate_series(1, 60) i, generate_series(1, ${perSupplier}) k`);
if (process.env.EXTRA_SQL) await db.exec(process.env.EXTRA_SQL);
await db.exec('ANALYZE');
const ids = (await db.query<{ id: string }>(`SELECT id::text FROM suppliers ORDER BY name LIMIT 35`)).map((r) => r.id);

const variants: Record<string, [string, unknown[]]> = JSON.parse(
  await (await import('node:fs/promises')).readFile(process.argv[2], 'utf8'),
);
for (const [name, [sql, params]] of Object.entries(variants)) {
  const p = params.map((v) => (v === '$IDS' ? ids : v));
  const plan = await db.query<any>(`EXPLAIN ANALYZE ${sql}`, p);
  for (let i = 0; i < 30; i++) await db.query(sql, p);
  const t = performance.now();
  const n = 300;
  for (let i = 0; i < n; i++) await db.query(sql, p);
  const ms = (performance.now() - t) / n;
  console.log(`${name}: ${ms.toFixed(3)} ms/query`);
  if (process.env.PLAN) console.log(plan.map((r: any) => Object.values(r)[0]).join('\n'));
}
await db.close();
