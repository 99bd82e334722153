import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import http from 'node:http';
import zlib from 'node:zlib';
import { WebSocket } from 'ws';
import { startSubgraph, type SubgraphServer } from '@carbon-nexus/plugin-sdk';
import { createTestDatabase, testDatabaseTargets, signDevToken } from '@carbon-nexus/plugin-sdk/testkit';
import type { Database } from '@carbon-nexus/db';
import { plugin, hoursAgo } from './helpers.ts';

const HEADER = 'external_id,supplier_external_id,event_type,timestamp,distance_km,load_kg,vehicle_type,energy_kwh\n';
const row = (i: number, over: Partial<Record<string, string>> = {}) => {
  const r = {
    id: `r${i}`,
    sup: 'CSV-T',
    type: 'transport',
    ts: hoursAgo(2, i % 60),
    d: '100',
    l: '5000',
    v: 'rigid_truck',
    e: '',
    ...over,
  };
  return `${r.id},${r.sup},${r.type},${r.ts},${r.d},${r.l},${r.v},${r.e}\n`;
};

describe.each(testDatabaseTargets())('HTTP ingestion routes on %s', (target) => {
  let db: Database;
  let srv: SubgraphServer;
  let base: string;
  let token: string;
  let supplierId: string;

  beforeAll(async () => {
    db = await createTestDatabase(target);
    srv = await startSubgraph(plugin, {
      db,
      port: 0,
      env: { ...process.env, BUS_URL: undefined, REDIS_URL: undefined },
    });
    base = srv.url.replace(/\/graphql$/, '');
    token = await signDevToken({ sub: 'feeder', roles: ['analyst'] });
    const r = await gql(
      `mutation { createSupplier(input: { name: "CSV carrier", externalId: "CSV-T", category: TRANSPORT, country: "GB" }) { id } }`,
    );
    supplierId = r.data.createSupplier.id;
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

  async function csv(body: string | Buffer, headers: Record<string, string> = {}) {
    const res = await fetch(`${base}/ingest/csv`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}`, ...headers },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
    expect(res.status).toBe(202);
    const id = res.headers.get('x-import-job-id');
    expect(res.headers.get('location')).toBe(`/ingest/jobs/${id}`);
    const summary = (await res.json()) as any; // the body completes once the upload is consumed
    expect(summary.jobId).toBe(id);
    return summary;
  }

  it('POST /ingest/event takes one event or an array, with per-item results', async () => {
    const one = await fetch(`${base}/ingest/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        externalId: 'e1',
        supplierId,
        eventType: 'TRANSPORT',
        timestamp: hoursAgo(4),
        distanceKm: 10,
        loadKg: 100,
      }),
    });
    expect(one.status).toBe(200);
    expect((await one.json()).accepted).toBe(1);
    const many = await fetch(`${base}/ingest/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify([
        {
          externalId: 'e2',
          supplierId,
          eventType: 'TRANSPORT',
          timestamp: hoursAgo(4, 1),
          distanceKm: 10,
          loadKg: 100,
        },
        {
          externalId: 'e3',
          supplierId,
          eventType: 'TRANSPORT',
          timestamp: hoursAgo(4, 2),
          distanceKm: 'far',
          loadKg: [1],
        },
      ]),
    });
    const body = await many.json();
    expect(body.accepted).toBe(1);
    expect(body.results[1].errors).toEqual([
      { field: 'distanceKm', reason: 'must be a number (km), got "far"' },
      { field: 'loadKg', reason: 'must be a number (kg), got an array' },
    ]);
    const bad = await fetch(`${base}/ingest/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '42',
    });
    expect(bad.status).toBe(400);
    const anon = await fetch(`${base}/ingest/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(anon.status).toBe(401);
  });

  it('imports a CSV and keeps valid rows around each malformed one (row, column, reason)', async () => {
    const lines = [
      HEADER,
      row(1),
      row(2, { ts: '2026-13-45T99:00:00Z' }), // bad date
      row(3, { d: '-12' }), // negative distance
      row(4, { ts: '2026-01-01 10:00:00' }), // no time zone
      'r5,CSV-T,transport\n', // wrong column count
      row(6),
    ];
    const utf8 = Buffer.concat([
      Buffer.from(lines.join('')),
      Buffer.from('r7,CSV-T,transport,'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(',1,1,rigid_truck,\n'),
      Buffer.from(row(8)),
    ]);
    const huge = Buffer.from(`r9,CSV-T,transport,${hoursAgo(2)},1,1,rigid_truck,${'x'.repeat(10 * 1024 * 1024)}\n`);
    const job = await csv(Buffer.concat([utf8, huge, Buffer.from(row(10))]));
    expect(job.status).toBe('COMPLETED');
    expect(job.rowsTotal).toBe(10);
    expect(job.rowsAccepted).toBe(4); // rows 1, 6, 8, 10
    expect(job.rowsRejected).toBe(6);
    const byRow = new Map<number, any[]>();
    for (const e of job.errors) byRow.set(e.row, [...(byRow.get(e.row) ?? []), e]);
    expect(byRow.get(2)![0]).toMatchObject({ column: 'timestamp' });
    expect(byRow.get(2)![0].reason).toContain('not a valid date');
    expect(byRow.get(3)).toEqual([{ row: 3, column: 'distance_km', reason: 'must be between 0 and 20000 km' }]);
    expect(byRow.get(4)).toEqual([{ row: 4, column: 'timestamp', reason: 'needs a time zone (Z or ±hh:mm)' }]);
    expect(byRow.get(5)).toEqual([{ row: 5, column: null, reason: 'expected 8 columns, got 3' }]);
    expect(byRow.get(7)).toEqual([{ row: 7, column: 'timestamp', reason: 'invalid UTF-8 byte sequence' }]);
    expect(byRow.get(9)![0].reason).toMatch(/record longer than \d+ bytes/);
    const raw = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events_raw WHERE import_job_id = $1 AND quality_status = 'rejected'`,
      [job.jobId],
    );
    expect(raw[0].n).toBe(6);
    const q = await gql(
      `query($id: ID!) { importJob(id: $id) { status rowsAccepted errors(first: 2) { row column reason } } }`,
      { id: job.jobId },
    );
    expect(q.data.importJob).toMatchObject({ status: 'COMPLETED', rowsAccepted: 4 });
    expect(q.data.importJob.errors).toHaveLength(2);
  });

  it('fails a file with a wrong header with a clear message', async () => {
    const missing = await csv('supplier_external_id,timestamp,distance_km\nCSV-T,2026-01-01T00:00:00Z,1\n');
    expect(missing.status).toBe('FAILED');
    expect(missing.error).toContain('missing required column(s): event_type');
    const unknown = await csv(
      'supplier_external_id,event_type,timestamp,distnce_km\nCSV-T,transport,2026-01-01T00:00:00Z,1\n',
    );
    expect(unknown.error).toContain('unknown column(s): distnce_km');
  });

  it('accepts gzip (content-encoding or application/gzip); a truncated gzip fails the job and keeps rows before it', async () => {
    const rows = Array.from({ length: 1500 }, (_, i) =>
      row(1000 + i, { id: `gz${i}`, ts: hoursAgo(30 + Math.floor(i / 60), i % 60) }),
    ).join('');
    const gz = zlib.gzipSync(Buffer.from(HEADER + rows));
    const ok = await csv(gz, { 'content-encoding': 'gzip' });
    expect(ok).toMatchObject({ status: 'COMPLETED', rowsAccepted: 1500, rowsRejected: 0 });
    const again = await csv(gz, { 'content-type': 'application/gzip' });
    expect(again).toMatchObject({ status: 'COMPLETED', rowsAccepted: 0, rowsDuplicate: 1500 });
    const other = Array.from({ length: 1500 }, (_, i) =>
      row(5000 + i, { id: `tz${i}`, ts: hoursAgo(90 + Math.floor(i / 60), i % 60) }),
    ).join('');
    const full = zlib.gzipSync(Buffer.from(HEADER + other));
    const cut = await csv(full.subarray(0, Math.floor(full.length * 0.7)), { 'content-type': 'application/gzip' });
    expect(cut.status).toBe('FAILED');
    expect(cut.error).toContain('gzip stream truncated');
    expect(cut.rowsAccepted).toBeGreaterThan(0);
    expect(cut.rowsAccepted).toBeLessThan(1500);
    const n = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM events_raw WHERE import_job_id = $1`, [
      cut.jobId,
    ]);
    expect(n[0].n).toBe(cut.rowsAccepted);
  });

  it('answers 202 with the job id at once (headers) and keeps reading the upload to the end', async () => {
    const chunks = Array.from({ length: 5 }, (_, c) =>
      Array.from({ length: 400 }, (_, i) =>
        row(0, { id: `early${c}-${i}`, ts: hoursAgo(200 + c * 7 + Math.floor(i / 60), i % 60) }),
      ).join(''),
    );
    let jobId = '';
    const seen: any[] = [];
    const rp = srv.host.plugins.get('data-core')!;
    const { status, body } = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = http.request(
        `${base}/ingest/csv`,
        { method: 'POST', headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` } },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
        },
      );
      req.on('error', reject);
      req.write(HEADER + chunks[0]);
      // the rest is written only after the answer (with the job id) arrived
      req.on('response', async (res) => {
        jobId = String(res.headers['x-import-job-id']);
        // importProgress subscription: follows the job until it ends
        const sub = (await rp.subscribe(
          `subscription($id: ID!) { importProgress(jobId: $id) { status rowsAccepted } }`,
          { id: jobId },
          { auth: { sub: 'feeder', roles: ['analyst'], supplierIds: null } },
        )) as AsyncIterableIterator<any>;
        const collected = (async () => {
          for await (const r of sub) seen.push(r.data.importProgress);
        })();
        for (const c of chunks.slice(1)) {
          await new Promise((r) => setTimeout(r, 20));
          req.write(c);
        }
        req.end();
        await collected;
      });
    });
    expect(status).toBe(202);
    expect(body).toMatchObject({ jobId, status: 'COMPLETED', rowsTotal: 2000, rowsAccepted: 2000 });
    for (let i = 0; i < 50 && seen.at(-1)?.status !== 'COMPLETED'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(seen[0].status).toBe('RUNNING');
    expect(seen.at(-1)).toEqual({ status: 'COMPLETED', rowsAccepted: 2000 });
    const job = (await gql(`query($id: ID!) { importJob(id: $id) { status rowsTotal rowsAccepted } }`, { id: jobId }))
      .data.importJob;
    expect(job).toEqual({ status: 'COMPLETED', rowsTotal: 2000, rowsAccepted: 2000 });
  });

  it('an upload cut after the early answer fails its job (rows before the cut kept), never hangs', async () => {
    const jobId = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        `${base}/ingest/csv`,
        { method: 'POST', headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` } },
        (res) => {
          resolve(String(res.headers['x-import-job-id']));
          setTimeout(() => req.destroy(), 300); // the client goes away mid-upload
        },
      );
      req.on('error', () => undefined);
      req.write(
        HEADER + Array.from({ length: 50 }, (_, i) => row(0, { id: `cut${i}`, ts: hoursAgo(400, i) })).join(''),
      );
    });
    let job: any;
    for (let i = 0; i < 300; i++) {
      job = (await gql(`query($id: ID!) { importJob(id: $id) { status error rowsAccepted } }`, { id: jobId })).data
        .importJob;
      if (job.status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(job).toMatchObject({ status: 'FAILED', error: 'upload aborted by the client before the end of the file' });
    // every complete row before the cut is kept (the parser may hold back the very last line of a cut stream)
    expect(job.rowsAccepted).toBeGreaterThanOrEqual(49);
  });

  it('/stream/ws acknowledges each message in order, with per-event errors', async () => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/stream/ws`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    const acks: any[] = [];
    const done = new Promise<void>((resolve) =>
      ws.on('message', (d) => {
        acks.push(JSON.parse(d.toString()));
        if (acks.length === 22) resolve();
      }),
    );
    for (let m = 0; m < 20; m++) {
      ws.send(
        JSON.stringify({
          id: m,
          events: [
            {
              externalId: `ws${m}`,
              supplierId,
              eventType: 'TRANSPORT',
              timestamp: hoursAgo(300 + m),
              distanceKm: 5,
              loadKg: 100,
            },
            {
              externalId: `wsbad${m}`,
              supplierId,
              eventType: 'TRANSPORT',
              timestamp: hoursAgo(300 + m),
              distanceKm: 99999,
            },
          ],
        }),
      );
    }
    ws.send('not json');
    ws.send(JSON.stringify({ id: 'x' }));
    await done;
    ws.close();
    expect(acks.slice(0, 20).map((a) => a.ack)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(acks[0]).toMatchObject({
      accepted: 1,
      rejected: 1,
      errors: [{ index: 1, field: 'distanceKm', reason: 'must be between 0 and 20000 km' }],
    });
    expect(acks[20].errors[0].reason).toContain('invalid JSON');
    expect(acks[21]).toMatchObject({ ack: 'x', errors: [{ field: 'events' }] });
    const n = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events_normalized WHERE data_source = 'stream'`,
    );
    expect(n[0].n).toBe(20);
    const denied = new WebSocket(`${base.replace('http', 'ws')}/stream/ws`);
    const code = await new Promise((r) =>
      denied.on('unexpected-response', (_q, res) => r(res.statusCode)).on('error', () => undefined),
    );
    expect(code).toBe(401);
  });
});
