// What a generation asks its peers, through the operations they publish (@carbon-nexus/orchestration/client,
// @carbon-nexus/data-core/client): typed end to end and checked against their schemas at build time. The hotspot
// comes from orchestration; its supplier and the last hours of its activity from data-core. Each data-core part
// degrades on its own: a missing supplier or history is recorded in `gaps` and the rest is still used.
import type { PluginServices, ResultOf } from '@carbon-nexus/plugin-sdk';
import { HotspotForRecommendation, OpenHotspots } from '@carbon-nexus/orchestration/client';
import { EmissionsCounts, EventsOperatingPage, SupplierFleetProfile } from '@carbon-nexus/data-core/client';
import { buildContext, summarise, type EventSets, type HistoryEvent } from './domain/payload.ts';
import type { HistorySummary, HotspotContext, HotspotInfo, SupplierInfo } from './domain/types.ts';

const HOUR = 3_600_000;
/** data-core's page limit: the newest this many events of a span are what a diagnosis sees. */
const EVENTS_PER_SPAN = 1000;

type PeerEvent = ResultOf<typeof EventsOperatingPage>['events']['nodes'][number];
type Window = { start: string | null; end: string | null };

/** Open hotspots (orchestration ranks them worst first; the first 100). */
export async function openHotspots(services: PluginServices): Promise<{ id: string; severity: string }[]> {
  return (await services.call(OpenHotspots, { first: 100 })).hotspots.nodes;
}

export async function fetchHotspot(services: PluginServices, id: string): Promise<HotspotInfo | null> {
  const h = (await services.call(HotspotForRecommendation, { id })).hotspot;
  if (!h) return null;
  return {
    id: h.id,
    entityType: h.entityType.toLowerCase(),
    entityId: h.entityId,
    entityName: h.entityName,
    supplierId: h.supplier?.id ?? null,
    predictedKg: h.predictedKg,
    baselineKg: h.baselineKg,
    percentAbove: h.percentAbove,
    severity: h.severity.toLowerCase(),
    status: h.status.toLowerCase(),
    windowStart: h.windowStart,
    windowEnd: h.windowEnd,
  };
}

export async function fetchSupplier(services: PluginServices, id: string): Promise<SupplierInfo | null> {
  const s = (await services.call(SupplierFleetProfile, { id })).supplier;
  if (!s) return null;
  return {
    id: s.id,
    name: s.name,
    category: s.category.toLowerCase(),
    country: s.country,
    fleetInfo: s.fleetInfo,
    baselineEmissionKgPerHour: s.baselineEmissionKgPerHour,
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function toHistoryEvent(e: PeerEvent): HistoryEvent {
  return { ...e, attributes: isRecord(e.attributes) ? e.attributes : null };
}

/** Up to 1000 of the supplier's events in [from, to), newest first; `complete` = nothing was left out. */
async function fetchEvents(
  services: PluginServices,
  supplierId: string,
  from: Date,
  to: Date,
): Promise<{ events: HistoryEvent[]; complete: boolean }> {
  const filter = { supplierIds: [supplierId], from: from.toISOString(), to: to.toISOString() };
  const { events } = await services.call(EventsOperatingPage, { filter, first: EVENTS_PER_SPAN });
  return { events: events.nodes.map(toHistoryEvent), complete: !events.pageInfo.hasNextPage };
}

/** Hours a span's events cover: the whole span, or from its oldest event when only the newest 1000 came back. */
function coveredHours(set: { events: HistoryEvent[]; complete: boolean }, start: Date, end: Date): number {
  if (set.complete || !set.events.length) return (end.getTime() - start.getTime()) / HOUR;
  const oldest = Math.min(...set.events.map((e) => Date.parse(e.timestamp)));
  return Math.max(1 / 60, (end.getTime() - oldest) / HOUR);
}

/** The hotspot's window (orchestration's; the hour before `to` when it has none) and the span before it. */
function windowBounds(to: Date, window?: Window): { start: Date; end: Date } {
  const end = window?.end && !Number.isNaN(Date.parse(window.end)) ? new Date(window.end) : to;
  const start =
    window?.start && !Number.isNaN(Date.parse(window.start)) ? new Date(window.start) : new Date(end.getTime() - HOUR);
  return { start, end };
}

/** The events of the window and of `hours` before it, the sets the diagnosis compares. */
async function fetchEventSets(
  services: PluginServices,
  supplierId: string,
  hours: number,
  w: { start: Date; end: Date },
): Promise<EventSets> {
  const beforeStart = new Date(w.start.getTime() - hours * HOUR);
  const [inW, before] = await Promise.all([
    fetchEvents(services, supplierId, w.start, w.end),
    fetchEvents(services, supplierId, beforeStart, w.start),
  ]);
  return {
    window: inW.events,
    before: before.events,
    windowHours: coveredHours(inW, w.start, w.end),
    beforeHours: coveredHours(before, beforeStart, w.start),
  };
}

/** The last `hours` before `to` summarised (hourly series and sampled events) plus the diagnosis' event sets. */
export async function fetchHistory(
  services: PluginServices,
  supplierId: string,
  to: Date,
  hours: number,
  window?: Window,
): Promise<{ summary: HistorySummary; sets: EventSets | null }> {
  const from = new Date(to.getTime() - hours * HOUR);
  const f = from.toISOString();
  const t = to.toISOString();
  const { emissionsSeries } = await services.call(EmissionsCounts, {
    from: f,
    to: t,
    bucket: 'HOUR',
    groupBy: 'NONE',
    supplierIds: [supplierId],
  });
  let sets: EventSets | null = null;
  let events: HistoryEvent[] = [];
  try {
    sets = await fetchEventSets(services, supplierId, hours, windowBounds(to, window));
    events = [...sets.window, ...sets.before.filter((e) => Date.parse(e.timestamp) >= from.getTime())];
  } catch (err) {
    services.logger.warn(
      { err: (err as Error).message, supplierId },
      'recommendations: events of the last hours unavailable; summarising the series only',
    );
  }
  return { summary: summarise(emissionsSeries, events, f, t, window), sets };
}

/** Collects everything for one hotspot; null when orchestration does not know it. */
export async function collectContext(
  services: PluginServices,
  hotspotId: string,
  historyHours: number,
): Promise<HotspotContext | null> {
  const hotspot = await fetchHotspot(services, hotspotId);
  if (!hotspot) return null;
  const gaps: string[] = [];
  let supplier: SupplierInfo | null = null;
  let history: HistorySummary | null = null;
  let sets: EventSets | null = null;
  const supplierId = hotspot.supplierId ?? (hotspot.entityType === 'supplier' ? hotspot.entityId : null);
  if (supplierId) {
    const to = hotspot.windowEnd ? new Date(hotspot.windowEnd) : new Date();
    const [s, hist] = await Promise.allSettled([
      fetchSupplier(services, supplierId),
      fetchHistory(services, supplierId, isNaN(to.getTime()) ? new Date() : to, historyHours, {
        start: hotspot.windowStart,
        end: hotspot.windowEnd,
      }),
    ]);
    if (s.status === 'fulfilled') supplier = s.value;
    else gaps.push(`supplier: ${(s.reason as Error).message}`);
    if (hist.status === 'fulfilled') {
      history = hist.value.summary;
      sets = hist.value.sets;
    } else gaps.push(`history: ${(hist.reason as Error).message}`);
    if (gaps.length) services.logger.warn({ hotspotId, gaps }, 'recommendations: payload incomplete');
    if (supplier && !hotspot.supplierId) hotspot.supplierId = supplier.id;
  }
  return buildContext(hotspot, supplier, history, gaps, sets);
}
