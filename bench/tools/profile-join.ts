// (In bench/tools: a diagnostic, not a benchmark; npm run bench does not run it.)
// bench/tools/profile-join: where one entity-join request spends its time, embedded, sequential (no concurrency):
// per subgraph fetch (wall ms), per SQL statement (wall ms, rows), and the whole request.
//   npx tsx bench/tools/profile-join.ts [--n 30] [--concurrency 1] [--db pglite|postgres] [--cpu-prof FILE]
import { createDatabase, createTestDatabase } from '@carbon-nexus/db';
import { loadPlatformConfig } from '@carbon-nexus/plugin-sdk';
import { startGateway } from '@carbon-nexus/gateway';
import { JOIN_QUERY, seedFixture } from '../lib/fixture.ts';

const arg = (f: string, d: string) => (process.argv.includes(f) ? process.argv[process.argv.indexOf(f) + 1] : d);
const n = Number(arg('--n', '30'));
const db = arg('--db', 'pglite') === 'postgres' ? await createTestDatabase('postgres') : await createDatabase();
await db.migrate();
await seedFixture(db);
const sql = new Map<string, { n: number; ms: number; rows: number }>();
const query = db.query.bind(db);
db.query = (async (text: string, params?: unknown[]) => {
  const t = performance.now();
  const r = await query(text, params);
  const k = text.replace(/\s+/g, ' ').slice(0, 90);
  const e = sql.get(k) ?? { n: 0, ms: 0, rows: 0 };
  e.n++;
  e.ms += performance.now() - t;
  e.rows += r.length;
  sql.set(k, e);
  return r;
}) as any;
const { plugins } = await loadPlatformConfig();
const gw = await startGateway({ plugins, port: 0, serveWeb: false, host: { db, migrate: false, scheduler: false } });
const url = `${gw.url}/graphql`;
const post = async (first: number) => {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: JOIN_QUERY, variables: { first, search: null } }),
  });
  return (await r.json()) as any;
};
for (let i = 0; i < 5; i++) await post(50);
sql.clear();
// --cpu-prof FILE: a CPU profile of the measured loop only (not start-up, migrations or seeding).
const profFile = process.argv.includes('--cpu-prof') ? arg('--cpu-prof', 'join.cpuprofile') : null;
const inspector = profFile ? new (await import('node:inspector/promises')).Session() : null;
if (inspector) {
  inspector.connect();
  await inspector.post('Profiler.enable');
  await inspector.post('Profiler.start');
}
const t = performance.now();
const cpu0 = process.cpuUsage();
// --concurrency C: C closed-loop clients with the benchmark's variables (first 20..49), like gateway-peers.
const concurrency = Number(arg('--concurrency', '1'));
let issued = 0;
const latencies: number[] = [];
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (issued++ < n) {
      const t0 = performance.now();
      const a = await post(concurrency === 1 ? 50 : 20 + Math.floor(Math.random() * 30));
      latencies.push(performance.now() - t0);
      if (a.errors) throw new Error(JSON.stringify(a.errors));
    }
  }),
);
const per = (performance.now() - t) / n;
const cpu = process.cpuUsage(cpu0);
latencies.sort((a, b) => a - b);
const q = (f: number) => latencies[Math.min(latencies.length - 1, Math.floor(f * latencies.length))].toFixed(0);
console.log(`latency ms: p50 ${q(0.5)}, p90 ${q(0.9)}, p99 ${q(0.99)}, max ${q(1)}`);
if (inspector) {
  const { profile } = await inspector.post('Profiler.stop');
  (await import('node:fs')).writeFileSync(profFile!, JSON.stringify(profile));
}
console.log(
  `whole request (concurrency ${concurrency}): ${per.toFixed(1)} ms wall, ${((cpu.user + cpu.system) / 1000 / n).toFixed(1)} ms CPU of this process`,
);
const metrics = await (await fetch(`${gw.url}/metrics`)).text();
for (const l of metrics.split('\n'))
  if (
    /^(subgraph_fetch_seconds|plugin_operation_seconds)_(sum|count)/.test(l) ||
    /^graphql_operation_seconds_(sum|count)/.test(l)
  )
    console.log(l);
for (const [k, v] of [...sql].sort((a, b) => b[1].ms - a[1].ms))
  console.log(
    `${(v.ms / n).toFixed(2).padStart(7)} ms/req  ${String(v.n / n).padStart(4)} x  ${(v.rows / v.n).toFixed(0).padStart(4)} rows  ${k}`,
  );
await gw.close();
await db.close();
