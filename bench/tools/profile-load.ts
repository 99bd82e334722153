// (In bench/tools: a diagnostic, not a benchmark; npm run bench does not run it.)
// bench/tools/profile-load: a CPU profile of one gateway process under the gateway-peers load (50 connections).
//   npx tsx bench/tools/profile-load.ts [--kind ours-embedded|ours-remote|apollo-plain|hive|subgraphs] [--seconds 10] [--out FILE]
// With a gateway kind other than ours-embedded, the HTTP subgraphs run in another (unprofiled) child process;
// --kind subgraphs profiles the subgraphs process while our remote gateway serves the load.
import { startChild, type Child } from '../lib/servers.ts';
import { graphqlLoad } from '../lib/load.ts';
import { JOIN_QUERY } from '../lib/fixture.ts';

const arg = (f: string, d: string) => (process.argv.includes(f) ? process.argv[process.argv.indexOf(f) + 1] : d);
const kind = arg('--kind', 'ours-embedded');
const seconds = Math.min(Number(arg('--seconds', '10')), 20);
const out = arg('--out', `/tmp/cn-${kind}.cpuprofile`);
const prof: Record<string, string> = {
  ...(process.argv.includes('--no-profile') ? {} : { BENCH_CPU_PROFILE: out }),
  ...(process.argv.includes('--node-options') ? { NODE_OPTIONS: arg('--node-options', '') } : {}),
};
const variables = () => ({ first: 20 + Math.floor(Math.random() * 30), search: Math.random() < 0.5 ? null : 'Supplier' });
const children: Child[] = [];
try {
  let url: string;
  if (kind === 'ours-embedded') {
    const c = await startChild(kind, prof);
    children.push(c);
    url = c.url;
  } else {
    const subgraphs = await startChild('subgraphs', kind === 'subgraphs' ? prof : {});
    children.push(subgraphs);
    const env = { SUBGRAPH_URLS: JSON.stringify(subgraphs.info.urls), SUPERGRAPH_SDL: String(subgraphs.info.supergraphSdl) };
    const gw = await startChild(kind === 'subgraphs' ? 'ours-remote' : kind, kind === 'subgraphs' ? env : { ...env, ...prof });
    children.push(gw);
    url = gw.url;
  }
  await graphqlLoad(kind, url, { query: JOIN_QUERY, variables, connections: 50, seconds: 2 });
  const measured = children.at(-1)!;
  const c0 = await measured.cpuMs();
  const r = await graphqlLoad(kind, url, { query: JOIN_QUERY, variables, connections: 50, seconds });
  const cpu = ((await measured.cpuMs()) - c0) / Math.max(1, r.requests);
  console.log(`${kind}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors}, GraphQL errors ${r.graphqlErrors}, gateway CPU ${cpu.toFixed(1)} ms/request; profile in ${out}`);
} finally {
  for (const c of children.reverse()) await c.stop();
}
