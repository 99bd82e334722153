// data-core's GraphQL API as orchestration uses it, through the operations data-core publishes in its client module
// (@carbon-nexus/data-core/client): typed end to end, checked against data-core's schema at build time. What this
// file adds is paging and batching (data-core's limits: 1000 events per page, 1000 activities per estimate).
// Supplier names, events, emission series (the figures hotspots and baselines are measured on) and the method
// engine (every kg of a what-if comes from it: orchestration keeps no factor of its own).
import type { PluginServices, ResultOf } from '@carbon-nexus/plugin-sdk';
import {
  EmissionsCounts,
  EstimateEmissions,
  EventMeasuresPage,
  EventsWithFactorsPage,
  SupplierCountry,
  SupplierIdsOfCategory,
  SupplierProfiles,
  VehicleClasses,
  type ActivityInput as DataCoreActivity,
  type EmissionsGroupBy,
  type EventFilter,
  type EventType,
  type SupplierCategory,
  type TimeBucket,
} from '@carbon-nexus/data-core/client';

export type { EventFilter };

/** Supplier names for the given ids in ONE call (federation _entities lookup on data-core). */
export async function supplierNames(services: PluginServices, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const unique = [...new Set(ids.filter(Boolean))];
  if (!unique.length) return out;
  try {
    const data = await services.call(SupplierProfiles, {
      representations: unique.map((id) => ({ __typename: 'Supplier', id })),
    });
    for (const s of data._entities) if (s?.__typename === 'Supplier' && s.name) out.set(s.id, s.name);
  } catch (err) {
    // Names only decorate messages: an unreachable data-core must not stop detection.
    services.logger.warn({ err }, 'supplier names unavailable; alerts use ids');
  }
  return out;
}

type Page<N> = { nodes: N[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

/** Pages of at most 1000 until `max` nodes or the last page. */
async function pages<N>(max: number, page: (first: number, after: string | null) => Promise<Page<N>>): Promise<N[]> {
  const out: N[] = [];
  let after: string | null = null;
  while (out.length < max) {
    const { nodes, pageInfo } = await page(Math.min(1000, max - out.length), after);
    out.push(...nodes);
    if (!pageInfo.hasNextPage || !nodes.length) break;
    after = pageInfo.endCursor;
  }
  return out;
}

export type EventWithFactors = ResultOf<typeof EventsWithFactorsPage>['events']['nodes'][number];
export type EventMeasures = ResultOf<typeof EventMeasuresPage>['events']['nodes'][number];

/** data-core `events` newest first with activity, method and factors (at most `maxEvents`). */
export function eventsWithFactors(
  services: PluginServices,
  filter: EventFilter,
  maxEvents: number,
): Promise<EventWithFactors[]> {
  return pages(
    maxEvents,
    async (first, after) => (await services.call(EventsWithFactorsPage, { filter, first, after })).events,
  );
}

/** data-core `events` newest first with their t·km, production units and figure (at most `maxEvents`). */
export function eventMeasures(
  services: PluginServices,
  filter: EventFilter,
  maxEvents: number,
): Promise<EventMeasures[]> {
  return pages(
    maxEvents,
    async (first, after) => (await services.call(EventMeasuresPage, { filter, first, after })).events,
  );
}

/** kg CO2e (the sum of the bucket's events' figures: data-core's one figure per event) and events per bucket. */
export type SeriesRow = Pick<
  ResultOf<typeof EmissionsCounts>['emissionsSeries'][number],
  'bucketStart' | 'key' | 'co2eKg' | 'eventCount'
>;

/** Hotspot/baseline entity type -> emissionsSeries grouping. */
export const GROUP_OF_ENTITY: Record<string, EmissionsGroupBy> = {
  supplier: 'SUPPLIER',
  event_type: 'EVENT_TYPE',
  route: 'ROUTE',
  total: 'NONE',
};

/** A series key as a hotspot/baseline entity id: event types come back upper-case (TRANSPORT), entities keep them lower-case. */
export const entityKey = (entityType: string, key: string) => (entityType === 'event_type' ? key.toLowerCase() : key);

export async function emissionsSeries(
  services: PluginServices,
  from: Date,
  to: Date,
  bucket: TimeBucket,
  groupBy: EmissionsGroupBy,
  supplierIds?: string[] | null,
): Promise<SeriesRow[]> {
  const v = { from: from.toISOString(), to: to.toISOString(), bucket, groupBy, supplierIds: supplierIds ?? null };
  return (await services.call(EmissionsCounts, v)).emissionsSeries;
}

/** Supplier ids of a category (pages of 200, at most 50 pages). */
export async function suppliersOfCategory(services: PluginServices, category: SupplierCategory): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let i = 0; i < 50; i++) {
    const { suppliers }: ResultOf<typeof SupplierIdsOfCategory> = await services.call(SupplierIdsOfCategory, {
      category,
      after,
    });
    ids.push(...suppliers.nodes.map((n) => n.id));
    if (!suppliers.pageInfo.hasNextPage) break;
    after = suppliers.pageInfo.endCursor;
  }
  return ids;
}

export async function supplierCountry(services: PluginServices, id: string): Promise<string | null> {
  return (await services.call(SupplierCountry, { id })).supplier?.country ?? null;
}

/** One activity of a what-if as orchestration builds it (event types in any case; data-core wants them upper-case). */
export type ActivityInput = Omit<DataCoreActivity, 'eventType'> & { eventType?: string | null };
export type Estimate = ResultOf<typeof EstimateEmissions>['estimateEmissions'][number];
export type AppliedFactor = Estimate['factors'][number];
export type VehicleClassInfo = ResultOf<typeof VehicleClasses>['vehicleClasses'][number];

const CHUNK = 1000;

export async function estimateEmissions(services: PluginServices, activities: ActivityInput[]): Promise<Estimate[]> {
  const out: Estimate[] = [];
  for (let i = 0; i < activities.length; i += CHUNK) {
    const part = activities.slice(i, i + CHUNK).map(clean);
    const data = await services.call(EstimateEmissions, { activities: part });
    out.push(...data.estimateEmissions.map((e) => ({ ...e, index: e.index + i })));
  }
  return out;
}

export async function vehicleClasses(services: PluginServices): Promise<VehicleClassInfo[]> {
  return (await services.call(VehicleClasses)).vehicleClasses;
}

/** GraphQL input: no undefined/null noise, event types upper-case. */
function clean(a: ActivityInput): DataCoreActivity {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) if (v !== undefined && v !== null) o[k] = v;
  if (typeof o.eventType === 'string') o.eventType = o.eventType.toUpperCase() as EventType;
  return o as DataCoreActivity;
}
