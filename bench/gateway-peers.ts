// bench/gateway-peers: our gateway side by side with its peers on the SAME subgraphs and data, in one run:
//   - plain @apollo/gateway 2.14 + @apollo/server (the baseline every ratio is against)
//   - @graphql-hive/gateway (its runtime served by node:http)
//   - carbon-nexus gateway over the same HTTP subgraphs (the distributed topology)
//   - carbon-nexus embedded gateway (plugins in-process, its own copy of the same fixture data; --topology db only)
// The query joins entities across three subgraphs (data-core suppliers, orchestration hotspots, ml-engine
// predictions); each server runs in its own child process, one gateway at a time.
//
// Topologies (--topology):
//   memory (default)  the subgraphs are plain @apollo/subgraph schemas answering from memory (bench/lib/
//                     memory-subgraphs.ts), no database: what is measured is the gateways' own work. Workloads:
//                       distinct   250 variable sets (first 20..69 x search "Supplier 0".."Supplier 4"), shuffled
//                                  and cycled: the 50 requests in flight never repeat one another, nor do their
//                                  subgraph fetches;
//                       identical  every request the same (first 45, search "Supplier 1").
//   db                our plugins as HTTP subgraphs over the seeded fixture (PGlite, or PostgreSQL with --db postgres),
//                     workload "varied": 64 seeded sets over 60 combinations (some requests repeat others).
// Rounds (--rounds, ≥ 1) alternate the order of the gateways; a ratio vs plain Apollo is the mean of per-round ratios.
// Reported per gateway: req/s, p50/p99, CPU ms per request (gateway, and the subgraphs process), subgraph requests
// per operation, and the gateway process's resident memory (peak over its run).
//   npx tsx bench/gateway-peers.ts [--topology memory|db] [--workloads distinct,identical] [--rounds 2] [--seconds 10]
//     [--connections 50] [--only apollo,hive,ours-remote,ours-embedded] [--db postgres|pglite] [--levers] [--no-record]
import os from 'node:os';
import { startChild, type Child, type ChildStats } from './lib/servers.ts';
import { graphqlLoad, type LoadResult } from './lib/load.ts';
import { JOIN_QUERY } from './lib/fixture.ts';
import { recordBenchmark } from './lib/record.ts';

const arg = (f: string, d: string) => (process.argv.includes(f) ? process.argv[process.argv.indexOf(f) + 1] : d);
const topology = arg('--topology', 'memory');
if (topology !== 'memory' && topology !== 'db') throw new Error('--topology must be memory or db');
const seconds = Math.min(Number(arg('--seconds', '10')), 10); // bounded: at most 10 s per measured window
const connections = Number(arg('--connections', '50'));
const rounds = Math.max(1, Number(arg('--rounds', topology === 'memory' ? '2' : '1')));
const only = new Set(arg('--only', 'apollo,hive,ours-remote,ours-embedded').split(','));
// The fixture's database (db topology): PostgreSQL when DATABASE_URL is set (its queries then run outside the
// measured processes), else PGlite inside the subgraphs' process (which then bounds every topology alike).
const db = arg('--db', process.env.DATABASE_URL ? 'postgres' : 'pglite');
if (db !== 'postgres' && db !== 'pglite') throw new Error('--db must be postgres or pglite');
if (topology === 'db' && db === 'postgres' && !process.env.DATABASE_URL)
  throw new Error('--db postgres needs DATABASE_URL');
process.env.BENCH_DATABASE = db; // inherited by the server processes (bench/lib/run-server.ts)

// Seeded, so every gateway and every run sees the same sequences.
let seed = 12345;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const shuffle = <T>(a: T[]) => {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
};
type Vars = Record<string, unknown>;
const WORKLOADS: Record<string, { pool: Vars[]; describe: string }> =
  topology === 'memory'
    ? {
        distinct: {
          pool: shuffle(
            Array.from({ length: 250 }, (_, i) => ({ first: 20 + (i % 50), search: `Supplier ${Math.floor(i / 50)}` })),
          ),
          describe:
            '250 variable sets (first 20..69 × search "Supplier 0".."Supplier 4", each a different set of suppliers), shuffled and cycled: no two requests in flight are alike, nor are their subgraph fetches',
        },
        identical: {
          pool: [{ first: 45, search: 'Supplier 1' }],
          describe: 'every request identical (first 45, search "Supplier 1")',
        },
      }
    : {
        varied: {
          pool: Array.from({ length: 64 }, () => ({
            first: 20 + Math.floor(rand() * 30),
            search: rand() < 0.5 ? null : 'Supplier',
          })),
          describe:
            '64 seeded variable sets over 60 combinations (first 20..49, search null or "Supplier"), cycled: some requests repeat others',
        },
      };
