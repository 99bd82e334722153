// Builds the condensed payload for a hotspot: the hotspot (orchestration), its supplier and the last 48 h of its
// activity (data-core emissionsSeries + events). Each part degrades on its own: a missing supplier or history is
// recorded in `gaps` and the rest is still used.
import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import type { HistorySummary, HotspotContext, HotspotInfo, PeriodStats, Share, SupplierInfo, TopEvent } from './types.ts';
import { diagnose } from './diagnosis.ts';

const lit = (v: unknown) => JSON.stringify(v);

/** Tries documents in order; moves on only when the API does not have the selected fields/arguments. */
async function callFirst<T>(services: PluginServices<any>, plugin: string, docs: string[], vars?: Record<string, unknown>): Promise<T> {
  let last: unknown;
  for (const doc of docs) {
    try {
      return await services.call<T>(plugin, doc, vars);
    } catch (err) {
      last = err;
      const msg = String((err as Error).message);
      if (!/Cannot query field|Unknown argument|Unknown type|must have a selection|must not have a selection|Expected type|is not defined by type|Field .* argument .* is required/.test(msg)) throw err;
    }
  }
  throw last;
}

const HOTSPOT_DOCS = [
  `query RecHotspot($id: ID!) { hotspot(id: $id) { id entityType entityId entityName supplier { id } predictedKg baselineKg percentAbove severity status windowStart windowEnd } }`,
  `query RecHotspotMin($id: ID!) { hotspot(id: $id) { id entityType entityId supplier { id } predictedKg baselineKg percentAbove severity status } }`,
];

export async function fetchHotspot(services: PluginServices<any>, id: string): Promise<HotspotInfo | null> {
  const data = await callFirst<{ hotspot: any }>(services, 'orchestration', HOTSPOT_DOCS, { id });
  const h = data.hotspot;
  if (!h) return null;
  return {
    id: h.id,
    entityType: String(h.entityType ?? 'supplier').toLowerCase(),
    entityId: String(h.entityId ?? ''),
    entityName: h.entityName ?? null,
    supplierId: h.supplier?.id ?? null,
    predictedKg: Number(h.predictedKg) || 0,
    baselineKg: Number(h.baselineKg) || 0,
    percentAbove: Number(h.percentAbove) || 0,
    severity: String(h.severity ?? 'WARN').toLowerCase(),
    status: String(h.status ?? 'OPEN').toLowerCase(),
    windowStart: h.windowStart ?? null,
    windowEnd: h.windowEnd ?? null,
  };
}

const SUPPLIER_DOCS = [
  `query RecSupplier($id: ID!) { supplier(id: $id) { id name category country fleetInfo baselineEmissionKgPerHour } }`,
  `query RecSupplierMin($id: ID!) { supplier(id: $id) { id name category country baselineEmissionKgPerHour } }`,
];

export async function fetchSupplier(services: PluginServices<any>, id: string): Promise<SupplierInfo | null> {
  const data = await callFirst<{ supplier: any }>(services, 'data-core', SUPPLIER_DOCS, { id });
  const s = data.supplier;
  if (!s) return null;
  return {
    id: s.id,
    name: s.name,
    category: String(s.category ?? 'transport').toLowerCase(),
    country: s.country ?? null,
    fleetInfo: s.fleetInfo ?? null,
    baselineEmissionKgPerHour: s.baselineEmissionKgPerHour ?? null,
  };
}

const EVENT_FIELDS =
  'id eventType timestamp co2eKg vehicleType fuelType distanceKm loadKg tonneKm fuelL speedKmh idleMinutes stops refrigerated energyKwh productionUnits areaM2 route dataSource attributes';
const EVENT_FIELDS_MIN = 'id eventType timestamp co2eKg vehicleType fuelType distanceKm loadKg speedKmh idleMinutes stops refrigerated energyKwh route';

