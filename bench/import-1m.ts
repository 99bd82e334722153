// The 1,000,000-row CSV import (issue 17) on the real product: `gateway/src/main.ts` started as its own process on a
// fresh embedded PGlite data directory (default) or a fresh PostgreSQL database (--target postgres, DATABASE_URL),
// a CSV generated on the fly and streamed to POST /ingest/csv, then waiting for the job and for ml-engine's
// prediction queue to drain. Measures rows/s, predictions/s and the product's RSS (sampled from /proc), and checks
// after the stop that every row was stored once and predicted once. Baseline, measured in the same run: raw Prisma
// createMany (1000-row batches, the same rows and figure columns) into events_normalized on a fresh database of the
// same kind.
//   npx tsx bench/import-1m.ts [--rows 1000000] [--target pglite|postgres] [--baseline-rows 100000] [--no-record]
process.env.LOG_LEVEL ??= 'warn';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { signDevToken } from '@carbon-nexus/plugin-sdk';
import { recordBenchmark } from './lib/record.ts';
import {
  createCsvSuppliers,
  baselineEventRows,
  csvRow as row,
  uploadCsv,
  freshDatabase as freshOf,
  gql,
  mb,
  startProduct as startOf,
  SUPPLIERS,
} from './lib/product.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    target: { type: 'string', default: 'pglite' },
    'baseline-rows': { type: 'string', default: '100000' },
    'no-record': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    'npx tsx bench/import-1m.ts [--rows 1000000] [--target pglite|postgres] [--baseline-rows 100000] [--no-record]',
  );
  process.exit(0);
}
const ROWS = Number(values.rows);
const BASELINE_ROWS = Math.min(ROWS, Number(values['baseline-rows']));
const target = values.target as 'pglite' | 'postgres';
if (target === 'postgres' && !process.env.DATABASE_URL) throw new Error('--target postgres needs DATABASE_URL');
const cleanups: (() => Promise<unknown>)[] = [];
const freshDatabase = () => freshOf(target, 'cn-import-1m');

/** Baseline: raw Prisma createMany of the same rows (1000 per batch) into a fresh migrated database. */
async function baselineRowsPerSecond(): Promise<number> {
  const fresh = await freshDatabase();
  cleanups.push(() => fresh.drop());
  const db = await fresh.open();
  try {
    await db.migrate();
    const ids: string[] = [];
    for (let s = 0; s < SUPPLIERS; s++) {
      const [r] = await db.query<{ id: string }>(
        `INSERT INTO suppliers (id, external_id, name, category, country, updated_at) VALUES (gen_random_uuid(), $1, $1, 'transport', 'GB', now()) RETURNING id`,
        [`B-${s}`],
      );
      ids.push(r.id);
    }
    const eventRow = await baselineEventRows();
    const t = performance.now();
    for (let i = 0; i < BASELINE_ROWS; i += 1000) {
      const data = [];
      for (let k = i; k < Math.min(BASELINE_ROWS, i + 1000); k++) {
        const r = row(k);
        data.push(eventRow(r, ids[k % SUPPLIERS]));
      }
      await db.prisma.eventNormalized.createMany({ data });
    }
    return BASELINE_ROWS / ((performance.now() - t) / 1000);
  } finally {
    await db.close();
  }
}

async function startProduct(where: { dataDir?: string; url?: string }) {
  const product = await startOf(where);
  cleanups.push(() => product.kill());
  return product;
}

