// The condensed payload of a hotspot (pure): its last hours summarised (series and sampled events, split around the
// hotspot window), the classes and operating signals derived from them, and the diagnosis. src/peers.ts fetches the
// inputs from orchestration and data-core.
import type {
  HistorySummary,
  HotspotContext,
  HotspotInfo,
  PeriodStats,
  Share,
  SupplierInfo,
  TopEvent,
} from './types.ts';
import { diagnose, type DiagEvent } from './diagnosis.ts';

/** One of the supplier's events as summarised (data-core's Event, the fields recommendations select). */
export interface HistoryEvent extends DiagEvent {
  id: string;
  fuelType?: string | null;
  stops?: number | null;
  refrigerated?: boolean | null;
  energyKwh?: number | null;
  route?: string | null;
}

/** One hourly bucket of data-core's emissions series. */
export interface SeriesBucket {
  bucketStart: string;
  co2eKg: number;
  eventCount: number;
  realCount: number;
  predictedCount: number;
}

/** The hotspot window (orchestration's) and the span before it the diagnosis compares with. */
export interface EventSets {
  window: HistoryEvent[];
  before: HistoryEvent[];
  windowHours: number;
  beforeHours: number;
}

function shares(events: HistoryEvent[], key: (e: HistoryEvent) => string | null | undefined): Share[] {
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

function periodStats(events: HistoryEvent[]): PeriodStats | null {
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

export function summarise(
  series: SeriesBucket[],
  events: HistoryEvent[],
  from: string,
  to: string,
  window?: { start: string | null; end: string | null },
): HistorySummary {
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

function splitByWindow(events: HistoryEvent[], window?: { start: string | null; end: string | null }) {
  const start = window?.start ? Date.parse(window.start) : NaN;
  if (Number.isNaN(start)) return { inWindow: null, beforeWindow: null };
  const end = window?.end ? Date.parse(window.end) : Infinity;
  const inside: HistoryEvent[] = [];
  const before: HistoryEvent[] = [];
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

const CATEGORY_OF_EVENT: Record<string, string> = {
  transport: 'transport',
  factory: 'factory',
  warehouse: 'warehouse',
  delivery: 'delivery',
};

/** Derives category, vehicle/fuel classes and operating signals from what was collected. */
export function buildContext(
  hotspot: HotspotInfo,
  supplier: SupplierInfo | null,
  history: HistorySummary | null,
  gaps: string[],
  sets: EventSets | null = null,
): HotspotContext {
  const h = history;
  const dominantEventType = h?.eventTypes[0]?.value;
  const category =
    supplier?.category ??
    (dominantEventType && CATEGORY_OF_EVENT[dominantEventType]) ??
    CATEGORY_OF_EVENT[hotspot.entityType] ??
    'transport';
  const fleet = supplier?.fleetInfo && typeof supplier.fleetInfo === 'object' ? JSON.stringify(supplier.fleetInfo) : '';
  const vehicleStrings = [...(h?.vehicleTypes.map((v) => v.value) ?? [])];
  const fuelStrings = [...(h?.fuelTypes.map((v) => v.value) ?? [])];
  // Fleet metadata counts when the events say nothing.
  if (!vehicleStrings.length && fleet)
    vehicleStrings.push(...(fleet.match(/[a-z_ -]*(truck|van|hgv|rigid|artic|bike|lorry)[a-z_ -]*/gi) ?? []));
  if (!fuelStrings.length && fleet)
    fuelStrings.push(...(fleet.match(/diesel|petrol|electric|cng|lng|hvo|biodiesel/gi) ?? []));
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
    if (
      load !== null &&
      ((vehicleClasses.includes('truck') && load < 8000) || (vehicleClasses.includes('van') && load < 400))
    )
      signals.push('low load');
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