/** Up to 1000 of the supplier's events in [from, to), newest first; `complete` = nothing was left out. */
async function fetchEvents(services: PluginServices<any>, supplierId: string, from: string, to: string): Promise<{ events: any[]; complete: boolean }> {
  const filter = `{ supplierIds: [${lit(supplierId)}], from: ${lit(from)}, to: ${lit(to)} }`;
  const data = await callFirst<{ events: any }>(services, 'data-core', [
    `{ events(filter: ${filter}, first: 1000) { nodes { ${EVENT_FIELDS} } pageInfo { hasNextPage } } }`,
    `{ events(filter: ${filter}, first: 1000) { edges { node { ${EVENT_FIELDS_MIN} } } } }`,
    `{ events(filter: ${filter}, first: 1000) { nodes { ${EVENT_FIELDS_MIN} } } }`,
  ]);
  const events = data.events.edges ? data.events.edges.map((e: any) => e.node) : (data.events.nodes ?? []);
  return { events, complete: data.events.pageInfo ? !data.events.pageInfo.hasNextPage : events.length < 1000 };
}

/** The hotspot window (orchestration's) and the span before it the diagnosis compares with. */
export interface EventSets {
  window: any[];
  before: any[];
  windowHours: number;
  beforeHours: number;
}

export async function fetchHistory(
  services: PluginServices<any>,
  supplierId: string,
  to: Date,
  hours: number,
  window?: { start: string | null; end: string | null },
): Promise<{ summary: HistorySummary; sets: EventSets | null }> {
  const from = new Date(to.getTime() - hours * 3_600_000);
  const f = from.toISOString();
  const t = to.toISOString();
  // Literals, not variables: works whatever scalar data-core uses for timestamps (String or DateTime).
  const series = await services.call<{ emissionsSeries: any[] }>(
    'data-core',
    `{ emissionsSeries(from: ${lit(f)}, to: ${lit(t)}, bucket: HOUR, groupBy: NONE, supplierIds: [${lit(supplierId)}]) { bucketStart co2eKg eventCount realCount predictedCount } }`,
  );
  const wEnd = window?.end && !Number.isNaN(Date.parse(window.end)) ? new Date(window.end) : to;
  const wStart = window?.start && !Number.isNaN(Date.parse(window.start)) ? new Date(window.start) : new Date(wEnd.getTime() - 3_600_000);
  let sets: EventSets | null = null;
  let events: any[] = [];
  try {
    const [inW, before] = await Promise.all([
      fetchEvents(services, supplierId, wStart.toISOString(), wEnd.toISOString()),
      fetchEvents(services, supplierId, new Date(wStart.getTime() - hours * 3_600_000).toISOString(), wStart.toISOString()),
    ]);
    const spanH = (set: { events: any[]; complete: boolean }, start: Date, end: Date) => {
      if (set.complete || !set.events.length) return (end.getTime() - start.getTime()) / 3_600_000;
      // only the newest 1000 came back: rates over the span they cover
      const oldest = Math.min(...set.events.map((e) => Date.parse(e.timestamp)));
      return Math.max(1 / 60, (end.getTime() - oldest) / 3_600_000);
    };
    sets = {
      window: inW.events,
      before: before.events,
      windowHours: spanH(inW, wStart, wEnd),
      beforeHours: spanH(before, new Date(wStart.getTime() - hours * 3_600_000), wStart),
    };
    events = [...inW.events, ...before.events.filter((e) => Date.parse(e.timestamp) >= from.getTime())];
  } catch (err) {
    services.logger.warn({ err: (err as Error).message, supplierId }, 'recommendations: events of the last hours unavailable; summarising the series only');
  }
  return { summary: summarise(series.emissionsSeries ?? [], events, f, t, window), sets };
}

function shares(events: any[], key: (e: any) => string | null | undefined): Share[] {
  const m = new Map<string, number>();
  let total = 0;
  for (const e of events) {
    const v = key(e);
    const kg = Math.max(0, Number(e.co2eKg) || 0);
    total += kg;
    if (!v) continue;
    const k = String(v).toLowerCase();
    m.set(k, (m.get(k) ?? 0) + kg);
  }
  return [...m.entries()]
    .map(([value, co2eKg]) => ({ value, co2eKg: round(co2eKg), share: total > 0 ? round(co2eKg / total, 3) : 0 }))
    .sort((a, b) => b.co2eKg - a.co2eKg);
}

const mean = (xs: (number | null | undefined)[]): number | null => {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return v.length ? round(v.reduce((a, b) => a + b, 0) / v.length) : null;
};

export const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

