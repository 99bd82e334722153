// bench/rest-overhead: a REST call (GET /api/v1/...) vs the same named operation over GraphQL (POST /graphql with
// the manifest's document), same gateway, same data, alternating rounds in one run. Goal: REST ≤ 1.1x the time of
// GraphQL per request.
//   npx tsx bench/rest-overhead.ts [--seconds 8] [--connections 20] [--rounds 2]   (measures seconds × rounds per operation)
import { loadPlatformConfig, signDevToken } from '@carbon-nexus/plugin-sdk';
import { createTestDatabase } from '@carbon-nexus/plugin-sdk/testkit';
import { startGateway } from '../gateway/src/index.ts';
import { operationsManifestPath } from '../gateway/src/rest/trusted-documents.ts';
import { recordBenchmark } from './lib/record.ts';
import fs from 'node:fs';
import os from 'node:os';

const arg = (f: string, d: number) =>
  process.argv.includes(f) ? Number(process.argv[process.argv.indexOf(f) + 1]) : d;
const seconds = arg('--seconds', 8);
const connections = arg('--connections', 20);
const rounds = arg('--rounds', 2);
const ops = JSON.parse(fs.readFileSync(operationsManifestPath, 'utf8')).operations as {
  name: string;
  document: string;
  root: string;
}[];
const doc = (name: string) => ops.find((o) => o.name === name)!;

const { plugins } = await loadPlatformConfig();
const db = await createTestDatabase();
const env = {
  ...process.env,
  DATABASE_URL: undefined,
  REDIS_URL: undefined,
  BUS_URL: undefined,
  RATE_LIMIT_PER_MINUTE: '0',
  LOG_LEVEL: 'warn',
};
const gw = await startGateway({
  plugins,
  port: 0,
  serveWeb: false,
  host: { db, scheduler: false, migrate: false },
  env,
});
const token = await signDevToken({ sub: 'bench', roles: ['analyst'] });
const auth = { authorization: `Bearer ${token}` };
for (let i = 0; i < 60; i++) {
  const r = await fetch(`${gw.url}/api/v1/suppliers`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ input: { name: `Bench Supplier ${i}`, category: 'TRANSPORT', country: 'DE' } }),
  });
  if (r.status !== 200) throw new Error(`seeding failed: ${await r.text()}`);
}

interface Case {
  label: string;
  rest: string;
  op: string;
  /** Variables for one call (a mutation makes new ones each time, e.g. a unique name). */
  variables: () => Record<string, unknown>;
  /** POST with the variables as the JSON body (mutations); GET with them in the query string otherwise. */
  post?: boolean;
}
let serial = 0;
const cases: Case[] = [
  {
    label: 'Suppliers (data-core, 20 rows)',
    rest: '/api/v1/suppliers?first=20',
    op: 'Suppliers',
    variables: () => ({ first: 20 }),
  },
  {
    label: 'EmissionsCurrent (aggregate)',
    rest: '/api/v1/emissions/current',
    op: 'EmissionsCurrent',
    variables: () => ({}),
  },
  {
    label: 'CreateSupplier (mutation, audited)',
    rest: '/api/v1/suppliers',
    op: 'CreateSupplier',
    variables: () => ({ input: { name: `Bench Carrier ${++serial}`, category: 'TRANSPORT', country: 'FR' } }),
    post: true,
  },
];

// Requests are interleaved batch by batch (GraphQL, REST, GraphQL, …; order swapped every batch) through the gateway's
// own HTTP stack (Fastify inject: routing, hooks, auth, execution, serialization; no sockets), so the machine's load,
// which on shared 2-core machines swings by 2x within seconds, weighs on both transports alike.
async function timeBatch(send: () => Promise<{ statusCode: number }>): Promise<{ ms: number; errors: number }> {
  const t = performance.now();
  const rs = await Promise.all(Array.from({ length: connections }, send));
  return { ms: performance.now() - t, errors: rs.filter((r) => r.statusCode !== 200).length };
}

