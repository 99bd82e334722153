// The distributed topology end to end: `gateway/src/cli/distributed.ts` (what `npm run start:distributed` runs)
// as a child process against a fresh PostgreSQL database and Redis — every subgraph its own process, two gateway
// replicas — then a query, a mutation and a subscription through EACH replica.
import crypto from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { signDevToken } from '@carbon-nexus/plugin-sdk';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const STARTUP_MS = 300_000;

/** `count` consecutive ports, all free on 127.0.0.1, starting at a random high port. */
async function freePortRange(count: number): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = net.createServer().once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    let ok = true;
    for (let p = base; p < base + count && ok; p++) ok = await free(p);
    if (ok) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

async function gql(url: string, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: { message: string }[] } };
}

/** Collects a graphql-ws subscription's results; `until` waits for a condition on them. */
function subscribe(client: Client, query: string) {
  const results: any[] = [];
  let error: unknown;
  const waiters = new Set<() => void>();
  const dispose = client.subscribe(
    { query },
    {
      next: (r) => {
        results.push(r);
        waiters.forEach((w) => w());
      },
      error: (e) => {
        error = e;
        waiters.forEach((w) => w());
      },
      complete: () => undefined,
    },
  );
  return {
    results,
    dispose,
    until(cond: () => boolean, ms: number, what: string) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (error) return done(reject, new Error(`${what}: subscription failed: ${JSON.stringify(error)}`));
          if (cond()) return done(resolve);
        };
        const timer = setTimeout(
          () => done(reject, new Error(`${what}: not seen in ${ms} ms; got ${JSON.stringify(results)}`)),
          ms,
        );
        const done = (f: (v?: any) => void, v?: unknown) => {
          clearTimeout(timer);
          waiters.delete(check);
          f(v);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

const SUPPLIERS = /* GraphQL */ `
  query Suppliers($search: String) {
    suppliers(first: 10, search: $search) {
      totalCount
      nodes { id name category hotspots { id } }
    }
  }
`;
const CREATE_SUPPLIER = /* GraphQL */ `
  mutation Create($input: SupplierInput!) { createSupplier(input: $input) { id name category } }
`;
const INGEST = /* GraphQL */ `
  mutation Ingest($events: [EventInput!]!) { ingestEvents(events: $events) { accepted rejected results { status errors { field reason } } } }
`;
const PULSE = /* GraphQL */ `subscription { emissionPulse { at kgPerHour trend } }`;

describe.runIf(process.env.DATABASE_URL && process.env.REDIS_URL)('distributed topology (start:distributed)', () => {
  const adminUrl = process.env.DATABASE_URL!;
  const dbName = `cn_dist_${crypto.randomBytes(5).toString('hex')}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';
  let gatewayUrls: string[] = [];
  let subgraphPorts: number[] = [];
  let analyst: string;
  let viewer: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const dbUrl = new URL(adminUrl);
    dbUrl.pathname = `/${dbName}`;

    const gatewayPort = await freePortRange(2);
    const subgraphBase = await freePortRange(12);
    gatewayUrls = [0, 1].map((r) => `http://127.0.0.1:${gatewayPort + r}/graphql`);
    // The dev JWT secret (tokens below are signed with it) and the Redis bus, whatever the outer shell has set.
    const { BUS_URL: _bus, JWT_SECRET: _secret, JWT_JWKS_URL: _jwks, ...inherited } = process.env;
    const env = {
      ...inherited,
      DATABASE_URL: dbUrl.toString(),
      REDIS_URL: process.env.REDIS_URL!,
      BUS_CHANNEL_PREFIX: dbName, // other suites share this Redis
      GATEWAY_PORT: String(gatewayPort),
      GATEWAY_REPLICAS: '2',
      SUBGRAPH_BASE_PORT: String(subgraphBase),
      STARTUP_TIMEOUT_SECONDS: String(STARTUP_MS / 1000),
      LOG_LEVEL: 'warn',
    };
    // detached: the topology gets its own process group, so the whole group can be stopped at the end.
    child = spawn(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'gateway/src/cli/distributed.ts')], {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    child.stdout!.on('data', (d) => (output += String(d)));
    child.stderr!.on('data', (d) => (output += String(d)));
    exited = new Promise((r) => child!.once('exit', () => r()));

    // Ready when the topology says so (every subgraph and both replicas answered /readyz) — or it died.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`not running after ${STARTUP_MS / 1000} s:\n${output.slice(-3000)}`)),
        STARTUP_MS,
      );
      const onData = () => {
        if (output.includes('is running')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child!.stdout!.on('data', onData);
      child!.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`distributed.ts exited with ${code}:\n${output.slice(-3000)}`));
      });
    });
    subgraphPorts = [...output.matchAll(/[a-z-]+:(\d+)/g)]
      .map((m) => Number(m[1]))
      .filter((p) => p >= subgraphBase && p < subgraphBase + 12);
    analyst = await signDevToken({ sub: 'dist-analyst', roles: ['analyst'] });
    viewer = await signDevToken({ sub: 'dist-viewer', roles: ['viewer'] });
  }, STARTUP_MS + 30_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    if (child?.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM'); // the whole group: distributed.ts and every service it started
      } catch {
        /* already gone */
      }
      const killed = await Promise.race([
        exited.then(() => true),
        new Promise((r) => setTimeout(() => r(false), 15_000)),
      ]);
      if (!killed) process.kill(-child.pid, 'SIGKILL');
      await exited;
    }
    // No straggler may survive the group: SIGKILL any that ignored SIGTERM.
    if (child?.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* group empty: good */
      }
    }
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }, 60_000);

  it('runs every subgraph as its own process and two gateway replicas, each ready with health checks', async () => {
    expect(subgraphPorts.length).toBeGreaterThanOrEqual(5);
    for (const port of subgraphPorts) {
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      const info = (await health.json()) as { plugin: string };
      expect(typeof info.plugin).toBe('string');
    }
    const served = await Promise.all(
      subgraphPorts.map(async (p) => ((await (await fetch(`http://127.0.0.1:${p}/healthz`)).json()) as any).plugin),
    );
    expect(served).toEqual(
      expect.arrayContaining(['data-core', 'ml-engine', 'orchestration', 'recommendations', 'data-quality']),
    );
    for (const url of gatewayUrls) {
      const ready = await fetch(url.replace('/graphql', '/readyz'));
      expect(ready.status).toBe(200);
      const health = (await (await fetch(url.replace('/graphql', '/healthz'))).json()) as {
        service: string;
        subgraphs: string[];
      };
      expect(health.service).toBe('gateway');
      expect(health.subgraphs).toEqual(expect.arrayContaining(['data-core', 'orchestration', 'ml-engine']));
    }
  });

  it('a mutation through each replica is visible to a query through the other (one database behind both)', async () => {
    const created: string[] = [];
    for (const [i, url] of gatewayUrls.entries()) {
      const r = await gql(
        url,
        CREATE_SUPPLIER,
        { input: { name: `Distributed Freight ${i}`, category: 'TRANSPORT' } },
        analyst,
      );
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.createSupplier).toMatchObject({ name: `Distributed Freight ${i}`, category: 'TRANSPORT' });
      created.push(r.body.data.createSupplier.id);
    }
    for (const url of gatewayUrls) {
      // suppliers (data-core) joined with hotspots (orchestration, another process) through the entity key.
      const r = await gql(url, SUPPLIERS, { search: 'Distributed Freight' }, viewer);
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.suppliers.totalCount).toBe(2);
      expect(r.body.data.suppliers.nodes.map((n: any) => n.id).sort()).toEqual([...created].sort());
      for (const n of r.body.data.suppliers.nodes) expect(n.hotspots).toEqual([]);
    }
  });

  it('a viewer cannot mutate through either replica: claims reach the subgraph process', async () => {
    for (const url of gatewayUrls) {
      const r = await gql(url, CREATE_SUPPLIER, { input: { name: 'Not allowed' } }, viewer);
      expect(r.body.data ?? null).toBeNull();
      expect(r.body.errors?.[0].message).toContain('needs one of the roles: analyst');
    }
  });

  it('a subscription through each replica delivers a live event caused by a mutation through the other replica', async () => {
    const supplier = await gql(
      gatewayUrls[0],
      CREATE_SUPPLIER,
      { input: { name: 'Pulse Logistics', category: 'TRANSPORT' } },
      analyst,
    );
    expect(supplier.body.errors).toBeUndefined();
    const supplierId = supplier.body.data.createSupplier.id as string;
    let lastKg = 0;
    for (const [i, url] of gatewayUrls.entries()) {
      const client = createClient({
        url: url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${viewer}` },
        retryAttempts: 0,
      });
      clients.push(client);
      const sub = subscribe(client, PULSE);
      // The subscription first emits the current pulse: this replica's subscription path is live end to end.
      await sub.until(() => sub.results.length >= 1, 30_000, `initial pulse via replica ${i}`);
      expect(sub.results[0].errors).toBeUndefined();
      expect(sub.results[0].data.emissionPulse.kgPerHour).toBeCloseTo(lastKg, 6);

      // An event ingested through the OTHER replica: data-core publishes on the Redis bus, the subscription fires.
      const other = gatewayUrls[1 - i];
      const ingest = await gql(
        other,
        INGEST,
        {
          events: [
            {
              supplierId,
              eventType: 'TRANSPORT',
              externalId: `dist-${i}`,
              timestamp: new Date(Date.now() - 60_000).toISOString(),
              distanceKm: 120,
              loadKg: 8000,
              vehicleType: 'rigid_truck',
              fuelType: 'diesel',
            },
          ],
        },
        analyst,
      );
      expect(ingest.body.errors).toBeUndefined();
      expect(ingest.body.data.ingestEvents).toMatchObject({ accepted: 1, rejected: 0 });
      // Other users of the same Redis may publish pulses too: wait for the one that reflects our event.
      await sub.until(
        () => sub.results.some((r) => r.data?.emissionPulse.kgPerHour > lastKg),
        30_000,
        `pulse after ingest via replica ${i}`,
      );
      const live = sub.results.find((r) => r.data?.emissionPulse.kgPerHour > lastKg);
      expect(live.errors).toBeUndefined();
      expect(live.data.emissionPulse.trend).toBe('UP');
      lastKg = live.data.emissionPulse.kgPerHour;
      sub.dispose();
    }
    expect(lastKg).toBeGreaterThan(0);
  });
});