function periodStats(events: any[]): PeriodStats | null {
  if (!events.length) return null;
  const kg = events.reduce((a, e) => a + (Number(e.co2eKg) || 0), 0);
  return {
    events: events.length,
    co2eKg: round(kg),
    kgPerEvent: round(kg / events.length),
    avgLoadKg: mean(events.map((e) => e.loadKg)),
    avgIdleMin: mean(events.map((e) => e.idleMinutes)),
    avgSpeedKmh: mean(events.map((e) => e.speedKmh)),
    avgDistanceKm: mean(events.map((e) => e.distanceKm)),
    avgStops: mean(events.map((e) => e.stops)),
    refrigeratedShare: round(events.filter((e) => e.refrigerated === true).length / events.length, 3),
  };
}

export function summarise(series: any[], events: any[], from: string, to: string, window?: { start: string | null; end: string | null }): HistorySummary {
  let totalKg = 0;
  let eventCount = 0;
  let realCount = 0;
  let predictedCount = 0;
  let peak: { bucketStart: string; co2eKg: number } | null = null;
  let hoursWithData = 0;
  for (const b of series) {
    const kg = Number(b.co2eKg) || 0;
    totalKg += kg;
    eventCount += Number(b.eventCount) || 0;
    realCount += Number(b.realCount) || 0;
    predictedCount += Number(b.predictedCount) || 0;
    if (kg > 0) hoursWithData++;
    if (!peak || kg > peak.co2eKg) peak = { bucketStart: String(b.bucketStart), co2eKg: round(kg) };
  }
  const top: TopEvent[] = [...events]
    .sort((a, b) => (Number(b.co2eKg) || 0) - (Number(a.co2eKg) || 0))
    .slice(0, 5)
    .map((e) => ({
      id: e.id,
      eventType: String(e.eventType ?? '').toLowerCase(),
      timestamp: e.timestamp,
      co2eKg: round(Number(e.co2eKg) || 0),
      vehicleType: e.vehicleType ?? null,
      fuelType: e.fuelType ?? null,
      distanceKm: e.distanceKm ?? null,
      loadKg: e.loadKg ?? null,
      route: e.route ?? null,
    }));
  const refrigerated = events.filter((e) => e.refrigerated === true).length;
  return {
    from,
    to,
    totalKg: round(totalKg),
    eventCount,
    realCount,
    predictedCount,
    peakHour: peak,
    meanKgPerHour: hoursWithData ? round(totalKg / hoursWithData) : 0,
    sampledEvents: events.length,
    eventTypes: shares(events, (e) => e.eventType),
    vehicleTypes: shares(events, (e) => e.vehicleType),
    fuelTypes: shares(events, (e) => e.fuelType),
    avgLoadKg: mean(events.map((e) => e.loadKg)),
    avgSpeedKmh: mean(events.map((e) => e.speedKmh)),
    avgDistanceKm: mean(events.map((e) => e.distanceKm)),
    avgIdleMin: mean(events.map((e) => e.idleMinutes)),
    avgStops: mean(events.map((e) => e.stops)),
    refrigeratedShare: events.length ? round(refrigerated / events.length, 3) : 0,
    energyKwh: round(events.reduce((a, e) => a + (Number(e.energyKwh) || 0), 0)),
    topEvents: top,
    ...splitByWindow(events, window),
  };
}

function splitByWindow(events: any[], window?: { start: string | null; end: string | null }) {
  const start = window?.start ? Date.parse(window.start) : NaN;
  if (Number.isNaN(start)) return { inWindow: null, beforeWindow: null };
  const end = window?.end ? Date.parse(window.end) : Infinity;
  const inside: any[] = [];
  const before: any[] = [];
  for (const e of events) {
    const t = Date.parse(e.timestamp);
    if (t >= start && t < end) inside.push(e);
    else if (t < start) before.push(e);
  }
  return { inWindow: periodStats(inside), beforeWindow: periodStats(before) };
}

export function vehicleClass(v: string): string | null {
  const s = v.toLowerCase();
  if (/bike|cycle/.test(s)) return 'bike';
  if (/fork ?lift/.test(s)) return 'forklift';
  if (/\bvan\b|van[_ -]|lgv|sprinter|light commercial/.test(s) || s === 'van') return 'van';
  if (/truck|hgv|rigid|artic|tractor|lorry|semi|trailer/.test(s)) return 'truck';
  return null;
}

