// Trusted documents: with TRUSTED_DOCUMENTS=enforce the gateway runs only the documents in its manifest — by id
// (persisted-documents / APQ protocol, POST and GET), by their text, or by REST path — over HTTP, graphql-ws and SSE,
// and refuses anything else with PERSISTED_QUERY_NOT_IN_LIST before executing it. In the open mode APQ keeps
// working; `log` runs everything and counts what is outside the manifest.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { Database } from '@carbon-nexus/db';
import dataCore from '@carbon-nexus/data-core';
import { startTestPlatform, type TestPlatform } from '@carbon-nexus/gateway/testkit';
import { readManifestFile, dashboardManifestPath } from '../src/rest/trusted-documents.ts';
import { op } from './rest.fixtures.ts';

const ARBITRARY = '{ suppliers(first: 1) { totalCount } }';
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/** A gateway to call: its URL (a TestPlatform or a GatewayServer). */
type Served = { url: string };

async function post(gw: Served, body: unknown, token?: string) {
  const res = await fetch(gw.url + '/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] },
  };
}

const counter = async (gw: Served, outcome: string) =>
  Number(
    new RegExp(`^carbon_nexus_trusted_documents_total\\{outcome="${outcome}"\\} (\\S+)$`, 'm').exec(
      await (await fetch(gw.url + '/metrics')).text(),
    )?.[1] ?? 0,
  );

