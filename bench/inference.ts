// bench/inference: batch rows/s through our API (ml-engine's predictBatch resolver in-process, the same through
// GraphQL execution, and through the embedded gateway over HTTP) next to a raw onnxruntime-node InferenceSession
// on the same .onnx with the same rows, in the same run; plus single-prediction latency through the gateway.
//   npx tsx bench/inference.ts [--seconds 3] [--rows 1000] [--singles 300]
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { artifactsDir, listModels } from '@carbon-nexus/models';
import { createHost, loadPlatformConfig, SYSTEM_CLAIMS } from '@carbon-nexus/plugin-sdk';
import { startGateway } from '@carbon-nexus/gateway';
import mlEngine from '@carbon-nexus/ml-engine';
import { resolvers } from '../subgraphs/ml-engine/src/resolvers/index.ts';
import { recordBenchmark } from './lib/record.ts';

const arg = (f: string, d: number) =>
  process.argv.includes(f) ? Number(process.argv[process.argv.indexOf(f) + 1]) : d;
const seconds = arg('--seconds', 3);
const N = arg('--rows', 1000);
const singles = arg('--singles', 300);
delete process.env.DATA_DIR; // PGlite in memory
delete process.env.DATABASE_URL;
const env = { ...process.env, RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'error' };

// Same rows for everyone: seeded uniform draws inside the card's validity ranges.
const card = listModels().find((c) => c.name === 'logistics')!;
let seed = 42;
const rnd = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
const rows = Array.from({ length: N }, () =>
  Object.fromEntries(
    card.features.map((f) => [
      f.name,
      f.kind === 'continuous'
        ? Math.fround(f.min + rnd() * (f.max - f.min))
        : Math.min(f.max, f.min + Math.floor(rnd() * (f.max - f.min + 1))),
    ]),
  ),
);
const F = card.features.length;
const X = new Float32Array(N * F);
rows.forEach((r, i) => card.features.forEach((f, j) => (X[i * F + j] = r[f.name]!)));
const featureRows = rows.map((r) => Object.entries(r).map(([name, value]) => ({ name, value })));

async function timeLoop(fn: () => Promise<unknown>, secs = seconds): Promise<{ rowsPerSec: number; calls: number }> {
  await fn(); // warm-up
  let calls = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < secs * 1000) {
    await fn();
    calls++;
  }
  return { rowsPerSec: (calls * N) / ((performance.now() - t0) / 1000), calls };
}

/** Interleaved A/B: alternate calls so that load from other processes hits both sides alike. */
async function abLoop(a: () => Promise<unknown>, b: () => Promise<unknown>, secs = seconds): Promise<[number, number]> {
  await a();
  await b();
  let ta = 0;
  let tb = 0;
  let calls = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < secs * 1000) {
    let t = performance.now();
    await a();
    ta += performance.now() - t;
    t = performance.now();
    await b();
    tb += performance.now() - t;
    calls++;
  }
  return [(calls * N) / (ta / 1000), (calls * N) / (tb / 1000)];
}

const results: { label: string; rowsPerSec: number; base?: number }[] = [];

// 1. Raw onnxruntime-node session, same file and session options as the models library.
const session = await ort.InferenceSession.create(path.join(artifactsDir, card.onnx.file), {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
});
const raw = await timeLoop(async () => session.run({ features: new ort.Tensor('float32', X, [N, F]) }));
results.push({ label: `raw onnxruntime-node session.run (${N} rows)`, rowsPerSec: raw.rowsPerSec });

