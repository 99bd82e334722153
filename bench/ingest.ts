// Ingestion throughput: N-row CSV streamed through POST /ingest/csv on a standalone data-core subgraph, vs raw
// Prisma createMany (1000-row batches) of the same rows into events_normalized, measured in the same run.
// Optional memory run: --rss-rows 1000000 streams a large CSV and reports RSS growth (goal < 200 MB).
//   npx tsx bench/ingest.ts [--rows 200000] [--rss-rows 0] [--target postgres|pglite]
// Quiet logs unless asked otherwise (set before the SDK creates its logger).
process.env.LOG_LEVEL ??= 'warn';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { startSubgraph } from '@carbon-nexus/plugin-sdk';
import { createTestDatabase, signDevToken } from '@carbon-nexus/plugin-sdk/testkit';
import plugin from '@carbon-nexus/data-core';
import { baselineEventRows, uploadCsvBody } from './lib/product.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    'rss-rows': { type: 'string', default: '0' },
    target: { type: 'string', default: process.env.DATABASE_URL ? 'postgres' : 'pglite' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('npx tsx bench/ingest.ts [--rows 200000] [--rss-rows 1000000] [--target postgres|pglite]');
  process.exit(0);
}
const ROWS = Number(values.rows);
const RSS_ROWS = Number(values['rss-rows']);
const target = values.target as 'postgres' | 'pglite';

const SUPPLIERS = 10;
const HEADER = 'external_id,supplier_external_id,event_type,timestamp,distance_km,load_kg,vehicle_type,speed_kmh\n';
const START = Date.now() - 400 * 86_400_000;

function rowFields(i: number) {
  return {
    ext: `b${i}`,
    sup: `BENCH-${i % SUPPLIERS}`,
    ts: new Date(START + i * 1000).toISOString(),
    d: 20 + (i % 400),
    l: 1000 + ((i * 37) % 20000),
    v: 'rigid_truck',
    s: 40 + (i % 60),
  };
}

function csvStream(n: number, prefix = ''): Readable {
  let i = 0;
  return new Readable({
    read() {
      if (i === 0) this.push(HEADER);
      let chunk = '';
      for (let k = 0; k < 2000 && i < n; k++, i++) {
        const r = rowFields(i);
        chunk += `${prefix}${r.ext},${r.sup},transport,${r.ts},${r.d},${r.l},${r.v},${r.s}\n`;
      }
      if (chunk) this.push(chunk);
      if (i >= n) this.push(null);
    },
  });
}

async function waitJob(db: any, id: string, maxSeconds = 3600) {
  const deadline = Date.now() + maxSeconds * 1000;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`import job ${id} still running after ${maxSeconds} s`);
    const [j] = await db.query(
      `SELECT status, rows_total, rows_accepted, rows_rejected, error FROM import_jobs WHERE id = $1`,
      [id],
    );
    if (j.status !== 'running') return j;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const db = await createTestDatabase(target);
const srv = await startSubgraph(plugin, {
  db,
  port: 0,
  env: { ...process.env, BUS_URL: undefined, REDIS_URL: undefined },
});
const base = srv.url.replace(/\/graphql$/, '');
const token = await signDevToken({ sub: 'bench', roles: ['admin'] });
try {
  const ids: string[] = [];
  for (let s = 0; s < SUPPLIERS; s++) {
    const [r] = await db.query<{ id: string }>(
      `INSERT INTO suppliers (id, external_id, name, category, country, updated_at) VALUES (gen_random_uuid(), $1, $2, 'transport', 'GB', now()) RETURNING id`,
      [`BENCH-${s}`, `Bench carrier ${s}`],
    );
    ids.push(r.id);
  }

  // Baseline: raw Prisma createMany, 1000-row batches, same rows with the same figure columns our path writes
  // (the method engine's result for the row, computed inline, and its compact factor list).
  const eventRow = await baselineEventRows();
  let t = performance.now();
  for (let i = 0; i < ROWS; i += 1000) {
    const data = [];
    for (let k = i; k < Math.min(ROWS, i + 1000); k++) {
      const r = rowFields(k);
      data.push(eventRow(r, ids[k % SUPPLIERS]));
    }
    await db.prisma.eventNormalized.createMany({ data });
  }
  const prismaSecs = (performance.now() - t) / 1000;
  await db.exec('TRUNCATE events_normalized, events_raw');

  // Our path: streamed CSV through HTTP, validation, normalization, dedupe, events_raw + events_normalized.
  t = performance.now();
  const jobId = await uploadCsvBody(base, token, csvStream(ROWS));
  const job = await waitJob(db, jobId);
  const csvSecs = (performance.now() - t) / 1000;
  if (job.rows_accepted !== ROWS) throw new Error(`expected ${ROWS} accepted rows, got ${JSON.stringify(job)}`);

  const prismaRate = ROWS / prismaSecs;
  const csvRate = ROWS / csvSecs;
  console.log(`target: ${target}, rows: ${ROWS}`);
  console.log(
    `prisma createMany (events_normalized only): ${prismaRate.toFixed(0)} rows/s (${prismaSecs.toFixed(1)} s)`,
  );
  console.log(
    `POST /ingest/csv (validate + normalize + raw + normalized): ${csvRate.toFixed(0)} rows/s (${csvSecs.toFixed(1)} s)`,
  );
  console.log(`ratio: ${(csvRate / prismaRate).toFixed(2)}x (goal >= 0.8x)`);

  if (RSS_ROWS > 0) {
    await db.exec('TRUNCATE events_normalized, events_raw');
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
    t = performance.now();
    const id = await uploadCsvBody(base, token, csvStream(RSS_ROWS, 'm'));
    const j = await waitJob(db, id);
    clearInterval(timer);
    const secs = (performance.now() - t) / 1000;
    console.log(
      `memory run: ${RSS_ROWS} rows (${j.rows_accepted} accepted, ${j.status}) in ${secs.toFixed(1)} s = ${(RSS_ROWS / secs).toFixed(0)} rows/s; ` +
        `RSS ${(before / 1e6).toFixed(0)} MB -> peak ${(peak / 1e6).toFixed(0)} MB, growth ${((peak - before) / 1e6).toFixed(0)} MB (goal < 200 MB)`,
    );
  }
} finally {
  await srv.close();
  await db.close();
}
