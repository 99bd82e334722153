// bench/gateway-overhead: our embedded gateway (plugins in-process) vs plain @apollo/gateway over HTTP subgraphs,
// the same query (entity joins across data-core, orchestration and ml-engine), the same data, in the same run.
//   npx tsx bench/gateway-overhead.ts [--seconds 10] [--connections 50]
import { startChild } from './lib/servers.ts';
import { graphqlLoad, table, type LoadResult } from './lib/load.ts';
import { JOIN_QUERY } from './lib/fixture.ts';
import { recordBenchmark } from './lib/record.ts';

const arg = (f: string, d: number) =>
  process.argv.includes(f) ? Number(process.argv[process.argv.indexOf(f) + 1]) : d;
const seconds = arg('--seconds', 10);
const connections = arg('--connections', 50);
const variables = () => ({
  first: 20 + Math.floor(Math.random() * 30),
  search: Math.random() < 0.5 ? null : 'Supplier',
});

async function measure(label: string, url: string): Promise<LoadResult> {
  await graphqlLoad(label, url, { query: JOIN_QUERY, variables, connections, seconds: 2 }); // warm-up
  return graphqlLoad(label, url, { query: JOIN_QUERY, variables, connections, seconds });
}

// Sanity: both answer the same data before we time anything.
async function answer(url: string) {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: JOIN_QUERY, variables: { first: 3, search: null } }),
  });
  return (await r.json()) as any;
}

const subgraphs = await startChild('subgraphs');
const plain = await startChild('apollo-plain', {
  SUBGRAPH_URLS: JSON.stringify(subgraphs.info.urls),
  SUPERGRAPH_SDL: String(subgraphs.info.supergraphSdl),
});
const ours = await startChild('ours-embedded');
const rows: LoadResult[] = [];
try {
  const [a, b] = [await answer(plain.url), await answer(ours.url)];
  if (
    a.errors ||
    b.errors ||
    JSON.stringify(a.data.suppliers.nodes.map((n: any) => n.name)) !==
      JSON.stringify(b.data.suppliers.nodes.map((n: any) => n.name))
  ) {
    throw new Error(`topologies disagree:\n${JSON.stringify(a).slice(0, 400)}\n${JSON.stringify(b).slice(0, 400)}`);
  }
  rows.push(await measure('plain @apollo/gateway 2.14 -> HTTP subgraphs', plain.url));
  rows.push(await measure('carbon-nexus embedded gateway (in-process subgraphs)', ours.url));
} finally {
  await Promise.all([ours.stop(), plain.stop(), subgraphs.stop()]);
}
const md = table(rows, rows[0]);
console.log(md);
console.log(
  `\nratio ours/plain: ${(rows[1].rps / rows[0].rps).toFixed(2)}x throughput, p99 ${(rows[1].p99 / rows[0].p99).toFixed(2)}x`,
);
recordBenchmark(
  'gateway-overhead',
  `Entity-join query across 3 subgraphs, ${connections} connections, ${seconds} s per topology.`,
  md,
  'npx tsx bench/gateway-overhead.ts',
);
