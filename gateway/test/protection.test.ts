import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import crypto from 'node:crypto';
import type { GatewayServer } from '@carbon-nexus/gateway';
import { startTestPlatform, type TestPlatform } from '@carbon-nexus/gateway/testkit';

describe('gateway protection', () => {
  let platform: TestPlatform;
  let gw: GatewayServer;
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    platform = await startTestPlatform({
      env: {
        GRAPHQL_MAX_DEPTH: '4',
        GRAPHQL_MAX_COST: '500',
        RATE_LIMIT_PER_MINUTE: '40',
        CORS_ORIGINS: 'https://dashboard.example.com',
        GRAPHQL_BODY_LIMIT: '20000',
        GRAPHQL_INTROSPECTION: 'false',
      },
    });
    gw = platform.gateway;
  });
  afterAll(() => platform?.close());

  it('rejects a query deeper than the limit, naming depth and limit', async () => {
    const r = await (await post({ query: '{ suppliers { nodes { hotspots { supplier { name } } } } }' })).json();
    expect(r.errors[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_DEEP', depth: 5, maxDepth: 4 } });
    expect(r.errors[0].message).toMatch(/query depth 5 exceeds the limit of 4/);
  });

  it('rejects a query whose list sizes multiply past the cost limit', async () => {
    const ok = await (await post({ query: '{ suppliers(first: 5) { nodes { name } } }' })).json();
    expect(ok.errors).toBeUndefined();
    const r = await (
      await post({ query: '{ suppliers(first: 200) { nodes { name predictions(first: 50) { co2eKg } } } }' })
    ).json();
    expect(r.errors[0].extensions.code).toBe('QUERY_TOO_COSTLY');
    expect(r.errors[0].message).toMatch(/query cost \d+ exceeds the limit of 500/);
  });

  it('supports automatic persisted queries', async () => {
    const query = '{ suppliers(first: 1) { totalCount } }';
    const sha256Hash = crypto.createHash('sha256').update(query).digest('hex');
    const ext = { persistedQuery: { version: 1, sha256Hash } };
    const miss = await (await post({ extensions: ext })).json();
    expect(miss.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await (await post({ query, extensions: ext })).json()).data).toBeDefined();
    expect((await (await post({ extensions: ext })).json()).data.suppliers.totalCount).toBe(0);
  });

  it('blocks CSRF-able GET requests and allows configured CORS origins only', async () => {
    const csrf = await fetch(`${gw.url}/graphql?query=${encodeURIComponent('{ suppliers { totalCount } }')}`);
    expect(csrf.status).toBe(400);
    expect(await csrf.text()).toMatch(/CSRF/);
    const pre = await fetch(`${gw.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://dashboard.example.com', 'access-control-request-method': 'POST' },
    });
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://dashboard.example.com');
    const evil = await fetch(`${gw.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('limits request size and can switch introspection off', async () => {
    const big = await post({ query: `{ suppliers(search: "${'x'.repeat(30000)}") { totalCount } }` });
    expect(big.status).toBe(413);
    const intro = await (await post({ query: '{ __schema { queryType { name } } }' })).json();
    expect(intro.errors[0].message).toMatch(/introspection/i);
  });

  it('rate-limits per token with a Retry-After, separately for each caller', async () => {
    const alice = await platform.token('viewer', { sub: 'alice-rl' });
    const bob = await platform.token('viewer', { sub: 'bob-rl' });
    let limited: Response | null = null;
    for (let i = 0; i < 60 && !limited; i++) {
      const r = await post({ query: '{ suppliers(first: 1) { totalCount } }' }, { authorization: `Bearer ${alice}` });
      if (r.status === 429) limited = r;
    }
    expect(limited, 'alice was never limited').not.toBeNull();
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await limited!.json()).errors[0].extensions.code).toBe('RATE_LIMITED');
    const b = await post({ query: '{ suppliers(first: 1) { totalCount } }' }, { authorization: `Bearer ${bob}` });
    expect(b.status).toBe(200);
  });
});
