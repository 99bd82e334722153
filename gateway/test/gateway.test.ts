import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { loadPlatformConfig, signDevToken, startSubgraph, type AnyPlugin } from '@carbon-nexus/plugin-sdk';
import { createTestDatabase, testDatabaseTargets } from '@carbon-nexus/plugin-sdk/testkit';
import { startGateway, composePlugins, type GatewayServer } from '@carbon-nexus/gateway';
import { startTestPlatform, type TestPlatform } from '@carbon-nexus/gateway/testkit';
import { detectionWindows, gqlAt, raiseHotspot } from './hotspots.fixtures.ts';

async function gql(url: string, query: string, variables?: Record<string, unknown>, token?: string) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

describe.each(testDatabaseTargets())('embedded gateway on %s', (target) => {
  let platform: TestPlatform;
  let gw: GatewayServer;
  let analyst: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ target, gateway: { serveWeb: true } });
    gw = platform.gateway;
    analyst = await platform.token('analyst', { sub: 'ana' });
  });
  afterAll(() => platform?.close());

  it('answers a query whose fields come from two subgraphs joined through the Supplier entity', async () => {
    const created = await gql(
      gw.url,
      'mutation($n: String!) { createSupplier(input: { name: $n }) { id } }',
      { n: 'Northwind Freight' },
      analyst,
    );
    expect(created.body.errors).toBeUndefined();
    const id = created.body.data.createSupplier.id;
    // Orchestration owns hotspots (raised by its detection); this supplier's comes back joined with data-core's name.
    await raiseHotspot(gqlAt(gw.url, analyst), { supplierId: id, percent: 166.7, windows: detectionWindows() });
    const r = await gql(
      gw.url,
      '{ hotspots { nodes { severity percentAbove supplier { id name } } } suppliers { nodes { name hotspots { severity } } } }',
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.hotspots.nodes).toEqual([
      { severity: 'CRITICAL', percentAbove: 166.7, supplier: { id, name: 'Northwind Freight' } },
    ]);
    expect(r.body.data.suppliers.nodes).toContainEqual({
      name: 'Northwind Freight',
      hotspots: [{ severity: 'CRITICAL' }],
    });
  });

  it('verifies bearer tokens: mutations need a role, a bad token is 401 with a reason', async () => {
    const anon = await gql(gw.url, 'mutation { createSupplier(input: { name: "X" }) { id } }');
    expect(anon.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const bad = await gql(gw.url, '{ suppliers { totalCount } }', undefined, 'not-a-jwt');
    expect(bad.status).toBe(401);
    expect(bad.body.errors[0].message).toMatch(/invalid token/);
    const viewer = await signDevToken({ roles: ['viewer'] });
    const forbidden = await gql(gw.url, 'mutation { createSupplier(input: { name: "X" }) { id } }', undefined, viewer);
    expect(forbidden.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('echoes and propagates the correlation id', async () => {
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'corr-gw-1' },
      body: JSON.stringify({ query: '{ suppliers { totalCount } }' }),
    });
    expect(res.headers.get('x-correlation-id')).toBe('corr-gw-1');
  });

  it('serves health, readiness, metrics and the bundled explorer', async () => {
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    await gql(gw.url, '{ suppliers { totalCount } }'); // at least one operation to measure
    const ready = await (await fetch(`${gw.url}/readyz`)).json();
    expect(ready).toMatchObject({ status: 'ready', checks: { database: true, 'data-core': true } });
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/carbon_nexus_graphql_operation_seconds_bucket/);
    expect(metrics).toMatch(/carbon_nexus_subgraph_fetch_seconds_bucket\{[^}]*subgraph="data-core"/);
    const explorer = await fetch(`${gw.url}/graphql`, { headers: { accept: 'text/html' } });
    const html = await explorer.text();
    expect(explorer.status).toBe(200);
    // GraphiQL is bundled locally: the page loads only same-origin scripts.
    expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/explorer-[^"]+\.js">/);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });

  it('issues dev tokens only for known roles', async () => {
    const ok = await fetch(`${gw.url}/auth/dev-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"role":"approver"}',
    });
    expect((await ok.json()).role).toBe('approver');
    const bad = await fetch(`${gw.url}/auth/dev-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"role":"root"}',
    });
    expect(bad.status).toBe(400);
  });
});

describe('gateway over remote subgraphs', () => {
  it('joins entities across two subgraphs running as their own HTTP servers', async () => {
    const { plugins } = await loadPlatformConfig();
    const pick = (id: string) => plugins.find((p) => p.id === id) as AnyPlugin;
    const db = await createTestDatabase();
    const core = await startSubgraph(pick('data-core'), { db, port: 0, scheduler: false, migrate: false });
    const ml = await startSubgraph(pick('ml-engine'), {
      db,
      port: 0,
      scheduler: false,
      migrate: false,
      remote: { 'data-core': core.url },
    });
    const orch = await startSubgraph(pick('orchestration'), {
      db,
      port: 0,
      scheduler: false,
      migrate: false,
      remote: { 'data-core': core.url, 'ml-engine': ml.url },
    });
    const gw = await startGateway({
      subgraphUrls: { 'data-core': core.url, orchestration: orch.url, 'ml-engine': ml.url },
      supergraphSdl: composePlugins([pick('data-core'), pick('orchestration'), pick('ml-engine')]).supergraphSdl,
      port: 0,
      serveWeb: false,
    });
    try {
      const token = await signDevToken({ roles: ['analyst'] });
      const c = await gql(
        gw.url,
        'mutation { createSupplier(input: { name: "Remote Haulage" }) { id } }',
        undefined,
        token,
      );
      const id = c.body.data.createSupplier.id;
      // An INFO hotspot from orchestration's detection, served by its own HTTP server.
      await raiseHotspot(gqlAt(gw.url, token), { supplierId: id, percent: 90, windows: detectionWindows() });
      const r = await gql(gw.url, '{ hotspots { nodes { severity supplier { name } } } }', undefined, token);
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.hotspots.nodes).toEqual([{ severity: 'INFO', supplier: { name: 'Remote Haulage' } }]);
    } finally {
      await gw.close();
      await orch.close();
      await ml.close();
      await core.close();
      await db.close();
    }
  });
});

describe('explorer', () => {
  it("the explorer's example query is valid against the composed API schema", async () => {
    const fs = await import('node:fs');
    const { buildSchema, parse, validate } = await import('graphql');
    const src = fs.readFileSync(new URL('../../web/src/explorer/main.tsx', import.meta.url), 'utf8');
    const query = /const defaultQuery = `([\s\S]*?)`;/.exec(src)![1];
    const schema = buildSchema(fs.readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));
    expect(validate(schema, parse(query)).map((e) => e.message)).toEqual([]);
  });
});
