// bench/gateway-peers: our gateway side by side with its peers on the SAME HTTP subgraphs and data, in one run:
//   - plain @apollo/gateway 2.14 + @apollo/server (the baseline every ratio is against)
//   - @graphql-hive/gateway (its runtime served by node:http)
//   - carbon-nexus gateway over the same HTTP subgraphs (the distributed topology)
//   - carbon-nexus embedded gateway (plugins in-process, its own copy of the same fixture data)
// The query joins entities across three subgraphs (data-core suppliers, orchestration hotspots, ml-engine
// predictions); variables vary per request (the same sequence for every topology); each server runs in its own
// child process.
//   npx tsx bench/gateway-peers.ts [--seconds 10] [--connections 50] [--only apollo,hive,ours-remote,ours-embedded]
//     [--db postgres|pglite] [--no-record]
import os from 'node:os';
import { startChild, type Child } from './lib/servers.ts';
import { graphqlLoad, table, type LoadResult } from './lib/load.ts';
import { JOIN_QUERY } from './lib/fixture.ts';
import { recordBenchmark } from './lib/record.ts';

const arg = (f: string, d: string) => (process.argv.includes(f) ? process.argv[process.argv.indexOf(f) + 1] : d);
const seconds = Math.min(Number(arg('--seconds', '10')), 10); // bounded: at most 10 s per topology
const connections = Number(arg('--connections', '50'));
const only = new Set(arg('--only', 'apollo,hive,ours-remote,ours-embedded').split(','));
// The fixture's database: PostgreSQL when DATABASE_URL is set (its queries then run outside the measured processes),
// else PGlite inside the subgraphs' process (which then bounds every topology alike).
const db = arg('--db', process.env.DATABASE_URL ? 'postgres' : 'pglite');
if (db !== 'postgres' && db !== 'pglite') throw new Error('--db must be postgres or pglite');
if (db === 'postgres' && !process.env.DATABASE_URL) throw new Error('--db postgres needs DATABASE_URL');
process.env.BENCH_DATABASE = db; // inherited by the server processes (bench/lib/run-server.ts)
// The same 64 variable sets, in the same order, for every topology (a seeded generator): first 20..49, search
// null or 'Supplier' (60 combinations, so some requests repeat others, as in real traffic).
let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pool = Array.from({ length: 64 }, () => ({ first: 20 + Math.floor(rand() * 30), search: rand() < 0.5 ? null : 'Supplier' }));
let drawn = 0;
const variables = () => pool[drawn++ % pool.length];

interface Topology { key: string; label: string; kind: string; shared: boolean }
const TOPOLOGIES: Topology[] = [
  { key: 'apollo', label: 'plain @apollo/gateway 2.14 -> HTTP subgraphs', kind: 'apollo-plain', shared: true },
  { key: 'hive', label: '@graphql-hive/gateway 2.15 -> HTTP subgraphs', kind: 'hive', shared: true },
  { key: 'ours-remote', label: 'carbon-nexus gateway -> HTTP subgraphs', kind: 'ours-remote', shared: true },
  { key: 'ours-embedded', label: 'carbon-nexus embedded gateway (in-process subgraphs)', kind: 'ours-embedded', shared: false },
].filter((t) => t.key === 'apollo' || only.has(t.key));

async function answer(url: string) {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: JOIN_QUERY, variables: { first: 3, search: null } }),
  });
  return (await r.json()) as any;
}
/** What every topology must answer identically before anything is timed (names and the joined fields' shape). */
const fingerprint = (a: any) =>
  JSON.stringify(a.data?.suppliers.nodes.map((n: any) => [n.name, n.hotspots.length, n.predictions.length]) ?? a);

