// Fault: the gateway is stopped (SIGTERM -> server.close()) while a CSV import is being uploaded and clients hold
// open subscriptions (graphql-ws and SSE). Shutdown drains: the WebSocket is closed with code 1001 (going away, not an
// abrupt 1006 drop), the SSE stream ends with `event: complete`, the upload is read to its end and every row stored, and only then does close() resolve
// (and, when the host owns it, the database close).
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { Database } from '@carbon-nexus/db';
import { waitFor } from '@carbon-nexus/plugin-sdk/testkit';
import dataCore from '@carbon-nexus/data-core';
import type { GatewayServer } from '../src/index.ts';
import { startTestPlatform, type TestPlatform } from '@carbon-nexus/gateway/testkit';

const HEADER = 'external_id,supplier_external_id,event_type,timestamp,distance_km,load_kg,vehicle_type\n';
const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
const row = (i: number) =>
  `drain-${i},DRAIN-T,transport,${new Date(hour - (10 + Math.floor(i / 60)) * 3_600_000 + (i % 60) * 60_000).toISOString()},100,5000,rigid_truck\n`;
const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => row(from + k)).join('');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fault: shutdown drains in-flight imports and subscriptions', () => {
  let platform: TestPlatform;
  let db: Database;
  let gw: GatewayServer;
  let token: string;

  beforeAll(async () => {
    const env = { DATABASE_URL: undefined, REDIS_URL: undefined, BUS_URL: undefined };
    platform = await startTestPlatform({ plugins: [dataCore], env });
    ({ gateway: gw, db } = platform);
    token = await platform.token('analyst', { sub: 'drain-analyst' });
    const r = await fetch(gw.url + '/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: `mutation { createSupplier(input: { name: "Drain Carrier", externalId: "DRAIN-T", category: TRANSPORT }) { id } }`,
      }),
    });
    expect(((await r.json()) as any).errors).toBeUndefined();
  }, 120_000);

  afterAll(() => platform?.close());

  it('closes graphql-ws with 1001, completes SSE streams, and finishes the running CSV import before close() resolves', async () => {
    // An open subscription (the emission pulse emits once at start: it is live end to end).
    const closeCodes: number[] = [];
    const results: unknown[] = [];
    let completed = false;
    let sinkError: unknown = null;
    const client = createClient({
      url: gw.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
      on: { closed: (e: any) => void closeCodes.push(e.code) },
    });
    client.subscribe(
      { query: `subscription { emissionPulse { at } }` },
      {
        next: (r) => void results.push(r),
        error: (e) => void (sinkError = e),
        complete: () => void (completed = true),
      },
    );
    await waitFor('the first pulse', () => results.length >= 1, 20_000);
    // And an SSE stream of the same subscription.
    let sseText = '';
    const sse = await fetch(gw.url + '/graphql/stream', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: `subscription { emissionPulse { at } }` }),
    });
    const sseDone = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of sse.body as unknown as AsyncIterable<Uint8Array>)
        sseText += decoder.decode(chunk, { stream: true });
    })();
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // Both clients share one upstream; the SSE one is live once the engine counts two clients.
    const clients = async () =>
      Number(
        /^carbon_nexus_subscription_clients (\S+)$/m.exec(await (await fetch(gw.url + '/metrics')).text())?.[1] ?? 0,
      );
    await waitFor('the SSE subscription to be live', async () => (await clients()) >= 2, 20_000);

    // A CSV upload in progress: the first part sent, the rest held back until shutdown has begun.
    let closed = false;
    let closing: Promise<void> | null = null;
    const upload = new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = http.request(
        `${gw.url}/ingest/csv`,
        { method: 'POST', headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` } },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : null }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.write(HEADER + rows(0, 300));
      req.on('response', async () => {
        // The import is running: stop the gateway now.
        closing = gw.close().then(() => void (closed = true));
        await waitFor('the subscription to be closed by the server', () => closeCodes.length >= 1, 10_000);
        await sleep(500);
        expect(closed).toBe(false); // still draining: the upload is not finished
        for (let from = 300; from < 1200; from += 300) {
          req.write(rows(from, from + 300));
          await sleep(50);
        }
        req.end();
      });
    });

    const { status, body } = await upload;
    await closing;
    expect(closed).toBe(true);
    // The subscription ended with "going away", and the client saw its end (no abrupt drop).
    expect(closeCodes).toEqual([1001]);
    expect(completed || sinkError !== null).toBe(true);
    await sseDone; // the SSE response ended…
    expect(sseText.trimEnd().endsWith('event: complete\ndata:')).toBe(true); // …with a complete event
    // The import ran to its end: every row stored, once.
    expect(status).toBe(202);
    expect(body).toMatchObject({ status: 'COMPLETED', rowsTotal: 1200, rowsAccepted: 1200, rowsRejected: 0 });
    const [n] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM events_raw WHERE import_job_id = $1`, [
      body.jobId,
    ]);
    expect(n.n).toBe(1200);
    const [job] = await db.query<{ status: string }>(`SELECT status FROM import_jobs WHERE id = $1`, [body.jobId]);
    expect(job.status).toBe('completed');
    await client.dispose();
  });
});