const workloads = arg('--workloads', Object.keys(WORKLOADS).join(',')).split(',');
for (const w of workloads)
  if (!WORKLOADS[w]) throw new Error(`--workloads: ${w} is not one of ${Object.keys(WORKLOADS).join(', ')}`);

interface Gateway {
  key: string;
  label: string;
  kind: string;
  shared: boolean;
  env?: Record<string, string>;
}
// --levers: our gateway also with its fast path off (Apollo Server + executeQueryPlan over our data sources), without
// sharing identical in-flight queries, and with V8's own heap growth policy, to measure each lever in the same run.
const levers = process.argv.includes('--levers');
const GATEWAYS: Gateway[] = [
  { key: 'apollo', label: 'plain @apollo/gateway 2.14', kind: 'apollo-plain', shared: true },
  { key: 'hive', label: '@graphql-hive/gateway 2.15', kind: 'hive', shared: true },
  ...(levers
    ? ([
        {
          key: 'ours-apollo-path',
          label: 'carbon-nexus gateway, fast path off (GATEWAY_FAST_PATH=off)',
          kind: 'ours-remote',
          shared: true,
          env: { GATEWAY_FAST_PATH: 'off' },
        },
        {
          key: 'ours-unshared',
          label: 'carbon-nexus gateway, fast path without query sharing (GATEWAY_FAST_PATH=unshared)',
          kind: 'ours-remote',
          shared: true,
          env: { GATEWAY_FAST_PATH: 'unshared' },
        },
        {
          key: 'ours-v8-heap',
          label: "carbon-nexus gateway, V8's own heap growth (GATEWAY_HEAP_GROWTH_PERCENT=0)",
          kind: 'ours-remote',
          shared: true,
          env: { GATEWAY_HEAP_GROWTH_PERCENT: '0' },
        },
      ] as Gateway[])
    : []),
  { key: 'ours-remote', label: 'carbon-nexus gateway (remote subgraphs)', kind: 'ours-remote', shared: true },
  {
    key: 'ours-embedded',
    label: 'carbon-nexus embedded gateway (in-process plugins)',
    kind: 'ours-embedded',
    shared: false,
  },
].filter(
  (g) =>
    (g.key === 'apollo' || only.has(g.key) || (g.key.startsWith('ours-') && levers && g.env)) &&
    (topology === 'db' || g.key !== 'ours-embedded'),
);

async function answer(url: string) {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: JOIN_QUERY,
      variables: { first: 3, search: topology === 'memory' ? 'Supplier 2' : null },
    }),
  });
  return (await r.json()) as any;
}
/** What every gateway must answer identically before anything is timed (names and the joined fields' shape). */
const fingerprint = (a: any) =>
  JSON.stringify(a.data?.suppliers.nodes.map((n: any) => [n.name, n.hotspots.length, n.predictions.length]) ?? a);

interface Row extends LoadResult {
  round: number;
  workload: string;
  gateway: string;
  subgraphRequestsPerOp: number | null;
  rssMb: number;
  peakRssMb: number;
}