try {
  console.log(`target: ${target}, rows: ${ROWS}, baseline rows: ${BASELINE_ROWS}`);
  const baseline = await baselineRowsPerSecond();
  console.log(`baseline prisma createMany (events_normalized only): ${baseline.toFixed(0)} rows/s`);

  const fresh = await freshDatabase();
  cleanups.push(() => fresh.drop());
  const product = await startProduct(fresh);
  const token = await signDevToken({ sub: 'bench', roles: ['admin'] });
  await createCsvSuppliers(product.url, token);
  const idleRss = product.rss();
  let peakRss = idleRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, product.rss())), 500);

  // Upload (streamed with backpressure), then wait for the job, then for the prediction queue.
  const t0 = performance.now();
  const jobId = await uploadCsv(product.url, token, ROWS, 'import-1m.csv');
  let job: any;
  let lastLog = 0;
  for (;;) {
    job = (
      await gql(
        product.url,
        token,
        `query($id: ID!) { importJob(id: $id) { status rowsTotal rowsAccepted rowsRejected rowsDuplicate error } }`,
        { id: jobId },
      )
    ).importJob;
    if (job.status !== 'RUNNING') break;
    if (performance.now() - lastLog > 30_000) {
      lastLog = performance.now();
      console.log(
        `  … ${job.rowsAccepted} rows stored after ${((performance.now() - t0) / 1000).toFixed(0)} s, RSS ${mb(product.rss())}`,
      );
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  const importSecs = (performance.now() - t0) / 1000;
  if (job.status !== 'COMPLETED' || job.rowsAccepted !== ROWS) throw new Error(`import ended ${JSON.stringify(job)}`);
  const importRss = peakRss;
  console.log(
    `import: ${ROWS} rows in ${importSecs.toFixed(1)} s = ${(ROWS / importSecs).toFixed(0)} rows/s; RSS idle ${mb(idleRss)}, peak ${mb(importRss)}`,
  );

  let status: any;
  lastLog = 0;
  for (;;) {
    status = (await gql(product.url, token, `{ mlPipelineStatus { backlog predicted failed skipped } }`))
      .mlPipelineStatus;
    if (status.backlog === 0 && status.predicted + status.failed + status.skipped >= ROWS) break;
    if (performance.now() - lastLog > 30_000) {
      lastLog = performance.now();
      console.log(
        `  … predictions: ${status.predicted}, backlog ${status.backlog} after ${((performance.now() - t0) / 1000).toFixed(0)} s, RSS ${mb(product.rss())}`,
      );
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  const predictSecs = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  console.log(
    `predictions: ${status.predicted} in ${predictSecs.toFixed(1)} s from the upload's start = ${(status.predicted / predictSecs).toFixed(0)} predictions/s (caught up ${(predictSecs - importSecs).toFixed(1)} s after the import); RSS peak ${mb(peakRss)}`,
  );
  const code = await product.stop();
  if (code !== 0) throw new Error(`the product stopped with code ${code}:\n${product.output()}`);

  // Exactly once, read from the database after the stop.
  const db = await fresh.open();
  const [c] = await db.query<{ raw: number; norm: number; preds: number; predEvents: number }>(
    `SELECT (SELECT count(*)::int FROM events_raw WHERE import_job_id = $1) AS raw,
            (SELECT count(*)::int FROM events_normalized n JOIN events_raw r ON r.id = n.id WHERE r.import_job_id = $1) AS norm,
            (SELECT count(*)::int FROM predictions p JOIN events_raw r ON r.id = p.event_id WHERE r.import_job_id = $1) AS preds,
            (SELECT count(DISTINCT p.event_id)::int FROM predictions p JOIN events_raw r ON r.id = p.event_id WHERE r.import_job_id = $1) AS "predEvents"`,
    [jobId],
  );
  await db.close();
  console.log(
    `stored once: ${c.raw} raw, ${c.norm} normalized; predicted once: ${c.preds} predictions for ${c.predEvents} events`,
  );
  if (c.raw !== ROWS || c.norm !== ROWS || c.preds !== ROWS || c.predEvents !== ROWS)
    throw new Error('not every row stored and predicted exactly once');

  const rate = ROWS / importSecs;
  const ratio = rate / baseline;
  const label = target === 'postgres' ? 'PostgreSQL' : 'embedded PGlite';
  console.log(
    `ratio: POST /ingest/csv ${rate.toFixed(0)} rows/s vs createMany ${baseline.toFixed(0)} rows/s = ${ratio.toFixed(2)}x`,
  );
  console.log(
    `BENCH_RESULT ${JSON.stringify({ headline: `${label}: ${ROWS} rows ${rate.toFixed(0)} rows/s = ${ratio.toFixed(2)}x createMany; predictions ${(status.predicted / predictSecs).toFixed(0)}/s; RSS peak ${mb(peakRss)}` })}`,
  );
  if (!values['no-record']) {
    recordBenchmark(
      `import-1m-${target}`,
      `${ROWS.toLocaleString('en')}-row CSV streamed to the real product (\`npm start\` as its own process, ${label}, fresh data), NODE_ENV=production. ` +
        'Rows/s: upload start → job COMPLETED. Predictions/s: upload start → ml-engine queue empty. RSS: the product process (/proc). ' +
        `Baseline: raw Prisma createMany of ${BASELINE_ROWS.toLocaleString('en')} of the same rows (1000 per batch, events_normalized only) on a fresh ${label} database, same run. ` +
        'Checked after the stop: every row stored once and predicted once.',
      [
        '| measure | value |',
        '|---|---|',
        `| rows | ${ROWS.toLocaleString('en')} (accepted ${job.rowsAccepted.toLocaleString('en')}, rejected ${job.rowsRejected}, duplicates ${job.rowsDuplicate}) |`,
        `| import | ${importSecs.toFixed(0)} s = **${rate.toFixed(0)} rows/s** |`,
        `| baseline createMany | ${baseline.toFixed(0)} rows/s → ratio **${ratio.toFixed(2)}x** |`,
        `| predictions | ${status.predicted.toLocaleString('en')} in ${predictSecs.toFixed(0)} s = **${(status.predicted / predictSecs).toFixed(0)} /s** (queue empty ${(predictSecs - importSecs).toFixed(0)} s after the import) |`,
        `| stored / predicted exactly once | ${c.raw.toLocaleString('en')} raw, ${c.norm.toLocaleString('en')} normalized, ${c.preds.toLocaleString('en')} predictions for ${c.predEvents.toLocaleString('en')} events |`,
        `| product RSS | idle ${mb(idleRss)}, peak during import ${mb(importRss)}, peak overall ${mb(peakRss)} |`,
        `| load average at the end | ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' / ')} |`,
      ].join('\n'),
      `npx tsx bench/import-1m.ts --target ${target}${ROWS !== 1_000_000 ? ` --rows ${ROWS}` : ''}`,
    );
  }
} finally {
  for (const c of cleanups.reverse()) await c().catch((err) => console.error('cleanup failed:', err));
}
