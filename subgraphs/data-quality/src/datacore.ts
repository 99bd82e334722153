// data-core's GraphQL API as this plugin uses it (contracts.md): emissionsSeries, events, flagEvents, ingestEvents.
import type { PluginServices } from '@carbon-nexus/plugin-sdk';

export interface SeriesPoint {
  bucketStart: string;
  key: string;
  co2eKg: number;
  eventCount: number;
  realCount: number;
  predictedCount: number;
  suspectCount: number;
}

const SERIES = /* GraphQL */ `
  query DqSeries($from: String!, $to: String!, $bucket: TimeBucket, $groupBy: EmissionsGroupBy, $supplierIds: [ID!]) {
    emissionsSeries(from: $from, to: $to, bucket: $bucket, groupBy: $groupBy, supplierIds: $supplierIds) {
      bucketStart key co2eKg eventCount realCount predictedCount suspectCount
    }
  }`;

export function emissionsSeries(
  s: PluginServices,
  v: { from: string; to: string; bucket: 'HOUR' | 'DAY'; groupBy: 'NONE' | 'SUPPLIER'; supplierIds?: string[] | null },
): Promise<SeriesPoint[]> {
  return s.call<{ emissionsSeries: SeriesPoint[] }>('data-core', SERIES, v as any).then((r) => r.emissionsSeries);
}

export interface DcEvent {
  id: string;
  supplierId: string;
  eventType: string;
  timestamp: string;
  distanceKm: number | null;
  loadKg: number | null;
  vehicleType: string | null;
  productionUnits: number | null;
  areaM2: number | null;
  fuelL: number | null;
  energyKwh: number | null;
  region: string | null;
  route: string | null;
  co2eKg: number;
  tonneKm: number | null;
  dataSource: string;
  qualityStatus: string;
}

const EVENTS = /* GraphQL */ `
  query DqEvents($filter: EventFilter, $first: Int, $after: String) {
    events(filter: $filter, first: $first, after: $after, orderBy: TIMESTAMP_ASC) {
      nodes {
        id supplierId eventType timestamp distanceKm loadKg vehicleType productionUnits areaM2 fuelL energyKwh region route
        co2eKg tonneKm dataSource qualityStatus
      }
      pageInfo { hasNextPage endCursor }
    }
  }`;

export interface EventFilter {
  supplierIds?: string[] | null;
  from?: string;
  to?: string;
  dataSources?: string[];
  qualityStatuses?: string[];
}

/** All events matching the filter, 1000 per page, at most `maxPages` pages (then an error, or the first pages with `truncate`). */
export async function allEvents(s: PluginServices, filter: EventFilter, maxPages = 500, truncate = false): Promise<DcEvent[]> {
  const out: DcEvent[] = [];
  let after: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const r: { events: { nodes: DcEvent[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await s.call(
      'data-core',
      EVENTS,
      { filter, first: 1000, after } as any,
    );
    // A MODEL figure is null until ml-engine's estimate arrives (data-core Event.pending): such events have no kg yet.
    out.push(...r.events.nodes.filter((e) => e.co2eKg != null));
    if (!r.events.pageInfo.hasNextPage || !r.events.pageInfo.endCursor) return out;
    after = r.events.pageInfo.endCursor;
  }
  if (truncate) return out;
  throw new Error(`data-core events: more than ${maxPages * 1000} events for one data-quality run; narrow the range`);
}

const FLAG = /* GraphQL */ `
  mutation DqFlag($flags: [EventFlagInput!]!) { flagEvents(flags: $flags) }`;

export async function flagEvents(s: PluginServices, flags: { eventId: string; status: 'SUSPECT' | 'VALID'; reason: string }[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < flags.length; i += 1000) {
    const r = await s.call<{ flagEvents: number }>('data-core', FLAG, { flags: flags.slice(i, i + 1000) } as any);
    n += r.flagEvents;
  }
  return n;
}

const INGEST = /* GraphQL */ `
  mutation DqIngest($events: [EventInput!]!) {
    ingestEvents(events: $events) { accepted rejected duplicates results { index status eventId errors { field reason } } }
  }`;

export interface IngestResult {
  index: number;
  status: 'ACCEPTED' | 'REJECTED' | 'DUPLICATE';
  eventId: string | null;
  errors: { field: string; reason: string }[];
}

export async function ingestEvents(s: PluginServices, events: Record<string, unknown>[]): Promise<IngestResult[]> {
  const out: IngestResult[] = [];
  for (let i = 0; i < events.length; i += 5000) {
    const r = await s.call<{ ingestEvents: { results: IngestResult[] } }>('data-core', INGEST, { events: events.slice(i, i + 5000) } as any);
    out.push(...r.ingestEvents.results.map((x) => ({ ...x, index: x.index + i })));
  }
  return out;
}

export interface SupplierMeta {
  id: string;
  name: string;
  category: string;
  country: string | null;
}

const SUPPLIERS = /* GraphQL */ `
  query DqSuppliers($r: [_Any!]!) { _entities(representations: $r) { ... on Supplier { id name category country } } }`;

/** Name, category and country of the given suppliers in one call (data-core's entity resolver, batched). */
export async function supplierMeta(s: PluginServices, ids: string[]): Promise<Map<string, SupplierMeta>> {
  const out = new Map<string, SupplierMeta>();
  for (let i = 0; i < ids.length; i += 500) {
    const r = await s.call<{ _entities: (SupplierMeta | null)[] }>('data-core', SUPPLIERS, {
      r: ids.slice(i, i + 500).map((id) => ({ __typename: 'Supplier', id })),
    });
    for (const m of r._entities) if (m?.id) out.set(m.id, m);
  }
  return out;
}
