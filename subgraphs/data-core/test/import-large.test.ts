// The path of bench/import-1m.ts with fewer rows (issue 17: the test suite does not run a million): the real product
// as its own process on fresh data, a generated CSV streamed to POST /ingest/csv, the job and ml-engine's prediction
// queue waited for, then — after a clean stop — every row stored once and predicted once, counted in the database.
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createDatabase } from '@carbon-nexus/db';
import { signDevToken } from '@carbon-nexus/plugin-sdk/testkit';
import { freshPostgres, gql, startProduct } from './product-process.ts';

const ROWS = Number(process.env.IMPORT_LARGE_ROWS ?? 30_000);
const targets = ['pglite', ...(process.env.DATABASE_URL ? ['postgres'] : [])] as const;
const START = Date.parse('2024-06-01T00:00:00Z');

function csv(n: number): Readable {
  let i = 0;
  return new Readable({
    read() {
      let chunk =
        i === 0
          ? 'external_id,supplier_external_id,event_type,timestamp,distance_km,load_kg,vehicle_type,speed_kmh\n'
          : '';
      for (let k = 0; k < 2000 && i < n; k++, i++)
        chunk += `L${i},LARGE-${i % 5},transport,${new Date(START + i * 45_000).toISOString()},${15 + (i % 500)},${800 + ((i * 31) % 24000)},articulated_truck,${35 + (i % 50)}\n`;
      this.push(chunk);
      if (i >= n) this.push(null);
    },
  });
}

describe.each(targets)(`a ${ROWS}-row import through the product (%s)`, (target) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }, 120_000);

  it('stores every row once and predicts every one once', async () => {
    const pgDb = target === 'postgres' ? await freshPostgres() : null;
    const dataDir = pgDb ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'cn-large-'));
    cleanups.push(async () => (pgDb ? pgDb.drop() : fs.rmSync(dataDir!, { recursive: true, force: true })));
    const product = await startProduct(pgDb ? { databaseUrl: pgDb.url } : { dataDir: dataDir! });
    cleanups.push(() => product.kill());
    const token = await signDevToken({ sub: 'large', roles: ['analyst'] });
    for (let s = 0; s < 5; s++)
      await gql(
        product.url,
        token,
        `mutation($x: String!) { createSupplier(input: { name: $x, externalId: $x, category: TRANSPORT, country: "DE" }) { id } }`,
        { x: `LARGE-${s}` },
      );

    const jobId = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        `${product.url}/ingest/csv`,
        { method: 'POST', headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` } },
        (res) => {
          res.resume();
          if (res.statusCode === 202) resolve(String(res.headers['x-import-job-id']));
          else reject(new Error(`HTTP ${res.statusCode}`));
        },
      );
      req.on('error', reject);
      csv(ROWS).pipe(req);
    });
    let job: any;
    do {
      await new Promise((r) => setTimeout(r, 500));
      job = (
        await gql(
          product.url,
          token,
          `query($id: ID!) { importJob(id: $id) { status rowsTotal rowsAccepted rowsRejected rowsDuplicate error } }`,
          { id: jobId },
        )
      ).importJob;
    } while (job.status === 'RUNNING');
    expect(job).toEqual({
      status: 'COMPLETED',
      rowsTotal: ROWS,
      rowsAccepted: ROWS,
      rowsRejected: 0,
      rowsDuplicate: 0,
      error: null,
    });

    let status: any;
    do {
      await new Promise((r) => setTimeout(r, 500));
      status = (await gql(product.url, token, `{ mlPipelineStatus { backlog predicted failed skipped } }`))
        .mlPipelineStatus;
    } while (status.backlog > 0 || status.predicted < ROWS);
    expect(status).toEqual({ backlog: 0, predicted: ROWS, failed: 0, skipped: 0 });
    expect((await product.stop()).code).toBe(0);

    const db = pgDb ? await createDatabase({ url: pgDb.url }) : await createDatabase({ dataDir: dataDir! });
    try {
      const [c] = await db.query<{ raw: number; norm: number; preds: number; events: number; pending: number }>(
        `SELECT (SELECT count(*)::int FROM events_raw WHERE import_job_id = $1) AS raw,
                (SELECT count(*)::int FROM events_normalized n JOIN events_raw r ON r.id = n.id WHERE r.import_job_id = $1) AS norm,
                (SELECT count(*)::int FROM predictions p JOIN events_raw r ON r.id = p.event_id WHERE r.import_job_id = $1) AS preds,
                (SELECT count(DISTINCT p.event_id)::int FROM predictions p JOIN events_raw r ON r.id = p.event_id WHERE r.import_job_id = $1) AS events,
                (SELECT count(*)::int FROM ml_pending_events) AS pending`,
        [jobId],
      );
      expect(c).toEqual({ raw: ROWS, norm: ROWS, preds: ROWS, events: ROWS, pending: 0 });
    } finally {
      await db.close();
    }
  }, 900_000);
});
