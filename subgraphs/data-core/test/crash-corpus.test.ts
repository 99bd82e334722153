// The bad-input corpus (issue 17): each file under fixtures/crash-corpus (listed with what must happen in
// corpus.json — add cases there) is posted to the real product, started as its own process with NODE_ENV unset, on
// PGlite and (DATABASE_URL) PostgreSQL. After each one the process is alive and serving (/healthz and a GraphQL query)
// and every row accepted so far is still there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { signDevToken } from '@carbon-nexus/plugin-sdk/testkit';
import { freshPostgres, gql, startProduct, type ProductProcess } from './product-process.ts';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/crash-corpus');

interface Case {
  file: string;
  why: string;
  contentType?: string;
  /** Sent gunzipped (keeps big fixtures small in the repository). */
  decompress?: boolean;
  expect: {
    status?: 'COMPLETED' | 'FAILED';
    errorContains?: string;
    accepted?: number;
    acceptedAtLeast?: number;
    rejected?: number;
    httpStatus?: number;
  };
}
const corpus = JSON.parse(fs.readFileSync(path.join(dir, 'corpus.json'), 'utf8')) as Case[];

const targets = ['pglite', ...(process.env.DATABASE_URL ? ['postgres'] : [])] as const;

describe.each(targets)('crash corpus against the product process (%s)', (target) => {
  let product: ProductProcess;
  let dataDir: string | null = null;
  let pgDb: Awaited<ReturnType<typeof freshPostgres>> | null = null;
  let token: string;
  let supplierId: string;
  let accepted = 0;

  beforeAll(async () => {
    if (target === 'postgres') pgDb = await freshPostgres();
    else dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cn-corpus-'));
    product = await startProduct(pgDb ? { databaseUrl: pgDb.url } : { dataDir: dataDir! });
    token = await signDevToken({ sub: 'corpus', roles: ['analyst'] });
    supplierId = (
      await gql(
        product.url,
        token,
        `mutation { createSupplier(input: { name: "Corpus carrier", externalId: "CORPUS-T", category: TRANSPORT, country: "GB" }) { id } }`,
      )
    ).createSupplier.id;
  }, 240_000);
  afterAll(async () => {
    const r = await product?.stop();
    await pgDb?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    expect(r?.code, product?.output()).toBe(0); // a clean stop, not a crash
  }, 120_000);

  /** Events of the corpus supplier stored so far (paged through GraphQL). */
  async function storedCount(): Promise<number> {
    let n = 0;
    let after: string | null = null;
    for (;;) {
      const d: any = await gql(
        product.url,
        token,
        `query($s: [ID!], $after: String) { events(filter: { supplierIds: $s }, first: 1000, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`,
        { s: [supplierId], after },
      );
      n += d.events.nodes.length;
      if (!d.events.pageInfo.hasNextPage) return n;
      after = d.events.pageInfo.endCursor;
    }
  }

  it.each(
    corpus.map((c, i) => [`${i + 1}. ${c.file}${c.contentType ? ` as ${c.contentType}` : ''}: ${c.why}`, c] as const),
  )('%s', async (_name, c) => {
    let body = fs.readFileSync(path.join(dir, c.file));
    if (c.decompress) body = zlib.gunzipSync(body);
    const res = await fetch(`${product.url}/ingest/csv?filename=${encodeURIComponent(c.file)}`, {
      method: 'POST',
      headers: { 'content-type': c.contentType ?? 'text/csv', authorization: `Bearer ${token}` },
      body: new Uint8Array(body),
    });
    if (c.expect.httpStatus) {
      expect(res.status).toBe(c.expect.httpStatus);
      await res.text();
    } else {
      expect(res.status).toBe(202);
      const job = (await res.json()) as any;
      expect(job.status, JSON.stringify(job)).toBe(c.expect.status);
      if (c.expect.errorContains) expect(job.error).toContain(c.expect.errorContains);
      if (c.expect.accepted !== undefined) expect(job.rowsAccepted).toBe(c.expect.accepted);
      if (c.expect.acceptedAtLeast !== undefined)
        expect(job.rowsAccepted).toBeGreaterThanOrEqual(c.expect.acceptedAtLeast);
      if (c.expect.rejected !== undefined) expect(job.rowsRejected).toBe(c.expect.rejected);
      expect(job.error ?? '').not.toContain('\u0000');
      accepted += job.rowsAccepted;
      // The job as stored reads back the same through GraphQL.
      const stored = await gql(
        product.url,
        token,
        `query($id: ID!) { importJob(id: $id) { status rowsAccepted error } }`,
        { id: job.jobId },
      );
      expect(stored.importJob).toEqual({ status: job.status, rowsAccepted: job.rowsAccepted, error: job.error });
    }
    // Still alive and serving, and nothing accepted so far is gone.
    expect(product.alive(), product.output()).toBe(true);
    const health = await fetch(`${product.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await storedCount()).toBe(accepted);
  });
});
