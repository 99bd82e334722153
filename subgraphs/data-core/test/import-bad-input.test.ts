// Issue 17 items 1, 2, 4, 5 and 7, reproduced against a served data-core (PGlite, and PostgreSQL when DATABASE_URL is
// set): NUL bytes in the header or a cell, gzip sent as text/csv, broken UTF-8, stray quotes, ZIP/UTF-16 uploads,
// a row the database refuses, a job whose end cannot be stored, and paging through every rejected row.
// Each used to kill the process (unhandled rejection), lose a batch, or drop rows silently.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import zlib from 'node:zlib';
import { startSubgraph, type SubgraphServer } from '@carbon-nexus/plugin-sdk';
import { createTestDatabase, testDatabaseTargets, signDevToken } from '@carbon-nexus/plugin-sdk/testkit';
import type { Database } from '@carbon-nexus/db';
import { plugin, hoursAgo } from './helpers.ts';

const HEADER = 'external_id,supplier_external_id,event_type,timestamp,distance_km,load_kg,vehicle_type,attr_note\n';

describe.each(testDatabaseTargets())('bad CSV input on %s', (target) => {
  let db: Database;
  let srv: SubgraphServer;
  let base: string;
  let token: string;
  let n = 0;
  /** A valid row with a unique id and time; `over` replaces cells. */
  const row = (over: Partial<Record<'id' | 'd' | 'note' | 'ts', string>> = {}) => {
    n++;
    const r = { id: `bi${n}`, d: '120', note: 'ok', ts: hoursAgo(3 + Math.floor(n / 60), n % 60), ...over };
    return `${r.id},BAD-T,transport,${r.ts},${r.d},4000,rigid_truck,${r.note}\n`;
  };
  const rows = (count: number, over: (i: number) => Partial<Record<'id' | 'd' | 'note' | 'ts', string>> = () => ({})) =>
    Array.from({ length: count }, (_, i) => row(over(i))).join('');

  beforeAll(async () => {
    db = await createTestDatabase(target);
    srv = await startSubgraph(plugin, {
      db,
      port: 0,
      env: { ...process.env, BUS_URL: undefined, REDIS_URL: undefined },
    });
    base = srv.url.replace(/\/graphql$/, '');
    token = await signDevToken({ sub: 'bad-input', roles: ['analyst'] });
    const r = await gql(
      `mutation { createSupplier(input: { name: "Bad input carrier", externalId: "BAD-T", category: TRANSPORT, country: "GB" }) { id } }`,
    );
    expect(r.errors).toBeUndefined();
  });
  afterAll(async () => {
    await srv?.close();
    await db?.close();
  });

  async function gql(query: string, variables: Record<string, unknown> = {}) {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as any;
  }

  async function upload(body: string | Buffer, headers: Record<string, string> = {}) {
    const res = await fetch(`${base}/ingest/csv`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}`, ...headers },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
    expect(res.status).toBe(202);
    return (await res.json()) as any;
  }

  const stored = async (jobId: string) =>
    (
      await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM events_raw WHERE import_job_id = $1 AND quality_status <> 'rejected'`,
        [jobId],
      )
    )[0].n;
  const alive = async () => {
    const r = await gql(`{ importJobs(first: 1) { id } }`);
    expect(r.errors).toBeUndefined();
  };

  it('a NUL byte in the header fails the job with a storable message naming the column, and the server lives', async () => {
    const job = await upload(`external_id,supplier_external_id,event_type,timestamp,note\u0000s\n${rows(3)}`);
    expect(job.status).toBe('FAILED');
    expect(job.error).toContain('column 5 ("note\\0s") contains a NUL byte');
    const [stored] = await db.query<{ error: string; status: string }>(
      `SELECT error, status FROM import_jobs WHERE id = $1`,
      [job.jobId],
    );
    expect(stored).toEqual({ status: 'failed', error: job.error });
    expect(stored.error.includes('\u0000')).toBe(false);
    await alive();
  });

  it('a NUL byte in one cell rejects that row (row and column named); every other row of the batch and file is stored', async () => {
    const before = rows(2499);
    const bad = row({ note: 'five\u0000six' });
    const after = rows(2500);
    const job = await upload(HEADER + before + bad + after);
    expect(job).toMatchObject({ status: 'COMPLETED', rowsTotal: 5000, rowsAccepted: 4999, rowsRejected: 1 });
    expect(job.errors).toEqual([{ row: 2500, column: 'attr_note', reason: expect.stringContaining('NUL byte') }]);
    expect(await stored(job.jobId)).toBe(4999);
    const [raw] = await db.query<{ payload: any }>(
      `SELECT payload FROM events_raw WHERE import_job_id = $1 AND row_number = 2500`,
      [job.jobId],
    );
    expect(raw.payload.attr_note).toBe('five\\0six');
  });

  it('gzip bytes sent as text/csv are recognised by their magic bytes and imported', async () => {
    const gz = zlib.gzipSync(Buffer.from(HEADER + rows(1500)));
    const job = await upload(gz, { 'content-type': 'text/csv' });
    expect(job).toMatchObject({ status: 'COMPLETED', rowsAccepted: 1500, rowsRejected: 0 });
    // A truncated one sent the same way keeps the rows before the cut.
    const cut = zlib.gzipSync(Buffer.from(HEADER + rows(3000)));
    const partial = await upload(cut.subarray(0, Math.floor(cut.length * 0.6)), { 'content-type': 'text/plain' });
    expect(partial.status).toBe('FAILED');
    expect(partial.error).toContain('gzip stream truncated');
    expect(partial.rowsAccepted).toBeGreaterThan(0);
    expect(await stored(partial.jobId)).toBe(partial.rowsAccepted);
  });

  it('broken UTF-8 in the header names the column; ZIP, UTF-16 and false gzip claims are refused with what to send', async () => {
    const utf8 = await upload(
      Buffer.concat([
        Buffer.from('external_id,supplier_external_id,ev'),
        Buffer.from([0xff, 0xfe, 0xfd]),
        Buffer.from('nt_type,timestamp\nx,BAD-T,transport,2026-01-01T00:00:00Z\n'),
      ]),
    );
    expect(utf8.status).toBe('FAILED');
    expect(utf8.error).toContain('column 3');
    expect(utf8.error).toContain('not valid UTF-8');
    const zip = await upload(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 7)]));
    expect(zip).toMatchObject({ status: 'FAILED', error: expect.stringContaining('ZIP archive') });
    const utf16 = await upload(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(HEADER, 'utf16le')]));
    expect(utf16).toMatchObject({ status: 'FAILED', error: expect.stringContaining('UTF-16') });
    const notGzip = await upload(HEADER + rows(2), { 'content-encoding': 'gzip' });
    expect(notGzip).toMatchObject({ status: 'FAILED', error: expect.stringContaining('not gzip') });
    const empty = await upload('');
    expect(empty).toMatchObject({ status: 'FAILED', error: expect.stringContaining('no header') });
    await alive();
  });

  it('stray quotes inside fields lose nothing and keep row numbers on their lines; a stray opening quote costs one row', async () => {
    const body =
      HEADER +
      rows(3000, (i) => ({ note: i % 3 === 0 ? '5" pipes' : 'a "b" c' })) +
      row({ d: '-1' }) +
      row({ note: '"unclosed' }) +
      rows(999) +
      row({ d: 'far' });
    const job = await upload(body);
    expect(job).toMatchObject({ status: 'COMPLETED', rowsTotal: 4002, rowsAccepted: 4000, rowsRejected: 2 });
    // Row n is line n + 1 of the file.
    expect(job.errors).toEqual([
      { row: 3001, column: 'distance_km', reason: 'must be between 0 and 20000 km' },
      { row: 4002, column: 'distance_km', reason: expect.stringContaining('must be a number') },
    ]);
    const notes = await db.query<{ note: string }>(
      `SELECT payload->>'attr_note' AS note FROM events_raw WHERE import_job_id = $1 AND row_number IN (1, 2, 3002)`,
      [job.jobId],
    );
    expect(notes.map((x) => x.note).sort()).toEqual(['"unclosed', '5" pipes', 'a "b" c']);
  });

  it('a row the database refuses is isolated and kept as rejected; the rest of its batch is stored', async () => {
    await db.exec(
      `ALTER TABLE events_normalized ADD CONSTRAINT test_refuse_route CHECK (route IS DISTINCT FROM 'REFUSE-ME')`,
    );
    try {
      const header = 'external_id,supplier_external_id,event_type,timestamp,distance_km,load_kg,vehicle_type,route\n';
      const lines = Array.from({ length: 900 }, (_, i) => {
        n++;
        return `ref${n},BAD-T,transport,${hoursAgo(900 + Math.floor(i / 60), i % 60)},50,1000,rigid_truck,${i === 400 || i === 401 ? 'REFUSE-ME' : 'R1'}\n`;
      });
      const job = await upload(header + lines.join(''));
      expect(job).toMatchObject({ status: 'COMPLETED', rowsAccepted: 898, rowsRejected: 2 });
      expect(job.errors.map((e: any) => e.row)).toEqual([401, 402]);
      expect(job.errors[0].reason).toMatch(/^could not be stored: .*test_refuse_route/);
      expect(await stored(job.jobId)).toBe(898);
    } finally {
      await db.exec(`ALTER TABLE events_normalized DROP CONSTRAINT test_refuse_route`);
    }
  });

  it('a job whose end cannot be stored ends FAILED with the reason (no unhandled rejection, no crash)', async () => {
    await db.exec(
      `ALTER TABLE import_jobs ADD CONSTRAINT test_refuse_finish CHECK (status <> 'completed' OR source IS DISTINCT FROM 'refuse-finish.csv')`,
    );
    try {
      const job = await upload(HEADER + rows(5), { 'x-filename': 'refuse-finish.csv' });
      expect(job.status).toBe('FAILED');
      expect(job.error).toContain("storing the job's result failed");
      expect(job.rowsAccepted).toBe(5);
      await alive();
    } finally {
      await db.exec(`ALTER TABLE import_jobs DROP CONSTRAINT test_refuse_finish`);
    }
  });

  it('pages through every rejected row (GraphQL and GET /ingest/jobs/:id/errors), not only the 1000-row sample', async () => {
    const body = HEADER + rows(3000, (i) => (i % 6 === 5 ? {} : { d: String(-1 - i) }));
    const job = await upload(body);
    expect(job).toMatchObject({ status: 'COMPLETED', rowsAccepted: 500, rowsRejected: 2500 });
    const expected = Array.from({ length: 3000 }, (_, i) => i + 1).filter((r) => r % 6 !== 0);
    const seen: number[] = [];
    let after: string | null = null;
    for (;;) {
      const r: any = await gql(
        `query($id: ID!, $after: String) { importJob(id: $id) { errors(first: 3) { row } rejectedRows(first: 1000, after: $after) {
            totalCount pageInfo { hasNextPage endCursor } edges { cursor node { row errors { row column reason } payload } } } } }`,
        { id: job.jobId, after },
      );
      expect(r.errors).toBeUndefined();
      const page = r.data.importJob.rejectedRows;
      expect(page.totalCount).toBe(2500);
      expect(r.data.importJob.errors).toHaveLength(3);
      for (const e of page.edges) {
        seen.push(e.node.row);
        expect(e.node.errors).toEqual([
          { row: e.node.row, column: 'distance_km', reason: 'must be between 0 and 20000 km' },
        ]);
        expect(e.node.payload.distance_km).toBe(String(-e.node.row));
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);

    const viaRest: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await fetch(`${base}/ingest/jobs/${job.jobId}/errors?limit=700${cursor ? `&after=${cursor}` : ''}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as any;
      expect(body.totalCount).toBe(2500);
      viaRest.push(...body.rows.map((x: any) => x.row));
      expect(body.rows[0].errors).toEqual([{ column: 'distance_km', reason: 'must be between 0 and 20000 km' }]);
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(4);
    expect(viaRest).toEqual(expected);
    const bad = await fetch(`${base}/ingest/jobs/${job.jobId}/errors?after=nonsense`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bad.status).toBe(400);
    const tooMany = await fetch(`${base}/ingest/jobs/${job.jobId}/errors?limit=5000`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(tooMany.status).toBe(400);
  });
});
