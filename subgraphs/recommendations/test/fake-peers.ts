// Stand-ins for orchestration and data-core, built by the SDK's mockPlugin from their REAL schema.graphql (a mock cannot
// answer a field the peer does not have). They hold a tiny world: suppliers, road-freight legs with their kg CO2e, and
// hotspots whose figures a test may change (as orchestration would after an escalation).
import { mockPlugin, type MockPlugin } from '@carbon-nexus/plugin-sdk/testkit';

export const HOUR = 3_600_000;

export interface FakeSupplier {
  id: string;
  name: string;
  category: 'TRANSPORT' | 'FACTORY' | 'WAREHOUSE' | 'DELIVERY';
  country: string;
}

export interface FakeEvent {
  id: string;
  supplierId: string;
  eventType: 'TRANSPORT';
  timestamp: string;
  co2eKg: number;
  vehicleType: string;
  fuelType: string;
  distanceKm: number;
  loadKg: number;
  speedKmh: number;
  idleMinutes: number;
  route: string;
  dataSource: 'API';
}

export interface FakeHotspot {
  id: string;
  entityType: string;
  entityId: string;
  entityName: string | null;
  supplier: { id: string } | null;
  predictedKg: number;
  baselineKg: number;
  percentAbove: number;
  severity: 'INFO' | 'WARN' | 'CRITICAL';
  status: 'OPEN' | 'ACKNOWLEDGED' | 'RESOLVED';
  windowStart: string;
  windowEnd: string;
}

export interface FakeWorld {
  suppliers: FakeSupplier[];
  events: FakeEvent[];
  hotspots: FakeHotspot[];
}

let seq = 0;
const eventId = () => `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;

/** A diesel rigid-truck leg of 120 km; kg CO2e grows with the payload and the idling (the spike's "cause"). */
export function leg(supplierId: string, at: number, loadKg = 12_000, idleMinutes = 5): FakeEvent {
  return {
    id: eventId(),
    supplierId,
    eventType: 'TRANSPORT',
    timestamp: new Date(at).toISOString(),
    co2eKg: Math.round((60 + loadKg / 400 + idleMinutes * 0.5) * 100) / 100,
    vehicleType: 'rigid_truck',
    fuelType: 'diesel',
    distanceKm: 120,
    loadKg,
    speedKmh: 70,
    idleMinutes,
    route: 'R1',
    dataSource: 'API',
  };
}

/**
 * One leg an hour for each supplier over `hours`, then a spike on `hot` in the last hour (four heavy legs with long
 * idling) and the CRITICAL hotspot orchestration would have raised for it.
 */
export function spikeWorld(
  hot: FakeSupplier,
  others: FakeSupplier[],
  hotspotId: string,
  now = Date.now(),
  hours = 24,
): FakeWorld {
  const windowStart = Math.floor(now / HOUR) * HOUR - HOUR;
  const windowEnd = windowStart + HOUR;
  const events: FakeEvent[] = [];
  for (let h = hours; h >= 1; h--)
    for (const s of [hot, ...others]) events.push(leg(s.id, windowStart - h * HOUR + 30 * 60_000));
  for (const m of [10, 20, 30, 40]) events.push(leg(hot.id, windowStart + m * 60_000, 24_000, 45));
  const inWindow = events.filter((e) => e.supplierId === hot.id && Date.parse(e.timestamp) >= windowStart);
  const predictedKg = inWindow.reduce((a, e) => a + e.co2eKg, 0);
  const baselineKg = leg(hot.id, 0).co2eKg;
  const hotspot: FakeHotspot = {
    id: hotspotId,
    entityType: 'supplier',
    entityId: hot.id,
    entityName: hot.name,
    supplier: { id: hot.id },
    predictedKg,
    baselineKg,
    percentAbove: ((predictedKg - baselineKg) / baselineKg) * 100,
    severity: 'CRITICAL',
    status: 'OPEN',
    windowStart: new Date(windowStart).toISOString(),
    windowEnd: new Date(windowEnd).toISOString(),
  };
  return { suppliers: [hot, ...others], events, hotspots: [hotspot] };
}

type EventArgs = {
  filter?: { supplierIds?: string[] | null; from?: string | null; to?: string | null } | null;
  first?: number | null;
};
type SeriesArgs = { from: string; to: string; supplierIds?: string[] | null };

/** The suppliers' events matching the filter, newest first (data-core's default order), at most `first`. */
function eventsPage(world: FakeWorld, a: EventArgs) {
  const f = a.filter ?? {};
  const from = f.from ? Date.parse(f.from) : -Infinity;
  const to = f.to ? Date.parse(f.to) : Infinity;
  const all = world.events
    .filter(
      (e) =>
        (!f.supplierIds || f.supplierIds.includes(e.supplierId)) &&
        Date.parse(e.timestamp) >= from &&
        Date.parse(e.timestamp) < to,
    )
    .sort((x, y) => Date.parse(y.timestamp) - Date.parse(x.timestamp));
  const first = a.first ?? 100;
  const nodes = all.slice(0, first);
  return { nodes, edges: [], totalCount: all.length, pageInfo: { hasNextPage: all.length > first, endCursor: null } };
}

/** Hourly kg CO2e and counts of the suppliers' events in [from, to). */
function hourlySeries(world: FakeWorld, a: SeriesArgs) {
  const buckets = new Map<
    number,
    {
      bucketStart: string;
      key: string;
      co2eKg: number;
      eventCount: number;
      realCount: number;
      predictedCount: number;
      suspectCount: number;
    }
  >();
  for (const e of eventsPage(world, { filter: a, first: Number.MAX_SAFE_INTEGER }).nodes) {
    const start = Math.floor(Date.parse(e.timestamp) / HOUR) * HOUR;
    const b = buckets.get(start) ?? {
      bucketStart: new Date(start).toISOString(),
      key: 'all',
      co2eKg: 0,
      eventCount: 0,
      realCount: 0,
      predictedCount: 0,
      suspectCount: 0,
    };
    b.co2eKg += e.co2eKg;
    b.eventCount++;
    b.realCount++;
    buckets.set(start, b);
  }
  return [...buckets.values()].sort((x, y) => x.bucketStart.localeCompare(y.bucketStart));
}

/** data-core as recommendations reads it: a supplier's profile, its events and its hourly series. */
export function fakeDataCore(world: FakeWorld): MockPlugin {
  return mockPlugin('data-core', {
    Query: {
      supplier: (_: unknown, a: { id: string }) => {
        const s = world.suppliers.find((x) => x.id === a.id);
        return s ? { ...s, fleetInfo: null, baselineEmissionKgPerHour: null } : null;
      },
      events: (_: unknown, a: EventArgs) => eventsPage(world, a),
      emissionsSeries: (_: unknown, a: SeriesArgs) => hourlySeries(world, a),
    },
  });
}

/** orchestration as recommendations reads it: a hotspot by id and the open ones. */
export function fakeOrchestration(world: FakeWorld): MockPlugin {
  return mockPlugin('orchestration', {
    Query: {
      hotspot: (_: unknown, a: { id: string }) => world.hotspots.find((h) => h.id === a.id) ?? null,
      hotspots: (_: unknown, a: { status?: string | null; first?: number | null }) => {
        const nodes = world.hotspots.filter((h) => !a.status || h.status === a.status).slice(0, a.first ?? 20);
        return { nodes, edges: [], totalCount: nodes.length, pageInfo: { hasNextPage: false, endCursor: null } };
      },
    },
  });
}
