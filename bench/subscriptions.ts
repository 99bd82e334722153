// Federated subscriptions: 1,000 concurrent graphql-ws subscribers through the gateway vs the same
// 1,000 subscribing directly to the owning subgraph (standalone, graphql-ws), in one run.
// Latency = from the alert's publish (row committed + bus signal) to the client's message; events/s =
// messages delivered per second across all clients. Bounded: a fixed number of events per phase.
//   npx tsx bench/subscriptions.ts [--clients 1000] [--events 40] [--interval 25]
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createTestDatabase } from '@carbon-nexus/db';
import { createLogger, startSubgraph, signDevToken } from '@carbon-nexus/plugin-sdk';
import { startGateway } from '../gateway/src/index.ts';
import { S1, S2, tcAlerts, tcSuppliers } from '../gateway/test/subscriptions.fixtures.ts';
import { recordBenchmark } from './lib/record.ts';
import { alertRaised } from '@carbon-nexus/orchestration/client';

const arg = (f: string, d: number) =>
  process.argv.includes(f) ? Number(process.argv[process.argv.indexOf(f) + 1]) : d;
const CLIENTS = arg('--clients', 1000);
const EVENTS = arg('--events', 10);
/** Per phase: publishing stops after this (a saturated path then shows fewer deliveries, not an endless run). */
const PUBLISH_BUDGET_MS = arg('--budget', 15_000);
const INTERVAL_MS = arg('--interval', 50);

const LOCAL = `subscription { alertRaised(minLevel: WARN) { id cursor level message hotspot { id severity } } }`;
const FEDERATED = `subscription { alertRaised(minLevel: WARN) { id cursor level message hotspot { id severity supplier { id name } } supplier { name } } }`;

