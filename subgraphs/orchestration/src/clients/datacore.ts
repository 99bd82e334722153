// data-core through its GraphQL API (services.call): supplier names, events, emission series (the figures hotspots
// and baselines are measured on).
import type { PluginServices } from '@carbon-nexus/plugin-sdk';

/** Supplier names for the given ids in ONE call (federation _entities lookup on data-core). */
export async function supplierNames(services: PluginServices<any>, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const unique = [...new Set(ids.filter(Boolean))];
  if (!unique.length) return out;
  try {
    const data = await services.call<{ _entities: ({ id: string; name: string } | null)[] }>(
      'data-core',
      `query OrchestrationSupplierNames($r: [_Any!]!) { _entities(representations: $r) { ... on Supplier { id name } } }`,
      { r: unique.map((id) => ({ __typename: 'Supplier', id })) },
    );
    for (const s of data._entities) if (s?.name) out.set(s.id, s.name);
  } catch (err) {
    // Names only decorate messages: an unreachable data-core must not stop detection.
    services.logger.warn({ err }, 'supplier names unavailable; alerts use ids');
  }
  return out;
}

export interface CoreEvent {
  id: string;
  eventType: string;
  timestamp: string;
  distanceKm: number | null;
  loadKg: number | null;
  vehicleType: string | null;
  fuelType: string | null;
  speedKmh: number | null;
  fuelL: number | null;
  energyKwh: number | null;
  route: string | null;
  region: string | null;
  productionUnits: number | null;
  areaM2: number | null;
  refrigerated: boolean | null;
  stops: number | null;
  parcels: number | null;
  idleMinutes: number | null;
  gradientPct: number | null;
  co2eKg: number | null;
  tonneKm: number | null;
  supplierId: string | null;
}

const EVENT_FIELDS = `id eventType timestamp distanceKm loadKg vehicleType fuelType speedKmh fuelL energyKwh route region
  productionUnits areaM2 refrigerated stops parcels idleMinutes gradientPct co2eKg tonneKm supplierId`;

/** Pages through data-core `events` (max `maxEvents`). */
export async function fetchEvents(
  services: PluginServices<any>,
  filter: Record<string, unknown>,
  maxEvents: number,
  fields = EVENT_FIELDS,
): Promise<CoreEvent[]> {
  const out: CoreEvent[] = [];
  let after: string | null = null;
  while (out.length < maxEvents) {
    const first = Math.min(1000, maxEvents - out.length);
    const data: { events: { nodes?: CoreEvent[]; edges?: { node: CoreEvent }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } =
      await services.call('data-core', `query OrchestrationEvents($filter: EventFilter, $first: Int, $after: String) {
        events(filter: $filter, first: $first, after: $after) { edges { node { ${fields} } } pageInfo { hasNextPage endCursor } }
      }`, { filter, first, after });
    const nodes = data.events.nodes ?? data.events.edges?.map((e) => e.node) ?? [];
    out.push(...nodes);
    if (!data.events.pageInfo.hasNextPage || !nodes.length) break;
    after = data.events.pageInfo.endCursor;
  }
  return out;
}

export interface SeriesRow {
  bucketStart: string;
  key: string;
  /** kg CO2e: the sum of the bucket's events' figures (data-core's one emission figure per event). */
  co2eKg: number;
  eventCount: number;
}

export type SeriesGroup = 'NONE' | 'SUPPLIER' | 'CATEGORY' | 'EVENT_TYPE' | 'ROUTE';

/** Hotspot/baseline entity type -> emissionsSeries grouping. */
export const GROUP_OF_ENTITY: Record<string, SeriesGroup> = { supplier: 'SUPPLIER', event_type: 'EVENT_TYPE', route: 'ROUTE', total: 'NONE' };

/** A series key as a hotspot/baseline entity id: event types come back upper-case (TRANSPORT), entities keep them lower-case. */
export const entityKey = (entityType: string, key: string) => (entityType === 'event_type' ? key.toLowerCase() : key);

export async function emissionsSeries(
  services: PluginServices<any>,
  from: Date,
  to: Date,
  bucket: 'HOUR' | 'DAY',
  groupBy: SeriesGroup,
  supplierIds?: string[] | null,
): Promise<SeriesRow[]> {
  const data = await services.call<{ emissionsSeries: SeriesRow[] }>(
    'data-core',
    `query OrchestrationSeries($supplierIds: [ID!]) { emissionsSeries(from: ${JSON.stringify(from.toISOString())}, to: ${JSON.stringify(
      to.toISOString(),
    )}, bucket: ${bucket}, groupBy: ${groupBy}, supplierIds: $supplierIds) { bucketStart key co2eKg eventCount } }`,
    { supplierIds: supplierIds ?? null },
  );
  return data.emissionsSeries;
}
