// Issue 17 item 6: an import cut by a crash. The real product runs as its own process; a CSV upload is under way
// when the process is SIGKILLed. Restarted on the same data directory (PGlite) or database (PostgreSQL), the job is
// INTERRUPTED (not RUNNING forever) with the counts of what was stored, a subscriber of importProgress gets that
// final state and its subscription completes, and sending the file again stores the rest, each row once.
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { signDevToken } from '@carbon-nexus/plugin-sdk/testkit';
import { freshPostgres, gql, startProduct, type ProductProcess } from './product-process.ts';

const targets = ['pglite', ...(process.env.DATABASE_URL ? ['postgres'] : [])] as const;
const ROWS = 20_000;
const HEADER = 'external_id,supplier_external_id,event_type,timestamp,distance_km,load_kg,vehicle_type\n';
const base = Date.parse('2025-03-01T00:00:00Z');
const line = (i: number) =>
  `kill${i},KILL-T,transport,${new Date(base + i * 60_000).toISOString()},${20 + (i % 300)},${1000 + (i % 5000)},rigid_truck\n`;
const chunk = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => line(from + k)).join('');

describe.each(targets)('an import cut by SIGKILL (%s)', (target) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }, 120_000);

  it('is INTERRUPTED after the restart, with what was stored; its subscription ends; sending the file again completes it', async () => {
    let dataDir: string | undefined;
    let pgDb: Awaited<ReturnType<typeof freshPostgres>> | undefined;
    if (target === 'postgres') {
      pgDb = await freshPostgres();
      cleanups.push(() => pgDb!.drop());
    } else {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cn-kill-'));
      cleanups.push(async () => fs.rmSync(dataDir!, { recursive: true, force: true }));
    }
    const where = pgDb ? { databaseUrl: pgDb.url } : { dataDir };
    const token = await signDevToken({ sub: 'killer', roles: ['analyst'] });

    let first: ProductProcess | null = await startProduct(where);
    cleanups.push(() => first?.kill() ?? Promise.resolve());
    const p1 = first;
    const supplierId = (
      await gql(
        p1.url,
        token,
        `mutation { createSupplier(input: { name: "Kill carrier", externalId: "KILL-T", category: TRANSPORT, country: "GB" }) { id } }`,
      )
    ).createSupplier.id;

    // Upload in pieces; once a few thousand rows are stored, the process is killed mid-import.
    const jobId = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        `${p1.url}/ingest/csv`,
        { method: 'POST', headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` } },
        (res) => {
          res.on('error', () => undefined);
          res.resume();
        },
      );
      req.on('error', () => undefined); // the connection dies with the process
      req.write(HEADER + chunk(0, 500));
      req.once('response', async (res) => {
        const id = String(res.headers['x-import-job-id']);
        try {
          for (let from = 500; from < ROWS; from += 500) {
            const job = (await gql(p1.url, token, `query($id: ID!) { importJob(id: $id) { rowsAccepted } }`, { id }))
              .importJob;
            if (job.rowsAccepted >= 2000) break;
            if (!req.write(chunk(from, from + 500))) await new Promise((r) => req.once('drain', r));
            await new Promise((r) => setTimeout(r, 20));
          }
          await p1.kill();
          resolve(id);
        } catch (err) {
          reject(err);
        }
      });
    });
    expect(p1.alive()).toBe(false);

    // Restart on the same data. PostgreSQL: another process might be importing, so the job is ended once its
    // heartbeat is stale (2 s here).
    const second = await startProduct({ ...where, env: { DATA_CORE_JOB_STALE_SECONDS: '2' } });
    first = null;
    cleanups.push(() => second.kill());
    const seen: string[] = [];
    const ended = await new Promise<boolean>((resolve, reject) => {
      const client = createClient({
        url: second.url.replace(/^http/, 'ws') + '/graphql',
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
      });
      client.subscribe(
        {
          query: `subscription($id: ID!) { importProgress(jobId: $id) { status rowsAccepted } }`,
          variables: { id: jobId },
        },
        {
          next: (r: any) => void seen.push(r.data?.importProgress?.status ?? JSON.stringify(r.errors)),
          error: (e) => reject(new Error(`subscription failed: ${JSON.stringify(e)}`)),
          complete: () => {
            void client.dispose();
            resolve(true);
          },
        },
      );
    });
    expect(ended).toBe(true);
    expect(seen.at(-1)).toBe('INTERRUPTED');
    expect(seen.every((s) => s === 'RUNNING' || s === 'INTERRUPTED')).toBe(true);

    const job = (
      await gql(
        second.url,
        token,
        `query($id: ID!) { importJob(id: $id) { status rowsAccepted rowsRejected rowsTotal error finishedAt } }`,
        { id: jobId },
      )
    ).importJob;
    expect(job.status).toBe('INTERRUPTED');
    expect(job.error).toContain('interrupted');
    expect(job.finishedAt).not.toBeNull();
    expect(job.rowsAccepted).toBeGreaterThanOrEqual(2000);
    expect(job.rowsAccepted).toBeLessThan(ROWS);
    // The counts are what is stored.
    const stored = async () => {
      let n = 0;
      let after: string | null = null;
      for (;;) {
        const d: any = await gql(
          second.url,
          token,
          `query($s: [ID!], $after: String) { events(filter: { supplierIds: $s }, first: 1000, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`,
          { s: [supplierId], after },
        );
        n += d.events.nodes.length;
        if (!d.events.pageInfo.hasNextPage) return n;
        after = d.events.pageInfo.endCursor;
      }
    };
    expect(await stored()).toBe(job.rowsAccepted);

    // The whole file again: the rest is stored, what was stored comes back as duplicates.
    const res = await fetch(`${second.url}/ingest/csv`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
      body: HEADER + chunk(0, ROWS),
    });
    const again = (await res.json()) as any;
    expect(again).toMatchObject({
      status: 'COMPLETED',
      rowsTotal: ROWS,
      rowsAccepted: ROWS - job.rowsAccepted,
      rowsDuplicate: job.rowsAccepted,
      rowsRejected: 0,
    });
    expect(await stored()).toBe(ROWS);
    expect((await second.stop()).code).toBe(0);
  }, 600_000);
});
