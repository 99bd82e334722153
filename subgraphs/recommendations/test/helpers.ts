// Test helpers: the REAL data-core, ml-engine and orchestration plugins beside recommendations (dynamic imports:
// tests may compose plugins, src may not). A planned spike becomes a real hotspot through orchestration.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSubgraphTestkit, type SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import type { TestDatabaseTarget } from '@carbon-nexus/db';
import recommendations from '../src/plugin.ts';

export const HOUR = 3_600_000;
export const ANALYST = { sub: 'ana', roles: ['analyst'], supplierIds: null };
export const APPROVER = { sub: 'appy', roles: ['approver'], supplierIds: null };
export const VIEWER = { sub: 'vic', roles: ['viewer'], supplierIds: null };

export async function startStack(
  opts: { target?: TestDatabaseTarget; env?: Record<string, string | undefined> } = {},
): Promise<SubgraphTestkit> {
  const dataCore = (await import('@carbon-nexus/data-core')).default;
  const mlEngine = (await import('@carbon-nexus/ml-engine')).default;
  const orchestration = (await import('@carbon-nexus/orchestration')).default;
  const env: Record<string, string | undefined> = { ...process.env, HOTSPOT_WINDOW_MINUTES: '60', ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return createSubgraphTestkit(recommendations, {
    with: [dataCore, mlEngine, orchestration],
    target: opts.target,
    env,
  });
}

export async function createSupplier(kit: SubgraphTestkit, name: string, category = 'TRANSPORT'): Promise<string> {
  const r = await kit.query<{ createSupplier: { id: string } }>(
    `mutation($input: SupplierInput!) { createSupplier(input: $input) { id } }`,
    { input: { name, category, country: 'GB' } },
    { plugin: 'data-core' },
  );
  return r.createSupplier.id;
}

let ext = 0;
/** A road-freight leg: diesel rigid truck; heavy legs idle a lot (the spike's "cause"). */
export function leg(supplierId: string, at: Date, loadKg = 12_000, idleMinutes = 5) {
  return {
    externalId: `rec-${++ext}-${at.getTime()}`,
    supplierId,
    eventType: 'TRANSPORT',
    timestamp: at.toISOString(),
    distanceKm: 120,
    loadKg,
    vehicleType: 'rigid_truck',
    fuelType: 'diesel',
    speedKmh: 70,
    idleMinutes,
    region: 'UK',
    route: 'R1',
  };
}

export async function ingest(kit: SubgraphTestkit, events: ReturnType<typeof leg>[]): Promise<void> {
  const r = await kit.query<{
    ingestEvents: { rejected: number; results: { errors: { field: string; reason: string }[] }[] };
  }>(
    `mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted rejected results { errors { field reason } } } }`,
    { e: events },
    { plugin: 'data-core' },
  );
  if (r.ingestEvents.rejected)
    throw new Error(`rejected: ${JSON.stringify(r.ingestEvents.results.find((x) => x.errors.length))}`);
}

import { waitFor } from '@carbon-nexus/plugin-sdk/testkit';

export { waitFor };

export async function countRows(kit: SubgraphTestkit, sql: string, params: unknown[] = []): Promise<number> {
  const [r] = await kit.db.query<{ n: string | number }>(sql, params);
  return Number(r!.n);
}

/**
 * Steady history for the suppliers, baselines, then a spike on `hot` (heavy legs with long idling), one detection
 * cycle: orchestration creates the hotspot and publishes hotspot.changed. Returns the hotspot id.
 */
export async function makeHotspot(kit: SubgraphTestkit, hot: string, others: string[], hours = 24): Promise<string> {
  const now = new Date();
  const lastHour = Math.floor(now.getTime() / HOUR) * HOUR - 2 * HOUR;
  const past: ReturnType<typeof leg>[] = [];
  for (let h = hours; h >= 0; h--)
    for (const s of [hot, ...others]) past.push(leg(s, new Date(lastHour - h * HOUR + 30 * 60_000)));
  await ingest(kit, past);
  await waitFor(
    'predictions of the history',
    async () =>
      (await countRows(kit, `SELECT count(*) AS n FROM predictions WHERE event_id IS NOT NULL`)) >= past.length,
  );
  await kit.runJob('recalculateBaselines', 'orchestration');
  const spike = [10, 20, 30, 40].map((m) => leg(hot, new Date(now.getTime() - m * 60_000), 24_000, 45));
  await ingest(kit, spike);
  await waitFor(
    'predictions of the spike',
    async () =>
      (await countRows(kit, `SELECT count(*) AS n FROM predictions WHERE event_id IS NOT NULL`)) >=
      past.length + spike.length,
  );
  await kit.query(`mutation { detectHotspots { created } }`, {}, { auth: ANALYST, plugin: 'orchestration' });
  const r = await kit.query<{ hotspots: { nodes: { id: string; entityType: string; entityId: string }[] } }>(
    `query($s: [ID!]) { hotspots(supplierIds: $s, first: 50) { nodes { id entityType entityId } } }`,
    { s: [hot] },
    { auth: ANALYST, plugin: 'orchestration' },
  );
  const h = r.hotspots.nodes.find((x) => x.entityType === 'supplier' && x.entityId === hot);
  if (!h) throw new Error('orchestration created no hotspot for the spike');
  return h.id;
}

/** A tiny real HTTP server standing in for an external service; `handler` can be swapped per test. */
export interface FakeService {
  url: string;
  calls: number;
  bodies: any[];
  handler: (req: http.IncomingMessage, body: any, res: http.ServerResponse) => void;
  close(): Promise<void>;
}

export async function startFakeService(path = '/analyse'): Promise<FakeService> {
  const svc: FakeService = {
    url: '',
    calls: 0,
    bodies: [],
    handler: (_req, _body, res) => json(res, 500, { error: 'no handler' }),
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      svc.calls++;
      let body: any = null;
      try {
        body = JSON.parse(data);
      } catch {
        /* keep null */
      }
      svc.bodies.push(body);
      svc.handler(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  svc.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  svc.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return svc;
}

export function json(res: http.ServerResponse, status: number, body: unknown) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
