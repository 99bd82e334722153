import os from 'node:os';
import { parseArgs } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { signDevToken } from '@carbon-nexus/plugin-sdk';
import { recordBenchmark } from './lib/record.ts';
import { createCsvSuppliers, freshDatabase, gql, mb, startProduct, uploadCsv, type Product } from './lib/product.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    threads: { type: 'string', default: 'worker,main' },
    rounds: { type: 'string', default: '1' },
    'idle-seconds': { type: 'string', default: '10' },
    'no-record': { type: 'boolean', default: false },
    'cpu-prof-dir': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    'npx tsx bench/import-probe.ts [--rows 200000] [--threads worker,main] [--rounds 1] [--idle-seconds 10] [--no-record]',
  );
  process.exit(0);
}
const ROWS = Number(values.rows);
const THREADS = values.threads!.split(',').map((t) => t.trim()) as ('worker' | 'main')[];
const ROUNDS = Math.max(1, Number(values.rounds));
const IDLE_MS = Number(values['idle-seconds']) * 1000;
const PROBE_EVERY_MS = 250;
const SMALL_QUERY = `{ suppliers(first: 5) { totalCount nodes { id name } } }`;
const PULSE = `subscription { emissionPulse { at kgPerHour } }`;
const KINDS = ['healthz', 'readyz', 'query', 'pulse'] as const;
type Kind = (typeof KINDS)[number];
const LABEL: Record<Kind, string> = {
  healthz: 'GET /healthz',
  readyz: 'GET /readyz (database round trip)',
  query: 'GraphQL query (5 suppliers)',
  pulse: 'emissionPulse event delivery',
};

interface Samples {
  idle: Record<Kind, number[]>;
  import: Record<Kind, number[]>;
  failures: number;
  importSeconds: number;
  rssIdle: number;
  rssPeak: number;
}

const empty = () => Object.fromEntries(KINDS.map((k) => [k, [] as number[]])) as Record<Kind, number[]>;
const pct = (xs: number[], q: number) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length ? v[Math.min(v.length - 1, Math.ceil((q / 100) * v.length) - 1)] : NaN;
};

