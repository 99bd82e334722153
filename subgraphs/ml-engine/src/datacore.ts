// data-core's GraphQL API as ml-engine uses it, through the operations data-core publishes in its client module
// (@carbon-nexus/data-core/client): typed end to end, checked against data-core's schema at build time. What this
// file adds is paging and chunking (data-core's limits: 1000 events per page and per id filter).
import type { PluginServices, ResultOf } from '@carbon-nexus/plugin-sdk';
import {
  EmissionsCounts,
  EventsModelInputsPage,
  StoredEventIdsPage,
  type EmissionsCountsQueryVariables,
  type EventFilter,
} from '@carbon-nexus/data-core/client';
import type { NormalizedEvent } from './domain/features/index.ts';

type ModelInputsNode = ResultOf<typeof EventsModelInputsPage>['events']['nodes'][number];
export type SeriesPoint = ResultOf<typeof EmissionsCounts>['emissionsSeries'][number];
export type StoredIdsPage = ResultOf<typeof StoredEventIdsPage>['events'];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The contract's event as the feature mappers read it (attributes is free JSON: only an object carries fields). */
function toNormalizedEvent(n: ModelInputsNode): NormalizedEvent {
  return { ...n, attributes: isRecord(n.attributes) ? n.attributes : null };
}

/** Events by id with their model inputs: 1000 ids per filter, at most 10 pages each (ids that are gone are absent). */
export async function eventsByIds(s: PluginServices, ids: string[]): Promise<NormalizedEvent[]> {
  const out: NormalizedEvent[] = [];
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const { events }: ResultOf<typeof EventsModelInputsPage> = await s.call(EventsModelInputsPage, {
        filter: { ids: chunk },
        first: 1000,
        after,
      });
      out.push(...events.nodes.map(toNormalizedEvent));
      if (!events.pageInfo.hasNextPage) break;
      after = events.pageInfo.endCursor;
    }
  }
  return out;
}

/** One page (1000) of the ids of events stored in the filter's window, in stored order. */
export async function storedEventIds(
  s: PluginServices,
  filter: EventFilter,
  after: string | null,
): Promise<StoredIdsPage> {
  return (await s.call(StoredEventIdsPage, { filter, first: 1000, after })).events;
}

export async function emissionsSeries(s: PluginServices, v: EmissionsCountsQueryVariables): Promise<SeriesPoint[]> {
  return (await s.call(EmissionsCounts, v)).emissionsSeries;
}
