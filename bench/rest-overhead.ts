// bench/rest-overhead: a REST call (GET /api/v1/...) vs the same named operation over GraphQL (POST /graphql with
// the manifest's document), same gateway, same data, alternating rounds in one run. Goal: REST ≤ 1.1x the time of
// GraphQL per request.
//   npx tsx bench/rest-overhead.ts [--seconds 8] [--connections 20] [--rounds 2]
import autocannon from 'autocannon';
import { loadPlatformConfig, signDevToken } from '@carbon-nexus/plugin-sdk';
import { createTestDatabase } from '@carbon-nexus/plugin-sdk/testkit';
import { startGateway } from '../gateway/src/index.ts';
import { operationsManifestPath } from '../gateway/src/rest/trusted-documents.ts';
import { recordBenchmark } from './lib/record.ts';
import fs from 'node:fs';

const arg = (f: string, d: number) => (process.argv.includes(f) ? Number(process.argv[process.argv.indexOf(f) + 1]) : d);
const seconds = arg('--seconds', 8);
const connections = arg('--connections', 20);
const rounds = arg('--rounds', 2);
const ops = JSON.parse(fs.readFileSync(operationsManifestPath, 'utf8')).operations as { name: string; document: string; root: string }[];
const doc = (name: string) => ops.find((o) => o.name === name)!;

const { plugins } = await loadPlatformConfig();
const db = await createTestDatabase();
const env = { ...process.env, DATABASE_URL: undefined, REDIS_URL: undefined, BUS_URL: undefined, RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warn' };
const gw = await startGateway({ plugins, port: 0, serveWeb: false, host: { db, scheduler: false, migrate: false }, env });
const token = await signDevToken({ sub: 'bench', roles: ['analyst'] });
const auth = { authorization: `Bearer ${token}` };
for (let i = 0; i < 60; i++) {
  const r = await fetch(`${gw.url}/api/v1/suppliers`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ input: { name: `Bench Supplier ${i}`, category: 'TRANSPORT', country: 'DE' } }) });
  if (r.status !== 200) throw new Error(`seeding failed: ${await r.text()}`);
}

interface Case {
  label: string;
  rest: string;
  op: string;
  variables: Record<string, unknown>;
}
const cases: Case[] = [
  { label: 'Suppliers (data-core, 20 rows)', rest: '/api/v1/suppliers?first=20', op: 'Suppliers', variables: { first: 20 } },
  { label: 'EmissionsCurrent (aggregate)', rest: '/api/v1/emissions/current', op: 'EmissionsCurrent', variables: {} },
];

async function load(opts: autocannon.Options): Promise<{ rps: number; p99: number; errors: number }> {
  const r = await autocannon({ connections, duration: seconds, ...opts });
  return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

const rows: string[] = ['| operation | transport | req/s | p99 ms | errors |', '|---|---|---:|---:|---:|'];
const ratios: Record<string, number> = {};
try {
  for (const c of cases) {
    // Same answer both ways before timing.
    const g = (await (await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ query: doc(c.op).document, variables: c.variables }) })).json()) as any;
    const r = await (await fetch(gw.url + c.rest, { headers: auth })).json();
    if (g.errors || JSON.stringify(Object.keys(g.data[doc(c.op).root])) !== JSON.stringify(Object.keys(r as object))) throw new Error(`${c.op}: REST and GraphQL disagree`);
    const graphql: autocannon.Options = { url: `${gw.url}/graphql`, method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ query: doc(c.op).document, variables: c.variables }) };
    const rest: autocannon.Options = { url: gw.url + c.rest, headers: auth };
    await load({ ...graphql, duration: 2 }); // warm-up both paths
    await load({ ...rest, duration: 2 });
    const sum = { graphql: { rps: 0, p99: 0, errors: 0 }, rest: { rps: 0, p99: 0, errors: 0 } };
    for (let i = 0; i < rounds; i++) {
      for (const [k, o] of [['graphql', graphql], ['rest', rest]] as const) {
        const m = await load(o);
        sum[k].rps += m.rps / rounds;
        sum[k].p99 += m.p99 / rounds;
        sum[k].errors += m.errors;
      }
    }
    for (const k of ['graphql', 'rest'] as const) rows.push(`| ${c.label} | ${k === 'rest' ? `REST GET ${c.rest.split('?')[0]}` : 'GraphQL POST /graphql'} | ${sum[k].rps.toFixed(0)} | ${sum[k].p99.toFixed(0)} | ${sum[k].errors} |`);
    ratios[c.op] = sum.graphql.rps / sum.rest.rps;
  }
} finally {
  await gw.close();
  await db.close();
}
const md = rows.join('\n') + '\n\nREST time per request relative to GraphQL (GraphQL req/s ÷ REST req/s; goal ≤ 1.10x): ' + Object.entries(ratios).map(([k, v]) => `${k} ${v.toFixed(2)}x`).join(', ');
console.log(md);
console.log(`BENCH_RESULT ${JSON.stringify({ headline: Object.entries(ratios).map(([k, v]) => `REST/GraphQL ${k} ${v.toFixed(2)}x`).join(', '), ratios })}`);
recordBenchmark(
  'rest-overhead',
  `The same named operation as REST (GET /api/v1/…) and as GraphQL (POST /graphql, the manifest's document) on one embedded gateway (PGlite), ${connections} connections, ${rounds} alternating rounds of ${seconds} s each.`,
  md,
  'npx tsx bench/rest-overhead.ts',
);
process.exit(0);