const loadBefore = os.loadavg()[0];
const loadAverages: number[] = [];
const subgraphs = await startChild(topology === 'memory' ? 'memory-subgraphs' : 'subgraphs');
const env = {
  SUBGRAPH_URLS: JSON.stringify(subgraphs.info.urls),
  SUPERGRAPH_SDL: String(subgraphs.info.supergraphSdl),
};
const rows: Row[] = [];
const failures: string[] = [];
let expected: string | null = null;
const fmtLoad = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
try {
  for (let round = 1; round <= rounds; round++) {
    // Alternating order: a gateway measured first in one round is measured last in the next.
    const order = round % 2 === 1 ? GATEWAYS : [...GATEWAYS].reverse();
    for (const g of order) {
      let child: Child | null = null;
      try {
        child = await startChild(g.kind, { ...(g.shared ? env : {}), ...(g.env ?? {}) });
        const a = await answer(child.url);
        if (a.errors) throw new Error(`${g.label} answered with errors: ${JSON.stringify(a.errors).slice(0, 400)}`);
        const fp = fingerprint(a);
        expected ??= fp;
        if (fp !== expected) throw new Error(`${g.label} disagrees with the baseline:\n${fp}\n${expected}`);
        for (const w of workloads) {
          const pool = WORKLOADS[w].pool;
          await graphqlLoad(g.label, child.url, { query: JOIN_QUERY, pool, connections, seconds: 2 }); // warm-up
          await answer(child.url); // a barrier: the warm-up's backlog is served before the measured window opens
          const [g0, s0] = await Promise.all([child.stats(), g.shared ? subgraphs.stats() : null]);
          const r = await graphqlLoad(g.label, child.url, { query: JOIN_QUERY, pool, connections, seconds });
          const [g1, s1] = await Promise.all([child.stats(), g.shared ? subgraphs.stats() : null]);
          const done = Math.max(1, r.requests);
          const perOp = (a0: ChildStats | null, a1: ChildStats | null, k: 'cpuMs' | 'requests') =>
            a0 && a1 ? (a1[k] - a0[k]) / done : null;
          r.cpuMsPerRequest = { gateway: (g1.cpuMs - g0.cpuMs) / done, subgraphs: perOp(s0, s1, 'cpuMs') };
          const row: Row = {
            ...r,
            round,
            workload: w,
            gateway: g.key,
            // Only the memory subgraphs count what they serve (answers sent, whatever the gateway then did).
            subgraphRequestsPerOp: topology === 'memory' ? perOp(s0, s1, 'requests') : null,
            rssMb: g1.rssMb,
            peakRssMb: g1.peakRssMb,
          };
          rows.push(row);
          loadAverages.push(os.loadavg()[0]);
          console.log(
            `round ${round} ${w} ${g.label}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors + r.non2xx + r.graphqlErrors} ` +
              `(timeouts ${r.timeouts}, non-2xx ${r.non2xx}, GraphQL errors ${r.graphqlErrors}), CPU ms/request gateway ${r.cpuMsPerRequest.gateway.toFixed(2)}` +
              `${r.cpuMsPerRequest.subgraphs === null ? '' : ` + subgraphs ${r.cpuMsPerRequest.subgraphs.toFixed(2)}`}` +
              `${row.subgraphRequestsPerOp === null ? '' : `, subgraph requests/op ${row.subgraphRequestsPerOp.toFixed(2)}`}, RSS ${g1.rssMb.toFixed(0)} MB (peak ${g1.peakRssMb.toFixed(0)}), load average ${fmtLoad()}`,
          );
        }
      } catch (err) {
        if (g.key === 'apollo') throw err; // no baseline, no ratios
        failures.push(`round ${round} ${g.label}: ${(err as Error).message}`);
        console.error(`${g.label} FAILED: ${(err as Error).message}`);
      } finally {
        await child?.stop();
      }
    }
  }
} finally {
  await subgraphs.stop();
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const x = (v: number) => `${v.toFixed(2)}x`;
const ratios: Record<string, number | null> = {};
const tables: string[] = [];
for (const w of workloads) {
  const base = (round: number) => rows.find((r) => r.workload === w && r.round === round && r.gateway === 'apollo');
  if (!rows.some((r) => r.workload === w && r.gateway === 'apollo' && r.requests > 0)) {
    console.error(
      `${w}: the baseline completed no request in the measured window: rerun on a quieter machine or with more --seconds`,
    );
    process.exit(1);
  }
  const lines = [
    `| ${w}: gateway | req/s | p50 ms | p99 ms | errors | CPU ms/request: gateway + subgraphs | subgraph requests/op | gateway RSS MB (peak) | throughput vs plain Apollo (per round) | gateway CPU/request vs plain Apollo |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const g of GATEWAYS) {
    const mine = rows.filter((r) => r.workload === w && r.gateway === g.key);
    if (!mine.length) continue;
    const perRound = mine.map((r) => r.rps / (base(r.round)?.rps ?? NaN));
    const cpuPerRound = mine.map((r) => (base(r.round)?.cpuMsPerRequest?.gateway ?? NaN) / r.cpuMsPerRequest!.gateway);
    const ratio = mean(perRound);
    ratios[`${g.key} ${w}`] = g.key === 'apollo' ? null : ratio;
    const c = mean(mine.map((r) => r.cpuMsPerRequest!.gateway));
    const s = mine.every((r) => r.cpuMsPerRequest!.subgraphs !== null)
      ? mean(mine.map((r) => r.cpuMsPerRequest!.subgraphs!))
      : null;
    const sr = mine.every((r) => r.subgraphRequestsPerOp !== null)
      ? mean(mine.map((r) => r.subgraphRequestsPerOp!)).toFixed(2)
      : '–';
    lines.push(
      `| ${g.label} | ${mean(mine.map((r) => r.rps)).toFixed(0)} | ${mean(mine.map((r) => r.p50)).toFixed(1)} | ${mean(mine.map((r) => r.p99)).toFixed(1)} | ` +
        `${mine.reduce((a, r) => a + r.errors + r.non2xx + r.graphqlErrors, 0)} | ${s === null ? `${c.toFixed(2)} (all in one process)` : `${c.toFixed(2)} + ${s.toFixed(2)}`} | ${sr} | ` +
        `${mean(mine.map((r) => r.rssMb)).toFixed(0)} (${Math.max(...mine.map((r) => r.peakRssMb)).toFixed(0)}) | ` +
        `**${x(ratio)}** (${perRound.map(x).join(', ')}) | ${x(mean(cpuPerRound))} |`,
    );
  }
  tables.push(lines.join('\n'));
}
// Memory: each gateway's peak RSS over the whole run vs plain Apollo's.
const peak = (key: string) => Math.max(0, ...rows.filter((r) => r.gateway === key).map((r) => r.peakRssMb));
const rssLine = GATEWAYS.filter((g) => g.key !== 'apollo' && peak(g.key) > 0)
  .map(
    (g) =>
      `${g.key} ${peak(g.key).toFixed(0)} MB = ${x(peak(g.key) / peak('apollo'))}${g.shared ? '' : ' (the whole product in one process: plugins, database, models)'}`,
  )
  .join(', ');
const md =
  tables.join('\n\n') + `\n\nPeak gateway RSS vs plain Apollo's (${peak('apollo').toFixed(0)} MB): ${rssLine}.`;
console.log('\n' + md);
const summary = Object.entries(ratios)
  .filter(([, v]) => v !== null)
  .map(([k, v]) => `${k} ${v!.toFixed(2)}x`)
  .join(', ');
console.log(`\nthroughput vs plain @apollo/gateway (mean of per-round ratios): ${summary}`);
// A machine-readable line for bench/run.ts's summary table.
console.log(
  `BENCH_RESULT ${JSON.stringify({ name: 'gateway-peers', ratios: Object.fromEntries(Object.entries(ratios).filter(([, v]) => v !== null)) })}`,
);
const section =
  (topology === 'memory' ? 'gateway-peers-memory' : db === 'postgres' ? 'gateway-peers-postgres' : 'gateway-peers') +
  (levers ? '-levers' : '');
const where =
  topology === 'memory'
    ? "subgraphs answering from memory (three plain `@apollo/subgraph` schemas with the shapes of data-core, orchestration and ml-engine, fixed data, no database; each document parsed once and each answer computed once, so the gateways' own work dominates: bench/lib/memory-subgraphs.ts)"
    : `our plugins as HTTP subgraphs, fixture data in ${db === 'postgres' ? 'PostgreSQL' : "PGlite (in the subgraphs' process)"}`;
if (!process.argv.includes('--no-record'))
  recordBenchmark(
    section,
    `Our gateway vs plain \`@apollo/gateway\` and \`@graphql-hive/gateway\` on the same subgraphs and data: the entity-join query across data-core, orchestration and ml-engine (bench/lib/fixture.ts), ${where}. ` +
      `Workloads: ${workloads.map((w) => `**${w}**: ${WORKLOADS[w].describe}`).join('; ')}. ` +
      `${connections} connections, ${seconds} s per gateway and workload after a 2 s warm-up, ${rounds} round${rounds > 1 ? 's alternating the order of the gateways' : ''}, one gateway at a time, each in its own process. ` +
      `Throughput ratio: the mean of per-round ratios to plain Apollo (each round's ratios in parentheses). CPU ms/request: CPU time of the gateway process and of the subgraphs process over the measured window, per completed request (other load on the machine hardly changes it). ` +
      `Machine load average (1 min) ${loadBefore.toFixed(1)} at start, ${loadAverages.length ? `${Math.min(...loadAverages).toFixed(1)}–${Math.max(...loadAverages).toFixed(1)} after the measured windows` : 'n/a'} (2 cores shared with other work).` +
      (failures.length ? `\n\nFailed in this run: ${failures.join('; ')}` : ''),
    md,
    `npx tsx bench/gateway-peers.ts --topology ${topology} --workloads ${workloads.join(',')} --rounds ${rounds} --seconds ${seconds} --connections ${connections}${topology === 'db' ? ` --db ${db}` : ''}${levers ? ' --levers' : ''}${process.argv.includes('--only') ? ` --only ${[...only].join(',')}` : ''}`,
  );
if (failures.length) process.exitCode = 1;
