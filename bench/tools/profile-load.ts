// (In bench/tools: a diagnostic, not a benchmark; npm run bench does not run it.)
// bench/tools/profile-load: a CPU profile of one gateway process under the gateway-peers load (50 connections).
//   npx tsx bench/tools/profile-load.ts [--kind ours-embedded|ours-remote|apollo-plain|hive|subgraphs]
//     [--topology db|memory] [--workload distinct|identical] [--seconds 10] [--out FILE] [--no-profile]
//     [--node-options "..."] [--heap-profile FILE (sampling allocation profile)] [--heap-snapshot FILE (after the load)]
// With a gateway kind other than ours-embedded, the subgraphs run in another (unprofiled) child process: our plugins
// over the fixture database (--topology db, default) or the in-memory subgraphs (--topology memory, the gateway-peers
// default; workloads as there). --kind subgraphs profiles the subgraphs process while our remote gateway serves.
// Read a profile with bench/tools/profile-top.ts.
import { startChild, type Child } from '../lib/servers.ts';
import { graphqlLoad } from '../lib/load.ts';
import { JOIN_QUERY } from '../lib/fixture.ts';

const arg = (f: string, d: string) => (process.argv.includes(f) ? process.argv[process.argv.indexOf(f) + 1] : d);
const kind = arg('--kind', 'ours-embedded');
const topology = arg('--topology', 'db');
const workload = arg('--workload', 'distinct');
const seconds = Math.min(Number(arg('--seconds', '10')), 20);
const out = arg('--out', `/tmp/cn-${kind}-${topology}-${workload}.cpuprofile`);
const prof: Record<string, string> = {
  ...(process.argv.includes('--no-profile') ? {} : { BENCH_CPU_PROFILE: out }),
  ...(process.argv.includes('--node-options') ? { NODE_OPTIONS: arg('--node-options', '') } : {}),
  ...(process.argv.includes('--heap-profile')
    ? { BENCH_HEAP_PROFILE: arg('--heap-profile', '/tmp/cn.heapprofile') }
    : {}),
  // Written at each stats request: the last one is the heap right after the measured window.
  ...(process.argv.includes('--heap-snapshot')
    ? { BENCH_HEAP_SNAPSHOT: arg('--heap-snapshot', '/tmp/cn.heapsnapshot') }
    : {}),
};
const pool =
  topology === 'memory'
    ? workload === 'identical'
      ? [{ first: 45, search: 'Supplier 1' }]
      : Array.from({ length: 250 }, (_, i) => ({ first: 20 + ((i * 7) % 50), search: `Supplier ${i % 5}` }))
    : Array.from({ length: 64 }, () => ({
        first: 20 + Math.floor(Math.random() * 30),
        search: Math.random() < 0.5 ? null : 'Supplier',
      }));
const children: Child[] = [];
try {
  let url: string;
  if (kind === 'ours-embedded') {
    const c = await startChild(kind, prof);
    children.push(c);
    url = c.url;
  } else {
    const subgraphs = await startChild(
      topology === 'memory' ? 'memory-subgraphs' : 'subgraphs',
      kind === 'subgraphs' ? prof : {},
    );
    children.push(subgraphs);
    const env = {
      SUBGRAPH_URLS: JSON.stringify(subgraphs.info.urls),
      SUPERGRAPH_SDL: String(subgraphs.info.supergraphSdl),
    };
    const gw = await startChild(
      kind === 'subgraphs' ? 'ours-remote' : kind,
      kind === 'subgraphs' ? env : { ...env, ...prof },
    );
    children.push(gw);
    url = gw.url;
  }
  const measured = children.at(-1)!;
  const c00 = await measured.stats();
  await graphqlLoad(kind, url, { query: JOIN_QUERY, pool, connections: 50, seconds: 2 });
  const c0 = await measured.stats();
  const r = await graphqlLoad(kind, url, { query: JOIN_QUERY, pool, connections: 50, seconds });
  const c1 = await measured.stats();
  const cpu = (c1.cpuMs - c0.cpuMs) / Math.max(1, r.requests);
  console.log(
    `${kind} (${topology}, ${workload}): ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors}, GraphQL errors ${r.graphqlErrors}, ` +
      `CPU ${cpu.toFixed(2)} ms/request, RSS ${c1.rssMb.toFixed(0)} MB (peak ${c1.peakRssMb.toFixed(0)}; idle before load ${c00.rssMb.toFixed(0)}; heap ${c1.heapUsedMb.toFixed(0)} used of ${c1.heapTotalMb.toFixed(0)}, external ${c1.externalMb.toFixed(0)})${process.argv.includes('--no-profile') ? '' : `; profile in ${out}`}`,
  );
} finally {
  for (const c of children.reverse()) await c.stop();
}
