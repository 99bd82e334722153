// Fault: the database restarts under a running gateway. PostgreSQL only (a restart is a server-side event; the
// embedded PGlite lives inside the process and cannot restart alone — CI always sets DATABASE_URL, so this runs there).
// Two ways: (1) every backend of the app is terminated (what a restart does to open connections); (2) a TCP proxy
// between the app and PostgreSQL is cut (the server unreachable for a while) and restored. Requests during the cut
// get GraphQL errors (HTTP 200/503 on /readyz, no crash); requests after it succeed on fresh connections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createDatabase, createTestDatabase, type Database } from '@carbon-nexus/db';
import { signDevToken, startTcpProxy, targetOf, waitFor, type TcpProxy } from '@carbon-nexus/plugin-sdk/testkit';
import dataCore from '@carbon-nexus/data-core';
import { startGateway, type GatewayServer } from '../src/index.ts';

async function gql(url: string, query: string, token: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(url + '/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: { message: string }[] } };
}

const CREATE = `mutation($name: String!) { createSupplier(input: { name: $name, category: TRANSPORT }) { id name } }`;
const COUNT = `{ suppliers(first: 50, search: "Restart") { totalCount nodes { name } } }`;

describe.runIf(process.env.DATABASE_URL)('fault: PostgreSQL restarts under the gateway', () => {
  let owner: Database; // created, migrated and finally dropped by the test kit
  let app: Database; // what the gateway uses: through the proxy
  let proxy: TcpProxy;
  let gw: GatewayServer;
  let token: string;
  let dbUrl: string;

  beforeAll(async () => {
    owner = await createTestDatabase('postgres');
    dbUrl = owner.location; // trust auth in tests: no password to mask
    proxy = await startTcpProxy(targetOf(dbUrl, 5432));
    app = await createDatabase({ url: proxy.url(dbUrl), poolSize: 4 });
    const env = { ...process.env, REDIS_URL: undefined, BUS_URL: undefined };
    gw = await startGateway({
      plugins: [dataCore],
      port: 0,
      serveWeb: false,
      env,
      host: { db: app, migrate: false, scheduler: false },
    });
    token = await signDevToken({ sub: 'restart-analyst', roles: ['analyst'] });
    const r = await gql(gw.url, CREATE, token, { name: 'Restart Freight 0' });
    expect(r.body.errors).toBeUndefined();
  }, 120_000);

  afterAll(async () => {
    await gw?.close();
    await app?.close();
    await proxy?.close();
    await owner?.close();
  });

  it('requests after every app connection was terminated succeed (the pool reconnects)', async () => {
    // Warm the pool so several connections are open, then kill them all from the server side.
    await Promise.all([1, 2, 3].map(() => gql(gw.url, COUNT, token)));
    const admin = new pg.Client({ connectionString: dbUrl });
    await admin.connect();
    const killed = await admin.query(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    await admin.end();
    expect(killed.rows.length).toBeGreaterThanOrEqual(1);
    // At once, no waiting: each request must succeed on a fresh connection.
    for (let i = 1; i <= 3; i++) {
      const w = await gql(gw.url, CREATE, token, { name: `Restart Freight ${i}` });
      expect(w.body.errors).toBeUndefined();
      const r = await gql(gw.url, COUNT, token);
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.suppliers.totalCount).toBe(1 + i);
    }
  });

  it('while PostgreSQL is unreachable requests fail cleanly and /readyz says so; afterwards everything works again', async () => {
    proxy.cut();
    const during = await gql(gw.url, COUNT, token);
    expect(during.status).toBeLessThan(500);
    expect(during.body.errors?.length).toBeGreaterThanOrEqual(1);
    const ready = await fetch(gw.url + '/readyz');
    expect(ready.status).toBe(503);
    expect((await fetch(gw.url + '/healthz')).status).toBe(200); // the process is alive, only not ready

    proxy.restore();
    await waitFor(
      '/readyz after the database returned',
      async () => (await fetch(gw.url + '/readyz')).status === 200,
      30_000,
    );
    const w = await gql(gw.url, CREATE, token, { name: 'Restart Freight after cut' });
    expect(w.body.errors).toBeUndefined();
    const r = await gql(gw.url, COUNT, token);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.suppliers.totalCount).toBe(5);
  });
});