/** One probe kind: a request, then the next one PROBE_EVERY_MS after the previous started (or at once if later). */
function probeLoop(run: () => Promise<void>, record: (ms: number) => void, onFailure: () => void) {
  let on = true;
  const done = (async () => {
    while (on) {
      const t = performance.now();
      try {
        await run();
        record(performance.now() - t);
      } catch {
        onFailure();
      }
      const wait = PROBE_EVERY_MS - (performance.now() - t);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();
  return async () => {
    on = false;
    await done;
  };
}

async function measure(thread: 'worker' | 'main'): Promise<Samples> {
  const fresh = await freshDatabase('pglite', 'cn-import-probe');
  let product: Product | undefined;
  const client = { dispose: async () => undefined as unknown };
  try {
    const prof = values['cpu-prof-dir'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof-dir']}/${thread}`] : [];
    product = await startProduct(fresh, { PGLITE_THREAD: thread }, prof);
    const p = product;
    const token = await signDevToken({ sub: 'bench', roles: ['admin'] });
    await createCsvSuppliers(p.url, token);
    const s: Samples = { idle: empty(), import: empty(), failures: 0, importSeconds: 0, rssIdle: 0, rssPeak: 0 };
    let phase: 'idle' | 'import' = 'idle';
    const record = (k: Kind) => (ms: number) => s[phase][k].push(ms);
    const fail = () => void s.failures++;
    const get = (path: string) => async () => {
      const res = await fetch(`${p.url}${path}`, { signal: AbortSignal.timeout(60_000) });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    };
    const stops = [
      probeLoop(get('/healthz'), record('healthz'), fail),
      probeLoop(get('/readyz'), record('readyz'), fail),
      probeLoop(async () => void (await gql(p.url, token, SMALL_QUERY)), record('query'), fail),
    ];
    // Subscription: every event's delivery time, from the moment the server computed it to its arrival here.
    const ws = createClient({
      url: `${p.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    client.dispose = () => ws.dispose() as Promise<unknown>;
    ws.subscribe(
      { query: PULSE },
      {
        next: (r: any) =>
          r.data?.emissionPulse?.at ? record('pulse')(Date.now() - Date.parse(r.data.emissionPulse.at)) : fail(),
        error: fail,
        complete: () => undefined,
      },
    );

    await new Promise((r) => setTimeout(r, IDLE_MS));
    s.rssIdle = p.rss();
    s.rssPeak = s.rssIdle;
    const sampler = setInterval(() => (s.rssPeak = Math.max(s.rssPeak, p.rss())), 500);
    phase = 'import';
    const t0 = performance.now();
    const jobId = await uploadCsv(p.url, token, ROWS, 'probe.csv');
    let job: any;
    for (;;) {
      job = (await gql(p.url, token, `query($id: ID!) { importJob(id: $id) { status rowsAccepted } }`, { id: jobId }))
        .importJob;
      if (job.status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    s.importSeconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    for (const stop of stops) await stop();
    if (job.status !== 'COMPLETED' || job.rowsAccepted !== ROWS) throw new Error(`import ended ${JSON.stringify(job)}`);
    console.log(
      `${thread}: ${ROWS} rows in ${s.importSeconds.toFixed(0)} s; ` +
        KINDS.map(
          (k) =>
            `${k} idle p99 ${pct(s.idle[k], 99).toFixed(0)} ms, import p50/p99/max ${pct(s.import[k], 50).toFixed(0)}/${pct(s.import[k], 99).toFixed(0)}/${Math.max(...s.import[k]).toFixed(0)} ms (n=${s.import[k].length})`,
        ).join('; ') +
        `; failures ${s.failures}; RSS idle ${mb(s.rssIdle)}, peak ${mb(s.rssPeak)}`,
    );
    return s;
  } finally {
    await client.dispose();
    if (product) {
      const code = await product.stop();
      if (code !== 0) console.error(`product (${thread}) stopped with code ${code}:\n${product.output().slice(-3000)}`);
    }
    await fresh.drop();
  }
}

const results = new Map<string, Samples[]>(THREADS.map((t) => [t, []]));
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 ? [...THREADS].reverse() : THREADS;
  for (const t of order) results.get(t)!.push(await measure(t));
}

const merged = (t: string, phase: 'idle' | 'import', k: Kind) => results.get(t)!.flatMap((s) => s[phase][k]);
const cell = (xs: number[]) =>
  xs.length ? `${pct(xs, 50).toFixed(0)} / ${pct(xs, 99).toFixed(0)} / ${Math.max(...xs).toFixed(0)}` : '–';
const label = (t: string) =>
  t === 'worker'
    ? 'PGlite in its own thread (as shipped)'
    : 'PGlite on the gateway’s thread (PGLITE_THREAD=main, before)';
const rows: string[] = [
  '| probe | database | idle p50 / p99 / max ms | during the import p50 / p99 / max ms | probes during the import |',
  '|---|---|---:|---:|---:|',
];
for (const k of KINDS)
  for (const t of THREADS)
    rows.push(
      `| ${LABEL[k]} | ${label(t)} | ${cell(merged(t, 'idle', k))} | ${cell(merged(t, 'import', k))} | ${merged(t, 'import', k).length} |`,
    );
const summary = [
  '| database | import seconds (rows/s) | failed probes | product RSS idle / peak |',
  '|---|---:|---:|---:|',
  ...THREADS.map((t) => {
    const ss = results.get(t)!;
    const secs = ss.reduce((a, s) => a + s.importSeconds, 0) / ss.length;
    return `| ${label(t)} | ${secs.toFixed(0)} (${(ROWS / secs).toFixed(0)}) | ${ss.reduce((a, s) => a + s.failures, 0)} | ${ss.map((s) => `${mb(s.rssIdle)} / ${mb(s.rssPeak)}`).join(', ')} |`;
  }),
].join('\n');
const md = `${rows.join('\n')}\n\n${summary}\n\nLoad average at the end: ${os
  .loadavg()
  .map((l) => l.toFixed(1))
  .join(' / ')}.`;
console.log(`\n${md}`);
const p99 = (t: string, k: Kind) => pct(merged(t, 'import', k), 99);
const headline = THREADS.map(
  (t) =>
    `${t}: healthz p99 ${p99(t, 'healthz').toFixed(0)} ms, query p99 ${p99(t, 'query').toFixed(0)} ms, pulse p99 ${p99(t, 'pulse').toFixed(0)} ms`,
).join('; ');
console.log(
  `BENCH_RESULT ${JSON.stringify({ name: 'import-probe', headline: `during a ${ROWS.toLocaleString('en')}-row import: ${headline}` })}`,
);
if (!values['no-record']) {
  recordBenchmark(
    'import-probe',
    `Responsiveness of the embedded product during a ${ROWS.toLocaleString('en')}-row CSV import (\`npm start\` as its own process on fresh PGlite data, NODE_ENV=production; ${ROUNDS} round(s), the order of the two alternating). Probes, each with one request in flight, started every ${PROBE_EVERY_MS} ms: GET /healthz (the event loop), GET /readyz (a database round trip), a small GraphQL query, and the delivery time of emissionPulse subscription events (receipt − the event's \`at\`; the import triggers them). Idle: ${IDLE_MS / 1000} s before the upload.`,
    md,
    `npx tsx bench/import-probe.ts --rows ${ROWS} --threads ${THREADS.join(',')} --rounds ${ROUNDS}`,
  );
}
