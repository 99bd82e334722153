// data-core's GraphQL API as this plugin uses it, through the operations data-core publishes in its client module
// (@carbon-nexus/data-core/client): typed end to end, checked against data-core's schema at build time. What this
// file adds is paging and batching (data-core's limits: 1000 events per page, 5000 per ingest, 500 entities per call).
import type { PluginServices, ResultOf } from '@carbon-nexus/plugin-sdk';
import {
  EmissionsCounts,
  EventsActivityPage,
  FlagEvents,
  IngestEvents,
  SupplierProfiles,
  type DataSource,
  type EmissionsCountsQueryVariables,
  type EventFilter,
  type EventInput,
  type FlagStatus,
} from '@carbon-nexus/data-core/client';

export type SeriesPoint = ResultOf<typeof EmissionsCounts>['emissionsSeries'][number];
type EventNode = ResultOf<typeof EventsActivityPage>['events']['nodes'][number];
/** An event whose figure is known (a MODEL figure is null until ml-engine's estimate arrives). */
export type DcEvent = EventNode & { co2eKg: number };
export type IngestResult = ResultOf<typeof IngestEvents>['ingestEvents']['results'][number];
export type SupplierMeta = Extract<ResultOf<typeof SupplierProfiles>['_entities'][number], { __typename: 'Supplier' }>;
export type { DataSource, EventFilter, EventInput };

export async function emissionsSeries(s: PluginServices, v: EmissionsCountsQueryVariables): Promise<SeriesPoint[]> {
  return (await s.call(EmissionsCounts, v)).emissionsSeries;
}

/** All events matching the filter, 1000 per page, at most `maxPages` pages (then an error, or the first pages with `truncate`). */
export async function allEvents(
  s: PluginServices,
  filter: EventFilter,
  maxPages = 500,
  truncate = false,
): Promise<DcEvent[]> {
  const out: DcEvent[] = [];
  let after: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const { events }: ResultOf<typeof EventsActivityPage> = await s.call(EventsActivityPage, {
      filter,
      first: 1000,
      after,
    });
    // A MODEL figure is null until ml-engine's estimate arrives (data-core Event.pending): such events have no kg yet.
    out.push(...events.nodes.filter((e): e is DcEvent => e.co2eKg != null));
    if (!events.pageInfo.hasNextPage || !events.pageInfo.endCursor) return out;
    after = events.pageInfo.endCursor;
  }
  if (truncate) return out;
  throw new Error(`data-core events: more than ${maxPages * 1000} events for one data-quality run; narrow the range`);
}

export async function flagEvents(
  s: PluginServices,
  flags: { eventId: string; status: FlagStatus; reason: string }[],
): Promise<number> {
  let n = 0;
  for (let i = 0; i < flags.length; i += 1000)
    n += (await s.call(FlagEvents, { flags: flags.slice(i, i + 1000) })).flagEvents;
  return n;
}

export async function ingestEvents(s: PluginServices, events: EventInput[]): Promise<IngestResult[]> {
  const out: IngestResult[] = [];
  for (let i = 0; i < events.length; i += 5000) {
    const r = await s.call(IngestEvents, { events: events.slice(i, i + 5000) });
    out.push(...r.ingestEvents.results.map((x) => ({ ...x, index: x.index + i })));
  }
  return out;
}

/** Name, category and country of the given suppliers in one call (data-core's entity resolver, batched). */
export async function supplierMeta(s: PluginServices, ids: string[]): Promise<Map<string, SupplierMeta>> {
  const out = new Map<string, SupplierMeta>();
  for (let i = 0; i < ids.length; i += 500) {
    const r = await s.call(SupplierProfiles, {
      representations: ids.slice(i, i + 500).map((id) => ({ __typename: 'Supplier', id })),
    });
    for (const m of r._entities) if (m?.__typename === 'Supplier') out.set(m.id, m);
  }
  return out;
}