export function fuelClass(v: string): string | null {
  const s = v.toLowerCase();
  if (/hvo|renewable diesel/.test(s)) return 'hvo';
  if (/bio ?diesel|fame|b20|b100/.test(s)) return 'biodiesel';
  if (/electric|battery|\bbev\b|\bev\b/.test(s)) return 'electric';
  if (/cng|lng|gas|methane/.test(s)) return 'gas';
  if (/petrol|gasoline/.test(s)) return 'petrol';
  if (/diesel|gasoil|b7/.test(s)) return 'diesel';
  return null;
}

const CATEGORY_OF_EVENT: Record<string, string> = { transport: 'transport', factory: 'factory', warehouse: 'warehouse', delivery: 'delivery' };

/** Derives category, vehicle/fuel classes and operating signals from what was collected. */
export function buildContext(hotspot: HotspotInfo, supplier: SupplierInfo | null, history: HistorySummary | null, gaps: string[], sets: EventSets | null = null): HotspotContext {
  const h = history;
  const dominantEventType = h?.eventTypes[0]?.value;
  const category =
    supplier?.category ?? (dominantEventType && CATEGORY_OF_EVENT[dominantEventType]) ?? CATEGORY_OF_EVENT[hotspot.entityType] ?? 'transport';
  const fleet = supplier?.fleetInfo && typeof supplier.fleetInfo === 'object' ? JSON.stringify(supplier.fleetInfo) : '';
  const vehicleStrings = [...(h?.vehicleTypes.map((v) => v.value) ?? [])];
  const fuelStrings = [...(h?.fuelTypes.map((v) => v.value) ?? [])];
  // Fleet metadata counts when the events say nothing.
  if (!vehicleStrings.length && fleet) vehicleStrings.push(...(fleet.match(/[a-z_ -]*(truck|van|hgv|rigid|artic|bike|lorry)[a-z_ -]*/gi) ?? []));
  if (!fuelStrings.length && fleet) fuelStrings.push(...(fleet.match(/diesel|petrol|electric|cng|lng|hvo|biodiesel/gi) ?? []));
  const vehicleClasses = [...new Set(vehicleStrings.map(vehicleClass).filter((x): x is string => !!x))];
  const fuelClasses = [...new Set(fuelStrings.map(fuelClass).filter((x): x is string => !!x))];
  const signals: string[] = [];
  if (h) {
    // What the hotspot window looks like (falls back to the whole period when no sampled event is inside it).
    const w = h.inWindow ?? h;
    if (w.refrigeratedShare >= 0.2) signals.push('refrigerated');
    if ((w.avgIdleMin ?? 0) >= 20) signals.push('idling');
    if ((w.avgSpeedKmh ?? 0) >= 80) signals.push('high speed');
    if ((w.avgDistanceKm ?? 0) >= 250) signals.push('long haul');
    if ((w.avgStops ?? 0) >= 15) signals.push('urban');
    if (h.energyKwh > 0) signals.push('electricity');
    // Load factor proxy (no capacity in the events): average payload well below a typical vehicle's.
    const load = w.avgLoadKg;
    if (load !== null && ((vehicleClasses.includes('truck') && load < 8000) || (vehicleClasses.includes('van') && load < 400))) signals.push('low load');
  }
  if (category === 'delivery' && !signals.includes('urban')) signals.push('urban');
  const excessKg = Math.max(0, hotspot.predictedKg - hotspot.baselineKg);
  const diagnosis = diagnose({
    windowEvents: sets?.window ?? [],
    beforeEvents: sets?.before ?? [],
    windowHours: sets?.windowHours ?? 1,
    beforeHours: sets?.beforeHours ?? 1,
    excessKg,
    category,
  });
  return {
    hotspot,
    supplier,
    history,
    category,
    vehicleClasses,
    fuelClasses,
    signals,
    excessKg,
    gaps,
    diagnosis,
  };
}

/** Collects everything for one hotspot; null when orchestration does not know it. */
export async function collectContext(services: PluginServices<any>, hotspotId: string, historyHours: number): Promise<HotspotContext | null> {
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
      fetchHistory(services, supplierId, isNaN(to.getTime()) ? new Date() : to, historyHours, { start: hotspot.windowStart, end: hotspot.windowEnd }),
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