const loadBefore = os.loadavg()[0];
const subgraphs = await startChild('subgraphs');
const env = { SUBGRAPH_URLS: JSON.stringify(subgraphs.info.urls), SUPERGRAPH_SDL: String(subgraphs.info.supergraphSdl) };
const rows: LoadResult[] = [];
const failures: string[] = [];
let expected: string | null = null;
try {
  // One gateway at a time: the measured gateway never competes with an idle peer's timers or GC.
  for (const t of TOPOLOGIES) {
    let child: Child | null = null;
    try {
      child = await startChild(t.kind, t.shared ? env : {});
      const a = await answer(child.url);
      if (a.errors) throw new Error(`${t.label} answered with errors: ${JSON.stringify(a.errors).slice(0, 400)}`);
      const fp = fingerprint(a);
      expected ??= fp;
      if (fp !== expected) throw new Error(`${t.label} disagrees with the baseline:\n${fp}\n${expected}`);
      await graphqlLoad(t.label, child.url, { query: JOIN_QUERY, variables, connections, seconds: 2 }); // warm-up
      await answer(child.url); // a barrier: the warm-up's backlog is served before the measured window opens
      const [g0, s0] = await Promise.all([child.cpuMs(), t.shared ? subgraphs.cpuMs() : null]);
      const r = await graphqlLoad(t.label, child.url, { query: JOIN_QUERY, variables, connections, seconds });
      const [g1, s1] = await Promise.all([child.cpuMs(), t.shared ? subgraphs.cpuMs() : null]);
      const done = Math.max(1, r.requests);
      r.cpuMsPerRequest = { gateway: (g1 - g0) / done, subgraphs: s0 === null ? null : (s1! - s0) / done };
      rows.push(r);
      console.log(
        `${t.label}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors + r.non2xx + r.graphqlErrors} ` +
          `(timeouts ${r.timeouts}, non-2xx ${r.non2xx}, GraphQL errors ${r.graphqlErrors}), CPU ms/request ${JSON.stringify(r.cpuMsPerRequest)}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
      );
    } catch (err) {
      if (t.key === 'apollo') throw err; // no baseline, no ratios
      failures.push(`${t.label}: ${(err as Error).message}`);
      console.error(`${t.label} FAILED: ${(err as Error).message}`);
    } finally {
      await child?.stop();
    }
  }
} finally {
  await subgraphs.stop();
}

const baseline = rows[0];
if (!baseline || baseline.requests === 0) {
  // Nothing completed: the machine is too busy for the chosen duration. No ratios, nothing recorded.
  console.error('the baseline completed no request in the measured window: rerun on a quieter machine or with more --seconds');
  process.exit(1);
}
const md = table(rows, baseline);
console.log('\n' + md);
const ratio = (key: string) => {
  const t = TOPOLOGIES.find((x) => x.key === key);
  const r = rows.find((x) => x.label === t?.label);
  return r ? r.rps / baseline.rps : null;
};
const summary = ['ours-remote', 'ours-embedded', 'hive']
  .map((k) => [k, ratio(k)] as const)
  .filter(([, v]) => v !== null)
  .map(([k, v]) => `${k}/apollo ${v!.toFixed(2)}x`)
  .join(', ');
console.log(`\nthroughput ratios vs plain @apollo/gateway: ${summary}`);
// A machine-readable line for bench/run.ts's summary table.
console.log(`BENCH_RESULT ${JSON.stringify({ name: 'gateway-peers', ratios: Object.fromEntries(['ours-remote', 'ours-embedded', 'hive'].map((k) => [k, ratio(k)])) })}`);
// PGlite and PostgreSQL runs are recorded in sections of their own.
if (!process.argv.includes('--no-record')) recordBenchmark(
  db === 'postgres' ? 'gateway-peers-postgres' : 'gateway-peers',
  `Our gateway vs plain \`@apollo/gateway\` and \`@graphql-hive/gateway\` on the same HTTP subgraphs and data: the entity-join query across data-core, orchestration and ml-engine (bench/lib/fixture.ts), variables varying per request (64 sets over 60 combinations, the same sequence for every topology), fixture data in ${db === 'postgres' ? 'PostgreSQL' : 'PGlite (in the subgraphs\' process)'}, ${connections} connections, ${seconds} s per topology after a 2 s warm-up, one gateway at a time, each in its own process. CPU ms/request: CPU time of the gateway process and of the shared subgraphs process over the measured window, per completed request (load on the machine hardly changes it). Machine load average (1 min) ${loadBefore.toFixed(1)} at start, ${os.loadavg()[0].toFixed(1)} at end (2 cores shared with other work).` +
    (failures.length ? `\n\nFailed in this run: ${failures.join('; ')}` : ''),
  md,
  `npx tsx bench/gateway-peers.ts --seconds ${seconds} --connections ${connections} --db ${db}`,
);
if (failures.length) process.exitCode = 1;