interface Phase {
  label: string;
  p50: number;
  p99: number;
  eventsPerSec: number;
  delivered: number;
  expected: number;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

async function main() {
  const logger = createLogger({ name: 'bench', level: 'error' } as any);
  const db = await createTestDatabase('pglite');
  const gw = await startGateway({
    plugins: [tcSuppliers, tcAlerts],
    port: 0,
    serveWeb: false,
    logger,
    host: { db, scheduler: false, migrate: false },
  });
  const alerts = gw.host!.plugins.get('tc-alerts')!;
  // The owning subgraph as its own server on the same database and bus: the direct baseline.
  const direct = await startSubgraph(tcAlerts, {
    db,
    bus: gw.host!.bus,
    port: 0,
    migrate: false,
    scheduler: false,
    logger,
  });
  const token = await signDevToken({ sub: 'bench', roles: ['viewer'] });

  async function phase(
    label: string,
    wsUrl: string,
    query: string,
    clientsN = CLIENTS,
    events = EVENTS,
  ): Promise<Phase> {
    const CLIENTS = clientsN;
    const EVENTS = events;
    const latencies: number[] = [];
    let delivered = 0;
    let first = 0;
    let last = 0;
    const clients: Client[] = [];
    let connected = 0;
    // Connect in waves (the listen backlog would reset a thousand simultaneous handshakes).
    for (let i = 0; i < CLIENTS; i++) {
      {
        const c = createClient({
          url: wsUrl,
          webSocketImpl: WebSocket,
          connectionParams: { authorization: `Bearer ${token}` },
          retryAttempts: 5,
          lazy: false,
          onNonLazyError: () => undefined,
        });
        clients.push(c);
        c.on('connected', () => void connected++);
        c.subscribe<{ alertRaised: { message: string } }>(
          { query },
          {
            next: (r) => {
              const now = performance.now();
              const t = Number(r.data?.alertRaised.message.split(' ')[1]);
              if (!Number.isFinite(t)) return;
              latencies.push(now - t);
              delivered++;
              if (!first) first = now;
              last = now;
            },
            error: () => undefined,
            complete: () => undefined,
          },
        );
      }
      if (i % 100 === 99) {
        const target = i + 1;
        const until = Date.now() + 15_000;
        while (connected < target && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      }
    }
    if (connected < CLIENTS) throw new Error(`${label}: only ${connected}/${CLIENTS} clients connected`);
    console.error(`[${label}] ${CLIENTS} clients connected`);
    // Let every subscription reach its upstream before publishing.
    await new Promise((r) => setTimeout(r, 1500));
    const publishStart = Date.now();
    let published = 0;
    for (let i = 0; i < EVENTS && Date.now() - publishStart < PUBLISH_BUDGET_MS; i++) {
      published++;
      const supplier = i % 2 ? S1 : S2;
      const [row] = await alerts.services.db.query<{ seq: string; id: string }>(
        `INSERT INTO tc_alerts (supplier_id, level, message) VALUES ($1, 'warn', $2) RETURNING seq::text AS seq, id`,
        [supplier, `bench ${performance.now()}`],
      );
      await alerts.services.bus.publish(alertRaised, {
        id: row.id,
        seq: row.seq,
        hotspotId: row.id,
        level: 'warn',
        supplierId: supplier,
      });
      await new Promise((r) => setTimeout(r, INTERVAL_MS));
    }
    const expected = published * CLIENTS;
    const deadline = Date.now() + 10_000;
    while (delivered < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    console.error(`[${label}] ${delivered}/${expected} delivered`);
    await Promise.all(clients.map((c) => c.dispose()));
    await new Promise((r) => setTimeout(r, 500));
    return {
      label,
      p50: pct(latencies, 50),
      p99: pct(latencies, 99),
      eventsPerSec: delivered / Math.max(0.001, (last - first) / 1000),
      delivered,
      expected,
    };
  }

  const gwWs = gw.url.replace('http', 'ws') + '/graphql';
  const directWs = direct.url.replace('http', 'ws');
  const rows: Phase[] = [];
  // Warm-up (JIT, plan cache, connection pools): not recorded.
  await phase('warm-up', gwWs, FEDERATED, Math.min(100, CLIENTS), 5);
  await phase('warm-up', directWs, LOCAL, Math.min(100, CLIENTS), 5);
  const gwLocal = await phase('through the gateway (same selection)', gwWs, LOCAL);
  const gwFed = await phase('through the gateway + Supplier.name from a second subgraph per event', gwWs, FEDERATED);
  const directRow = await phase('direct to the owning subgraph (graphql-ws, alert fields only)', directWs, LOCAL);
  rows.push(directRow, gwLocal, gwFed);
  await direct.close();
  await gw.close();
  await db.close();

  const base = rows[0];
  const lines = [
    `| path | p50 ms | p99 ms | events/s delivered | delivered | p99 vs direct | events/s vs direct |`,
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.label} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.eventsPerSec.toFixed(0)} | ${r.delivered}/${r.expected} | ${(r.p99 / base.p99).toFixed(2)}x | ${(r.eventsPerSec / base.eventsPerSec).toFixed(2)}x |`,
    ),
  ];
  const table = lines.join('\n');
  console.log(table);
  recordBenchmark(
    'subscriptions',
    `${CLIENTS} concurrent graphql-ws subscribers to \`alertRaised\`, ${EVENTS} alerts ${INTERVAL_MS} ms apart; latency from publish (row committed + bus signal) to the client message. ` +
      'Direct = every client subscribes to the standalone owning subgraph (one resolver stream and one row lookup per client per event). ' +
      'Gateway = identical subscriptions share one upstream; events are completed through the query plan once and fanned out. Clients, gateway and subgraph share this one process.',
    table,
    'npx tsx bench/subscriptions.ts',
  );
  const fed = rows[2];
  console.log(
    `BENCH_RESULT ${JSON.stringify({ headline: `gateway/direct events/s ${(rows[1].eventsPerSec / base.eventsPerSec).toFixed(2)}x, p99 ${(rows[1].p99 / base.p99).toFixed(2)}x; federated p99 ${fed.p99.toFixed(0)} ms` })}`,
  );
}

const timer = setTimeout(() => {
  console.error('bench/subscriptions: time bound reached');
  process.exit(2);
}, 220_000);
timer.unref();
main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