// 2. Our predictBatch resolver in-process (validation, one session.run, intervals, hashing), then GraphQL execution.
const host = createHost({ plugins: [mlEngine], env, scheduler: false });
await host.start();
const rp = host.plugins.get('ml-engine')!;
const ctx = rp.contextFor({ auth: SYSTEM_CLAIMS, correlationId: 'bench' });
const predictBatch = (resolvers.Query as any).predictBatch as (
  p: unknown,
  a: unknown,
  c: unknown,
  i: unknown,
) => Promise<any[]>;
const check = await predictBatch(
  null,
  { model: 'LOGISTICS', rows: featureRows, explain: false, persist: false },
  ctx,
  null,
);
const rawOut = (await session.run({ features: new ort.Tensor('float32', X, [N, F]) })).co2e_kg!.data as Float32Array;
const maxDiff = Math.max(...check.map((p, i) => Math.abs(p.co2eKg - rawOut[i]!) / rawOut[i]!));
if (maxDiff > 1e-6) throw new Error(`our API and the raw session disagree (max rel diff ${maxDiff})`);
const runRaw = () => session.run({ features: new ort.Tensor('float32', X, [N, F]) });
const [abRaw, abOurs] = await abLoop(
  runRaw,
  () => predictBatch(null, { model: 'LOGISTICS', rows: featureRows, explain: false, persist: false }, ctx, null),
  seconds * 2,
);
results.push({ label: 'A/B interleaved: raw session.run', rowsPerSec: abRaw, base: abRaw });
results.push({
  label: 'A/B interleaved: predictBatch resolver, explain: false, persist: false',
  rowsPerSec: abOurs,
  base: abRaw,
});
for (const [label, a] of [
  ['predictBatch resolver, explain: true (path), persist: false', { explain: true, persist: false }],
  ['predictBatch resolver, explain: true, persist: true (dedupe)', { explain: true, persist: true }],
] as const) {
  const r = await timeLoop(() => predictBatch(null, { model: 'LOGISTICS', rows: featureRows, ...a }, ctx, null));
  results.push({ label, rowsPerSec: r.rowsPerSec });
}
const DOC = `query($rows: [[FeatureValueInput!]!]!) { predictBatch(model: LOGISTICS, rows: $rows, explain: false, persist: false) { co2eKg lowerKg upperKg } }`;
const exec = await timeLoop(async () => {
  const r = await rp.execute(DOC, { rows: featureRows }, { auth: SYSTEM_CLAIMS });
  if (r.errors) throw new Error(r.errors[0]!.message);
});
results.push({
  label: 'predictBatch via in-process GraphQL execute (input coercion of 10k values)',
  rowsPerSec: exec.rowsPerSec,
});
await host.stop();

// 3. Through the embedded gateway (all platform plugins, PGlite in memory) over HTTP.
const { plugins } = await loadPlatformConfig();
const gw = await startGateway({ plugins, port: 0, serveWeb: false, env, host: { scheduler: false } });
const url = `${gw.url}/graphql`;
const post = async (query: string, variables: unknown) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as any;
  if (body.errors) throw new Error(body.errors[0].message);
  return body.data;
};
const single: { label: string; p50: number; p99: number; n: number }[] = [];
try {
  const viaGw = await timeLoop(() => post(DOC, { rows: featureRows }));
  results.push({
    label: 'predictBatch through the embedded gateway (HTTP + query plan)',
    rowsPerSec: viaGw.rowsPerSec,
  });
  const lat = async (label: string, n: number, doc: string, vars: (i: number) => unknown) => {
    await post(doc, vars(-1));
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await post(doc, vars(i));
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    single.push({ label, n, p50: ms[Math.floor(n * 0.5)]!, p99: ms[Math.min(n - 1, Math.floor(n * 0.99))]! });
  };
  await lat('single predictBatch row, no explanation, not persisted', singles, DOC, (i) => ({
    rows: [featureRows[(i + N) % N]],
  }));
  await lat(
    'predict (exact TreeSHAP, persisted)',
    Math.max(20, Math.floor(singles / 5)),
    `query($f: [FeatureValueInput!]!) { predict(model: LOGISTICS, features: $f) { id co2eKg modelVersion contributions { feature contributionKg } } }`,
    (i) => ({ f: featureRows[(i + N) % N] }),
  );
} finally {
  await gw.close();
}

const base = results[0]!.rowsPerSec;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const md = [
  '| path | rows/s | vs raw session (A/B rows: vs the interleaved raw) |',
  '|---|---:|---:|',
  ...results.map((r) => `| ${r.label} | ${fmt(r.rowsPerSec)} | ${(r.rowsPerSec / (r.base ?? base)).toFixed(2)}x |`),
  '',
  '| single prediction through the gateway | n | p50 ms | p99 ms |',
  '|---|---:|---:|---:|',
  ...single.map((s) => `| ${s.label} | ${s.n} | ${s.p50.toFixed(1)} | ${s.p99.toFixed(1)} |`),
].join('\n');
console.log(md);
console.log(
  `\nratio ours (predictBatch resolver, no explain/persist) / raw session, interleaved A/B: ${(abOurs / abRaw).toFixed(2)}x (goal >= 0.7x)`,
);
recordBenchmark(
  'inference',
  `logistics model (${card.onnx.trees} trees), ${N} rows per batch, ${seconds} s per path; the same rows and .onnx for every path.`,
  md,
  'npx tsx bench/inference.ts',
);
process.exit(0);