const rows: string[] = [
  '| operation | transport | requests | mean ms per batch of ' + connections + ' | req/s | errors |',
  '|---|---|---:|---:|---:|---:|',
];
const ratios: Record<string, number> = {};
try {
  for (const c of cases) {
    // Same answer both ways before timing.
    const rootOf = doc(c.op).root;
    const g = (await (
      await fetch(`${gw.url}/graphql`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ query: doc(c.op).document, variables: c.variables() }),
      })
    ).json()) as any;
    const r = await (
      await fetch(gw.url + c.rest, {
        method: c.post ? 'POST' : 'GET',
        headers: c.post ? { ...auth, 'content-type': 'application/json' } : auth,
        body: c.post ? JSON.stringify(c.variables()) : undefined,
      })
    ).json();
    if (g.errors || JSON.stringify(Object.keys(g.data[rootOf])) !== JSON.stringify(Object.keys(r as object)))
      throw new Error(`${c.op}: REST and GraphQL disagree`);
    const sends = {
      graphql: () =>
        gw.app.inject({
          method: 'POST',
          url: '/graphql',
          headers: { ...auth, 'content-type': 'application/json' },
          payload: JSON.stringify({ query: doc(c.op).document, variables: c.variables() }),
        }),
      rest: () =>
        c.post
          ? gw.app.inject({
              method: 'POST',
              url: c.rest,
              headers: { ...auth, 'content-type': 'application/json' },
              payload: JSON.stringify(c.variables()),
            })
          : gw.app.inject({ method: 'GET', url: c.rest, headers: auth }),
    };
    for (let i = 0; i < 20; i++) await Promise.all([timeBatch(sends.graphql), timeBatch(sends.rest)]); // warm-up
    const sum = { graphql: { ms: 0, n: 0, errors: 0 }, rest: { ms: 0, n: 0, errors: 0 } };
    // Each pair of adjacent batches gives one ratio; the median ignores the pairs a load spike hit.
    const pairRatios: number[] = [];
    const until = performance.now() + seconds * 1000 * rounds;
    for (let b = 0; performance.now() < until; b++) {
      const order = b % 2 ? (['rest', 'graphql'] as const) : (['graphql', 'rest'] as const);
      const pair: Record<string, number> = {};
      for (const k of order) {
        const m = await timeBatch(sends[k]);
        pair[k] = m.ms;
        sum[k].ms += m.ms;
        sum[k].n += 1;
        sum[k].errors += m.errors;
      }
      pairRatios.push(pair.rest / pair.graphql);
    }
    pairRatios.sort((a, b) => a - b);
    for (const k of ['graphql', 'rest'] as const) {
      const mean = sum[k].ms / sum[k].n;
      rows.push(
        `| ${c.label} | ${k === 'rest' ? `REST ${c.post ? 'POST' : 'GET'} ${c.rest.split('?')[0]}` : 'GraphQL POST /graphql'} | ${sum[k].n * connections} | ${mean.toFixed(1)} | ${((connections * 1000) / mean).toFixed(0)} | ${sum[k].errors} |`,
      );
    }
    ratios[c.op] = pairRatios[Math.floor(pairRatios.length / 2)];
  }
} finally {
  await gw.close();
  await db.close();
}
const load = os.loadavg()[0].toFixed(1);
const md =
  rows.join('\n') +
  `\n\nLoad average at the end of the run: ${load} on ${os.cpus().length} cores. A REST call runs its operation in-process for its caller (gateway/src/execution/in-process.ts): queries on the gateway's fast path, mutations through Apollo Server, as POST /graphql would; REST adds routing, reading variables from the path, query string or body, and unwrapping the root field.` +
  '\n\nREST time per request relative to GraphQL (median over adjacent batch pairs of REST ÷ GraphQL batch time; goal ≤ 1.10x): ' +
  Object.entries(ratios)
    .map(([k, v]) => `${k} ${v.toFixed(2)}x`)
    .join(', ');
console.log(md);
console.log(
  `BENCH_RESULT ${JSON.stringify({
    headline: Object.entries(ratios)
      .map(([k, v]) => `REST/GraphQL ${k} ${v.toFixed(2)}x`)
      .join(', '),
    ratios,
  })}`,
);
recordBenchmark(
  'rest-overhead',
  `The same named operation as REST (GET /api/v1/…) and as GraphQL (POST /graphql, the manifest's document) on one embedded gateway (PGlite): batches of ${connections} concurrent requests through the gateway's HTTP stack (Fastify inject), GraphQL and REST batches interleaved for ${seconds * rounds} s per operation.`,
  md,
  'npx tsx bench/rest-overhead.ts',
);
process.exit(0);
