// Faults survived by the distributed topology, as real processes: `gateway/src/cli/distributed.ts` (what
// `npm run start:distributed` runs) supervising every subgraph and a gateway replica, on a fresh PostgreSQL database
// and Redis reached through a TCP proxy the test can cut. PostgreSQL + Redis only (CI sets both).
//   1. a subgraph child SIGKILLed: the gateway answers the others' data with SUBGRAPH_UNAVAILABLE beside it, the
//      supervisor restarts the child (JSON log line), and answers are whole again; nothing else restarts;
//   2. database backends terminated mid-transaction (detectHotspotsRange in orchestration, ingestEvents in data-core):
//      that request fails with DATABASE_UNAVAILABLE, the process lives (same pid, no restart), the next one succeeds;
//   3. Redis cut while events are published: the outbox keeps them; after the cut every event is predicted once;
//   4. the gateway replica SIGTERMed under load: every request in flight is answered, it exits 0 and is restarted.
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { signDevToken } from '@carbon-nexus/plugin-sdk';
import { startTcpProxy, targetOf, waitFor, type TcpProxy } from '@carbon-nexus/plugin-sdk/testkit';
import { freePortRange, gql, productionEnv, spawnService, type Service } from './process-helpers.ts';

const STARTUP_MS = 300_000;

interface SupervisorLine {
  name: string;
  msg: string;
  child?: string;
  childPid?: number;
  code?: number | null;
  signal?: string | null;
}

