// The embedded product with a compressed-time demo scenario, for the browser e2e test:
// suppliers + 8 days of hourly history (with a gap) ingested through data-core's HTTP API, then a planned spike.
import { mulberry32 } from '@carbon-nexus/plugin-sdk';
import type { GatewayServer } from '@carbon-nexus/gateway';
import { startTestPlatform, type TestPlatform } from '@carbon-nexus/gateway/testkit';

export interface DemoSupplier {
  key: string;
  name: string;
  category: 'TRANSPORT' | 'FACTORY' | 'WAREHOUSE' | 'DELIVERY';
  country: string;
  id?: string;
}

export const SUPPLIERS: DemoSupplier[] = [
  { key: 'northwind', name: 'Northwind Freight', category: 'TRANSPORT', country: 'GB' },
  { key: 'baltic', name: 'Baltic Hauliers', category: 'TRANSPORT', country: 'DE' },
  { key: 'apex', name: 'Apex Plastics', category: 'FACTORY', country: 'DE' },
  { key: 'harbor', name: 'Harbor Cold Storage', category: 'WAREHOUSE', country: 'NL' },
  { key: 'quickdrop', name: 'QuickDrop Last Mile', category: 'DELIVERY', country: 'GB' },
];

const HOUR = 3_600_000;

export function eventFor(s: DemoSupplier, t: number, r: () => number, scale = 1): Record<string, unknown> {
  const ts = new Date(t).toISOString();
  const jitter = 0.85 + r() * 0.3;
  const base = {
    supplierId: s.id,
    timestamp: ts,
    externalId: `${s.key}-${t}-${Math.floor(r() * 1e9)}`,
    dataSource: 'MOCK',
  };
  switch (s.category) {
    case 'TRANSPORT':
      return {
        ...base,
        eventType: 'TRANSPORT',
        distanceKm: Math.round(140 * jitter * scale),
        loadKg: Math.round(Math.min(40000, 9000 * jitter * scale)),
        vehicleType: s.key === 'baltic' ? 'articulated_truck' : 'rigid_truck',
        fuelType: 'diesel',
        speedKmh: 70,
        region: 'EU',
        route: s.key === 'northwind' ? 'LON-MAN' : 'HAM-GDN',
      };
    case 'FACTORY':
      return {
        ...base,
        eventType: 'FACTORY',
        energyKwh: Math.round(900 * jitter * scale),
        gasKwh: Math.round(400 * jitter * scale),
        productionUnits: Math.round(120 * jitter * scale),
        region: 'EU',
        attributes: { periodHours: 1 },
      };
    case 'WAREHOUSE':
      return {
        ...base,
        eventType: 'WAREHOUSE',
        energyKwh: Math.round(320 * jitter * scale),
        areaM2: 12000,
        refrigerated: true,
        region: 'EU',
        attributes: { periodHours: 1 },
      };
    case 'DELIVERY':
      return {
        ...base,
        eventType: 'DELIVERY',
        distanceKm: Math.round(70 * jitter * scale),
        vehicleType: 'van',
        fuelType: 'diesel',
        stops: 35,
        parcels: 120,
        region: 'UK',
      };
  }
}

export interface Demo extends AsyncDisposable {
  platform: TestPlatform;
  gw: GatewayServer;
  url: string;
  tokens: Record<'admin' | 'analyst' | 'approver' | 'viewer' | 'system', string>;
  suppliers: DemoSupplier[];
  gql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<{ data?: T; errors?: { message: string }[] }>;
  ingest(
    events: Record<string, unknown>[],
  ): Promise<{ accepted: number; rejected: number; duplicates: number; results?: any[] }>;
  seedHistory(opts?: { days?: number; gapSupplier?: string; gapHours?: number }): Promise<number>;
  spike(supplierKey: string, opts?: { events?: number; scale?: number }): Promise<number>;
  close(): Promise<void>;
}

export async function startDemo(): Promise<Demo> {
  // The platform's plugins on a fresh database, with the built web app served at /.
  const platform = await startTestPlatform({ gateway: { serveWeb: true } });
  const gw = platform.gateway;
  const token = (role: keyof Demo['tokens']) => platform.token(role, { sub: `e2e-${role}` });
  const tokens = {
    admin: await token('admin'),
    analyst: await token('analyst'),
    approver: await token('approver'),
    viewer: await token('viewer'),
    system: await token('system'),
  };
  const gql: Demo['gql'] = async (query, variables, token = tokens.admin) => {
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as any;
  };
  const ingest: Demo['ingest'] = async (events) => {
    const res = await fetch(`${gw.url}/ingest/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.analyst}` },
      body: JSON.stringify(events),
    });
    const body = (await res.json()) as any;
    if (res.status >= 400 && res.status !== 422)
      throw new Error(`ingest HTTP ${res.status}: ${JSON.stringify(body).slice(0, 400)}`);
    return body;
  };
  const suppliers = SUPPLIERS.map((s) => ({ ...s }));
  for (const s of suppliers) {
    const r = await gql<{ createSupplier: { id: string } }>(
      'mutation($input: SupplierInput!) { createSupplier(input: $input) { id } }',
      { input: { name: s.name, category: s.category, country: s.country, externalId: s.key } },
      tokens.analyst,
    );
    if (!r.data) throw new Error(`createSupplier failed: ${JSON.stringify(r.errors)}`);
    s.id = r.data.createSupplier.id;
  }
  const byKey = (k: string) => suppliers.find((s) => s.key === k)!;

  return {
    platform,
    gw,
    url: gw.url,
    tokens,
    suppliers,
    gql,
    ingest,
    async seedHistory({ days = 8, gapSupplier = 'harbor', gapHours = 6 } = {}) {
      const r = mulberry32(42);
      const now = Date.now();
      const start = Math.floor(now / HOUR) * HOUR - days * 24 * HOUR;
      const events: Record<string, unknown>[] = [];
      // Up to the current hour: the pulse compares the last hour with the one before.
      for (let h = start; h <= Math.floor(now / HOUR) * HOUR; h += HOUR) {
        const hourOfDay = new Date(h).getUTCHours();
        const daytime = hourOfDay >= 6 && hourOfDay < 22;
        for (const s of suppliers) {
          // A few silent hours for one supplier (5-11 hours ago): the gap-filler predicts them.
          if (s.key === gapSupplier && h >= now - (gapHours + 5) * HOUR && h < now - 5 * HOUR) continue;
          const n = s.category === 'TRANSPORT' || s.category === 'DELIVERY' ? (daytime ? 2 : 1) : 1;
          for (let i = 0; i < n; i++) {
            const t = h + Math.floor(((i + 0.5) / n) * HOUR);
            if (t < now - 60_000) events.push(eventFor(s, t, r));
          }
        }
      }
      let accepted = 0;
      for (let i = 0; i < events.length; i += 1000) {
        const res = await ingest(events.slice(i, i + 1000));
        accepted += res.accepted;
      }
      return accepted;
    },
    async spike(key, { events = 8, scale = 2.6 } = {}) {
      const r = mulberry32(Date.now() % 100000);
      const s = byKey(key);
      const now = Date.now();
      const list = Array.from({ length: events }, (_, i) =>
        eventFor(s, now - 50 * 60_000 + Math.floor((i / events) * 49 * 60_000), r, scale),
      );
      const res = await ingest(list);
      return res.accepted;
    },
    close: () => platform.close(),
    [Symbol.asyncDispose]: () => platform.close(),
  };
}