/** One graphql-ws operation: its first result, or the error it was refused with. */
function wsOnce(
  gw: Served,
  payload: { query: string; extensions?: Record<string, unknown> },
): Promise<{ data?: any; errors?: readonly { message: string }[] }> {
  const client = createClient({
    url: gw.url.replace('http', 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });
  return new Promise((resolve) => {
    const dispose = client.subscribe(payload as any, {
      next: (r) => {
        dispose();
        void client.dispose();
        resolve(r as any);
      },
      error: (e) => {
        void client.dispose();
        resolve({ errors: Array.isArray(e) ? e : [{ message: String((e as Error).message ?? e) }] });
      },
      complete: () => undefined,
    });
  });
}

/** data-core behind a gateway in TRUSTED_DOCUMENTS `mode`, on `db` (a fresh database when none is given). */
async function start(db: Database | undefined, mode: string, more: Record<string, string> = {}): Promise<TestPlatform> {
  const env = { DATABASE_URL: undefined, REDIS_URL: undefined, BUS_URL: undefined, TRUSTED_DOCUMENTS: mode, ...more };
  return startTestPlatform({ plugins: [dataCore], db, env });
}

describe('trusted documents', () => {
  let db: Database;
  let enforce: TestPlatform;
  let open: TestPlatform;
  let analyst: string;
  const suppliers = op('Suppliers');

  beforeAll(async () => {
    enforce = await start(undefined, 'enforce');
    db = enforce.db;
    open = await start(db, 'off');
    enforce.defer(() => open.close());
    analyst = await enforce.token('analyst', { sub: 'trusted-analyst' });
  }, 120_000);

  afterAll(() => enforce?.close());

  it('enforce: an arbitrary document is refused over HTTP POST and GET, with a clear error', async () => {
    const before = await counter(enforce, 'refused');
    const r = await post(enforce, { query: ARBITRARY });
    expect(r.status).toBe(400);
    expect(r.body.errors![0].extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(r.body.errors![0].message).toMatch(/trusted documents only.*manifest/);
    expect(r.body.data).toBeUndefined();
    const g = await fetch(`${enforce.url}/graphql?query=${encodeURIComponent(ARBITRARY)}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(g.status).toBe(400);
    expect(((await g.json()) as any).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    // A mutation outside the manifest never runs: nothing was created.
    const m = await post(
      enforce,
      { query: 'mutation { createSupplier(input: { name: "Sneaky", category: TRANSPORT }) { id } }' },
      analyst,
    );
    expect(m.status).toBe(400);
    const list = await post(enforce, { query: suppliers.document, variables: { search: 'Sneaky' } });
    expect(list.body.data.suppliers.totalCount).toBe(0);
    // An id that is not in the manifest is refused too (no APQ registration in this mode).
    const unknownId = await post(enforce, {
      query: ARBITRARY,
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256(ARBITRARY) } },
    });
    expect(unknownId.body.errors![0].extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(await counter(enforce, 'refused')).toBe(before + 4);
  });

  it('enforce: manifest documents run by id (POST, GET), by their text, in any formatting, and by REST path', async () => {
    const byId = await post(enforce, {
      extensions: { persistedQuery: { version: 1, sha256Hash: suppliers.hash } },
      variables: { first: 1 },
    });
    expect(byId.status).toBe(200);
    expect(byId.body.data.suppliers).toHaveProperty('totalCount');
    const ext = encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: suppliers.hash } }));
    const get = await fetch(`${enforce.url}/graphql?extensions=${ext}&variables=${encodeURIComponent('{"first":1}')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(200);
    expect(((await get.json()) as any).data.suppliers).toHaveProperty('nodes');
    const byText = await post(enforce, { query: suppliers.document, variables: { first: 1 } });
    expect(byText.body.errors).toBeUndefined();
    const reformatted = suppliers.document.replace(/ \{ /g, ' {\n    ').replace(/ \} /g, '\n  }\n');
    expect(reformatted).not.toBe(suppliers.document);
    expect((await post(enforce, { query: reformatted, variables: { first: 1 } })).body.errors).toBeUndefined();
    const viaRest = await fetch(`${enforce.url}/api/v1/suppliers?first=1`);
    expect(viaRest.status).toBe(200);
    expect(((await viaRest.json()) as any).totalCount).toBeTypeOf('number');
  });

  it("enforce: graphql-ws and SSE refuse arbitrary documents and run the dashboard's", async () => {
    const refused = await wsOnce(enforce, { query: 'subscription { emissionPulse { kgPerHour } }' });
    expect(refused.errors?.[0].message).toMatch(/trusted documents only/);
    // The dashboard's live pulse, exactly as the dashboard sends it (text), and by its id.
    const dashboard = readManifestFile(dashboardManifestPath);
    const [pulseId, pulse] = [...dashboard].find(([, d]) => d.startsWith('query Pulse '))!;
    const byText = await wsOnce(enforce, { query: pulse });
    expect(byText.errors).toBeUndefined();
    expect(byText.data.emissionPulse).toHaveProperty('kgPerHour');
    const byId = await wsOnce(enforce, {
      query: '',
      extensions: { persistedQuery: { version: 1, sha256Hash: pulseId } },
    });
    expect(byId.data.emissionPulse).toHaveProperty('trend');
    const sse = await fetch(`${enforce.url}/graphql/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: ARBITRARY }),
    });
    expect(sse.status).toBe(400);
    expect(((await sse.json()) as any).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });

  it('enforce: REST endpoints whose subgraph is not composed here answer 404 naming the reason', async () => {
    const r = await fetch(`${enforce.url}/api/v1/hotspots`);
    expect(r.status).toBe(404);
    const body = (await r.json()) as any;
    expect(body.detail).toMatch(/Hotspots is not served by this deployment: .*hotspots/);
    const spec = (await (await fetch(`${enforce.url}/api/v1/openapi.json`)).json()) as any;
    expect(spec.paths['/api/v1/hotspots']).toBeUndefined();
    expect(spec.paths['/api/v1/suppliers'].get).toBeDefined();
  });

  it('open mode: arbitrary documents run, automatic persisted queries register and replay, manifest ids need no registration', async () => {
    expect((await post(open, { query: ARBITRARY })).body.errors).toBeUndefined();
    const q = '{ suppliers(first: 2) { nodes { id } } }';
    const ext = { persistedQuery: { version: 1, sha256Hash: sha256(q) } };
    const miss = await post(open, { extensions: ext });
    expect(miss.body.errors![0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await post(open, { query: q, extensions: ext })).body.errors).toBeUndefined();
    const hit = await post(open, { extensions: ext });
    expect(hit.body.errors).toBeUndefined();
    expect(hit.body.data.suppliers).toHaveProperty('nodes');
    const manifest = await post(open, { extensions: { persistedQuery: { version: 1, sha256Hash: suppliers.hash } } });
    expect(manifest.body.data.suppliers).toHaveProperty('totalCount');
    // A client built against another manifest: its id is unknown and is not the hash of the text it sends.
    const stale = await post(open, {
      query: q,
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256('query Other { x }') } },
    });
    expect(stale.body.errors).toBeUndefined();
    expect(stale.body.data.suppliers).toHaveProperty('nodes');
  });

  it('log mode runs everything and counts what is outside the manifest; a bad mode stops the start naming the setting', async () => {
    const logging = await start(db, 'log');
    try {
      expect((await post(logging, { query: ARBITRARY })).body.errors).toBeUndefined();
      expect((await post(logging, { query: suppliers.document })).body.errors).toBeUndefined();
      expect(await counter(logging, 'unlisted')).toBe(1);
      expect(await counter(logging, 'manifest')).toBe(1);
    } finally {
      await logging.close();
    }
    await expect(start(db, 'strict')).rejects.toThrow(/TRUSTED_DOCUMENTS must be one of off, log, enforce/);
  });

  it("enforce with a partner application's manifest (Apollo persisted query list): its documents run too", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-'));
    const file = path.join(dir, 'partner-app.json');
    // Its ids hash the text exactly as the application sends it (not our normalized print).
    const text = 'query Count {\n  suppliers(first: 1) {\n    totalCount\n  }\n}';
    fs.writeFileSync(
      file,
      JSON.stringify({
        format: 'apollo-persisted-query-manifest',
        version: 1,
        operations: [{ id: sha256(text), name: 'Count', type: 'query', body: text }],
      }),
    );
    const startWith = (manifests: string) => start(db, 'enforce', { TRUSTED_DOCUMENTS_MANIFESTS: manifests });
    const gw = await startWith(file);
    try {
      expect((await post(gw, { query: text })).body.errors).toBeUndefined();
      expect(
        (await post(gw, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(text) } } })).body.data
          .suppliers,
      ).toHaveProperty('totalCount');
      expect((await post(gw, { query: '{ suppliers(first: 2) { totalCount } }' })).status).toBe(400);
    } finally {
      await gw.close();
    }
    await expect(startWith(path.join(dir, 'missing.json'))).rejects.toThrow(/manifest .*missing\.json not found/);
  });
});