describe.runIf(process.env.DATABASE_URL && process.env.REDIS_URL)('faults survived by start:distributed', () => {
  const adminUrl = process.env.DATABASE_URL!;
  const dbName = `cn_faults_${crypto.randomBytes(5).toString('hex')}`;
  let dbUrl: string;
  let admin: pg.Client;
  let redis: TcpProxy;
  let topology: Service;
  let gateway: string;
  let gatewayPort: number;
  let analyst: string;
  let supplierId: string;

  /** pid of the live child whose command line ends with `tail` (e.g. "subgraph.ts data-quality"). */
  const childPid = (tail: string): number | null => {
    const ps = execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' });
    for (const line of ps.split('\n')) {
      const [pid, pgid] = line.trim().split(/\s+/);
      if (Number(pgid) === topology.child.pid && line.trimEnd().endsWith(tail)) return Number(pid);
    }
    return null;
  };
  const supervisorLog = (): SupervisorLine[] =>
    topology
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{') && l.includes('"supervisor"'))
      .map((l) => JSON.parse(l) as SupervisorLine);
  const exits = (child: string) => supervisorLog().filter((l) => l.child === child && /exited/.test(l.msg));

  beforeAll(async () => {
    const a = new pg.Client({ connectionString: adminUrl });
    await a.connect();
    await a.query(`CREATE DATABASE ${dbName}`);
    await a.end();
    const u = new URL(adminUrl);
    u.pathname = `/${dbName}`;
    dbUrl = u.toString();
    admin = new pg.Client({ connectionString: dbUrl });
    await admin.connect();
    redis = await startTcpProxy(targetOf(process.env.REDIS_URL!, 6379));
    gatewayPort = await freePortRange(1);
    const subgraphBase = await freePortRange(12);
    gateway = `http://127.0.0.1:${gatewayPort}/graphql`;
    topology = spawnService(
      'gateway/src/cli/distributed.ts',
      [],
      productionEnv({
        DATABASE_URL: dbUrl,
        REDIS_URL: redis.url(process.env.REDIS_URL!),
        BUS_CHANNEL_PREFIX: `faults-${dbName}`, // other suites may share this Redis
        GATEWAY_PORT: String(gatewayPort),
        GATEWAY_REPLICAS: '1',
        SUBGRAPH_BASE_PORT: String(subgraphBase),
        STARTUP_TIMEOUT_SECONDS: String(STARTUP_MS / 1000),
        SUPERVISOR_BACKOFF_MS: '300',
        LOG_LEVEL: 'warn',
      }),
      { detached: true }, // its own process group: the whole topology is stopped at the end
    );
    await topology.waitForOutput(/is running/, STARTUP_MS);
    analyst = await signDevToken({ sub: 'faults-analyst', roles: ['analyst'] });
    const created = await gql(
      gateway,
      `mutation { createSupplier(input: { name: "Faults Freight", category: TRANSPORT }) { id } }`,
      {},
      analyst,
    );
    expect(created.body.errors).toBeUndefined();
    supplierId = created.body.data.createSupplier.id;
  }, STARTUP_MS + 60_000);

  afterAll(async () => {
    const pid = topology?.child.pid;
    if (pid && topology.child.exitCode === null) {
      process.kill(-pid, 'SIGTERM');
      const done = await Promise.race([
        topology.exited.then(() => true),
        new Promise((r) => setTimeout(() => r(false), 45_000)),
      ]);
      if (!done) process.kill(-pid, 'SIGKILL');
    }
    try {
      if (pid) process.kill(-pid, 'SIGKILL'); // no straggler may survive the group
    } catch {
      /* the group is empty */
    }
    await admin?.end();
    await redis?.close();
    const a = new pg.Client({ connectionString: adminUrl });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await a.end();
  }, 90_000);

  const SUPPLIER_WITH_QUALITY = `query($id: ID!) { supplier(id: $id) { id name cadence { eventsPerHour source } hotspots { id } } }`;

  it('a subgraph SIGKILLed: partial answers meanwhile, restarted with a JSON log line, whole answers again', async () => {
    const whole = await gql(gateway, SUPPLIER_WITH_QUALITY, { id: supplierId });
    expect(whole.body.errors).toBeUndefined();
    expect(whole.body.data.supplier.cadence).not.toBeNull();
    const victim = childPid('subgraph.ts data-quality')!;
    const bystanders = ['data-core', 'orchestration', 'ml-engine'].map(
      (id) => [id, childPid(`subgraph.ts ${id}`)] as const,
    );
    process.kill(victim, 'SIGKILL');

    const partial = await waitFor(
      'a partial answer while data-quality is down',
      async () => {
        const r = await gql(gateway, SUPPLIER_WITH_QUALITY, { id: supplierId });
        return r.body.errors?.length ? r : null;
      },
      30_000,
    );
    expect(partial.status).toBe(200);
    expect(partial.body.data.supplier).toMatchObject({
      id: supplierId,
      name: 'Faults Freight',
      cadence: null,
      hotspots: [],
    });
    expect(partial.body.errors![0].extensions).toMatchObject({
      code: 'SUBGRAPH_UNAVAILABLE',
      serviceName: 'data-quality',
    });
    expect(partial.text).not.toMatch(/127\.0\.0\.1|localhost/);

    await waitFor(
      'whole answers again',
      async () => {
        const r = await gql(gateway, SUPPLIER_WITH_QUALITY, { id: supplierId });
        return !r.body.errors && r.body.data?.supplier?.cadence ? r : null;
      },
      120_000,
    );
    const restarted = childPid('subgraph.ts data-quality');
    expect(restarted).not.toBeNull();
    expect(restarted).not.toBe(victim);
    expect(exits('data-quality')).toEqual([
      expect.objectContaining({ signal: 'SIGKILL', childPid: victim, msg: expect.stringMatching(/restarting/) }),
    ]);
    for (const [id, pid] of bystanders) {
      expect(childPid(`subgraph.ts ${id}`)).toBe(pid);
      expect(exits(id)).toEqual([]);
    }
  }, 180_000);

  /** Holds an exclusive lock on `table` while `run` executes, terminates the app backend that blocks on it. */
  async function terminateMidTransaction<T>(table: string, run: () => Promise<T>): Promise<T> {
    await admin.query('BEGIN');
    await admin.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    const pending = run();
    try {
      const pids = await waitFor(
        `a transaction blocked on ${table}`,
        async () => {
          const r = await admin.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
          );
          return r.rows.length ? r.rows.map((x) => x.pid) : null;
        },
        60_000,
      );
      for (const pid of pids) await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    } finally {
      await admin.query('ROLLBACK');
    }
    return pending;
  }

  it('database backends terminated mid-transaction: that request fails clearly, the process lives, the next succeeds', async () => {
    const orchestration = childPid('subgraph.ts orchestration');
    const dataCore = childPid('subgraph.ts data-core');
    const to = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
    const from = new Date(Date.parse(to) - 3_600_000).toISOString();
    const DETECT = `mutation($from: String!, $to: String!) { detectHotspotsRange(from: $from, to: $to, windowMinutes: 60) { windows } }`;
    // detection_runs is written inside the detection transaction: holding it makes the cut land mid-transaction.
    const detect = await terminateMidTransaction('detection_runs', () => gql(gateway, DETECT, { from, to }, analyst));
    expect(detect.body.errors?.[0]).toMatchObject({
      message: 'database connection lost; retry the request',
      extensions: { code: 'DATABASE_UNAVAILABLE' },
    });
    const ev = (i: number) => ({
      externalId: `terminate-${i}`,
      supplierId,
      eventType: 'TRANSPORT',
      timestamp: new Date(Date.now() - 3_600_000 - i * 60_000).toISOString(),
      distanceKm: 100,
      loadKg: 5000,
      vehicleType: 'rigid_truck',
    });
    const INGEST = `mutation($events: [EventInput!]!) { ingestEvents(events: $events) { accepted } }`;
    const ingest = await terminateMidTransaction('events_raw', () =>
      gql(gateway, INGEST, { events: [ev(1), ev(2)] }, analyst),
    );
    expect(ingest.body.errors?.[0]).toMatchObject({
      message: 'database connection lost; retry the request',
      extensions: { code: 'DATABASE_UNAVAILABLE' },
    });

    // Same processes, nothing restarted, and the retries succeed.
    expect(childPid('subgraph.ts orchestration')).toBe(orchestration);
    expect(childPid('subgraph.ts data-core')).toBe(dataCore);
    expect([...exits('orchestration'), ...exits('data-core')]).toEqual([]);
    const again = await gql(gateway, DETECT, { from, to }, analyst);
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data.detectHotspotsRange.windows).toBe(1);
    const retried = await gql(gateway, INGEST, { events: [ev(1), ev(2)] }, analyst);
    expect(retried.body.errors).toBeUndefined();
    expect(retried.body.data.ingestEvents.accepted).toBe(2); // the terminated attempt stored nothing
  }, 180_000);

  it('Redis cut while events are published: the outbox keeps them, every event is predicted once after', async () => {
    const created = await gql(
      gateway,
      `mutation { createSupplier(input: { name: "Outage Logistics", category: TRANSPORT }) { id } }`,
      {},
      analyst,
    );
    const outageSupplier = created.body.data.createSupplier.id as string;
    redis.cut();
    const events = Array.from({ length: 30 }, (_, i) => ({
      externalId: `outage-${i}`,
      supplierId: outageSupplier,
      eventType: 'TRANSPORT',
      timestamp: new Date(Date.now() - 2 * 3_600_000 - i * 60_000).toISOString(),
      distanceKm: 50 + i,
      loadKg: 4000,
      vehicleType: 'rigid_truck',
    }));
    const r = await gql(
      gateway,
      `mutation($events: [EventInput!]!) { ingestEvents(events: $events) { accepted } }`,
      { events },
      analyst,
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.ingestEvents.accepted).toBe(30);
    // Committed with the events, not published: the relay cannot reach Redis.
    const held = await admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox_events WHERE topic = 'event.normalized' AND published_at IS NULL`,
    );
    expect(held.rows[0].n).toBeGreaterThan(0);
    redis.restore();
    const predicted = await waitFor(
      'every event predicted after the cut',
      async () => {
        const q = await admin.query<{ events: number; predictions: number }>(
          `SELECT count(DISTINCT event_id)::int AS events, count(*)::int AS predictions FROM predictions WHERE supplier_id = $1`,
          [outageSupplier],
        );
        return q.rows[0].events === 30 ? q.rows[0] : null;
      },
      120_000,
    ).catch(async (err) => {
      // What the topology said and where the events are, so a failure here can be told apart from a slow runner.
      const outbox = await admin.query(
        `SELECT topic, count(*) FILTER (WHERE published_at IS NULL)::int AS pending, count(*)::int AS total FROM outbox_events GROUP BY topic`,
      );
      const queue = await admin
        .query(`SELECT count(*)::int AS n FROM prediction_queue`)
        .catch((e) => ({ rows: [{ error: (e as Error).message }] }));
      const lines = topology
        .output()
        .split('\n')
        .filter((l) => /"level":(40|50)|bus|catch|outbox/.test(l))
        .slice(-40);
      throw new Error(
        `${(err as Error).message}\noutbox: ${JSON.stringify(outbox.rows)}\nqueue: ${JSON.stringify(queue.rows)}\n${lines.join('\n')}`,
      );
    });
    expect(predicted.predictions).toBe(30); // once each
    const left = await admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox_events WHERE published_at IS NULL`,
    );
    expect(left.rows[0].n).toBe(0);
  }, 180_000);

  it('the gateway SIGTERMed under load: every request in flight is answered, it exits 0 and comes back', async () => {
    const pid = childPid('gateway.ts')!;
    const QUERY = `query($id: ID!) { suppliers(first: 50) { totalCount nodes { id name hotspots { id } cadence { eventsPerHour } } } supplier(id: $id) { predictions(first: 20) { id co2eKg } } }`;
    let stop = false;
    let sent = 0;
    const failures: string[] = [];
    const worker = async () => {
      while (!stop) {
        sent++;
        try {
          const r = await gql(gateway, QUERY, { id: supplierId });
          if (r.status !== 200 || r.body.errors) failures.push(`${r.status} ${r.text.slice(0, 300)}`);
        } catch (err) {
          failures.push(String((err as Error).cause ?? err));
        }
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await waitFor('load running', () => sent >= 40, 60_000);
    stop = true; // no request is started after the signal: every one counted was in flight or done
    process.kill(pid, 'SIGTERM');
    await Promise.all(workers);
    expect(failures).toEqual([]);
    const exit = await waitFor('the gateway exit logged', () => exits('gateway-0')[0], 60_000);
    expect(exit).toMatchObject({ code: 0, signal: null, childPid: pid });
    await waitFor(
      'the gateway back',
      async () => (await fetch(gateway.replace('/graphql', '/readyz')).catch(() => null))?.status === 200,
      120_000,
    );
    expect(childPid('gateway.ts')).not.toBe(pid);
  }, 240_000);
});
