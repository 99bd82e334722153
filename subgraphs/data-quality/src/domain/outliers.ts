// Outlier detection: IQR fences per metric and DBSCAN noise over robust-standardized features, within groups of
// comparable events (same supplier, event type and vehicle type). Pure: events in, flags out.
//
// What is judged (README "Outliers"): intensities, not raw kg — events of different sizes differ in kg for good
// reasons. Transport/delivery: kg CO2e per t·km (per km when there is no load), plus the activity itself (distance,
// load) for plausibility; factories: kg CO2e per production unit; warehouses: kg CO2e per m². kg per event only for
// events that carry no size at all. Spreads are floored at a relative ε (default 10 %): data computed as
// activity × one factor have an IQR of ~0, and floating-point noise must not become "outliers".
import { iqrOutliers, median } from './iqr.ts';
import { dbscan, robustStandardize } from './dbscan.ts';

export interface OutlierEvent {
  id: string;
  supplierId: string;
  supplierName?: string | null;
  timestamp: string;
  co2eKg: number;
  distanceKm: number | null;
  loadKg: number | null;
  tonneKm: number | null;
  /** TRANSPORT | DELIVERY | FACTORY | WAREHOUSE (absent: treated as transport-like when it has distance). */
  eventType?: string | null;
  vehicleType?: string | null;
  productionUnits?: number | null;
  areaM2?: number | null;
}

export type Metric =
  | 'co2e_per_tkm'
  | 'co2e_per_km'
  | 'co2e_per_unit'
  | 'co2e_per_m2'
  | 'distance_km'
  | 'load_kg'
  | 'co2e_per_event';

export const METRIC_LABEL: Record<Metric | 'features', string> = {
  co2e_per_tkm: 'co2e per t·km (kg CO2e/t·km)',
  co2e_per_km: 'co2e per km (kg CO2e/km)',
  co2e_per_unit: 'co2e per production unit (kg CO2e/unit)',
  co2e_per_m2: 'co2e per m² (kg CO2e/m²)',
  distance_km: 'distance (km)',
  load_kg: 'load (kg)',
  co2e_per_event: 'co2e per event (kg CO2e; the event carries no size)',
  features: 'distance, load, co2e per t·km',
};

const pos = (x: number | null | undefined): x is number => x != null && Number.isFinite(x) && x > 0;

/** The intensity an event is judged on (null when it has none). */
export function intensityOf(e: OutlierEvent): { metric: Metric; value: number } | null {
  const type = (e.eventType ?? '').toUpperCase();
  if (type === 'FACTORY')
    return pos(e.productionUnits) ? { metric: 'co2e_per_unit', value: e.co2eKg / e.productionUnits } : null;
  if (type === 'WAREHOUSE') return pos(e.areaM2) ? { metric: 'co2e_per_m2', value: e.co2eKg / e.areaM2 } : null;
  if (pos(e.tonneKm)) return { metric: 'co2e_per_tkm', value: e.co2eKg / e.tonneKm };
  if (pos(e.distanceKm)) return { metric: 'co2e_per_km', value: e.co2eKg / e.distanceKm };
  return null;
}

export function metricValue(e: OutlierEvent, m: Metric): number | null {
  switch (m) {
    case 'distance_km':
      return e.distanceKm;
    case 'load_kg':
      return e.loadKg;
    case 'co2e_per_event':
      return intensityOf(e) === null ? e.co2eKg : null;
    default: {
      const i = intensityOf(e);
      return i && i.metric === m ? i.value : null;
    }
  }
}

export interface Thresholds {
  iqrK: number;
  /**
   * Fences on log values (multiplicative: Q1·(Q3/Q1)^−k … Q3·(Q3/Q1)^k) for these strictly positive, right-skewed
   * metrics (products and ratios of measured quantities); false = plain linear fences.
   */
  iqrLog?: boolean;
  /**
   * Relative floor ε on the spread: IQR ≥ ε·|median| (log scale: IQR ≥ ln(1 + ε)); DBSCAN's robust scale is floored
   * the same way. Default 0.1.
   */
  iqrRelFloor?: number;
  dbscanEps: number;
  dbscanMinPts: number;
  minSamples: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  iqrK: 1.5,
  iqrLog: true,
  iqrRelFloor: 0.1,
  dbscanEps: 1,
  dbscanMinPts: 10,
  minSamples: 20,
};

export interface OutlierFlag {
  eventId: string;
  supplierId: string;
  timestamp: string;
  method: 'iqr' | 'dbscan';
  metric: Metric | 'features';
  value: number | null;
  lowerFence: number | null;
  upperFence: number | null;
  reason: string;
}

const sig = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Number(x.toPrecision(3)).toString());
const METRICS: Metric[] = [
  'co2e_per_tkm',
  'co2e_per_km',
  'co2e_per_unit',
  'co2e_per_m2',
  'distance_km',
  'load_kg',
  'co2e_per_event',
];

/** Comparable events: same event type and vehicle type (a van is not judged against the trucks). */
export function groupKey(e: OutlierEvent): string {
  return `${(e.eventType ?? '').toUpperCase()}|${(e.vehicleType ?? '').toLowerCase().trim()}`;
}

/** Flags of one supplier's events (all real events of the window, so fences reflect the supplier's distribution). */
export function supplierOutliers(events: readonly OutlierEvent[], t: Thresholds): OutlierFlag[] {
  const groups = new Map<string, OutlierEvent[]>();
  for (const e of events) {
    const k = groupKey(e);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(e);
  }
  return [...groups.values()].flatMap((g) => groupOutliers(g, t));
}

function groupOutliers(events: readonly OutlierEvent[], t: Thresholds): OutlierFlag[] {
  if (events.length < t.minSamples) return [];
  const who = events[0].supplierName ? `${events[0].supplierName} (${events[0].supplierId})` : events[0].supplierId;
  const eps = t.iqrRelFloor ?? DEFAULT_THRESHOLDS.iqrRelFloor!;
  const log = t.iqrLog !== false;
  const floorText = eps > 0 ? `, spread floor ${sig(eps * 100)} %` : '';
  const flags: OutlierFlag[] = [];
  for (const m of METRICS) {
    const idx: number[] = [];
    const vals: number[] = [];
    events.forEach((e, i) => {
      const v = metricValue(e, m);
      if (v != null && Number.isFinite(v) && (!log || v > 0)) {
        idx.push(i);
        vals.push(log ? Math.log(v) : v);
      }
    });
    if (vals.length < t.minSamples) continue;
    const minIqr = log ? Math.log1p(eps) : eps * Math.abs(median(vals));
    const { fences: f, outliers } = iqrOutliers(vals, t.iqrK, minIqr);
    if (!(f.iqr > 0)) continue; // ε = 0 and a constant metric: no spread to judge by
    const fences = log ? { lower: Math.exp(f.lower), upper: Math.exp(f.upper) } : f;
    for (const o of outliers) {
      const e = events[idx[o.index]];
      const value = log ? Math.exp(o.value) : o.value;
      const fence = o.side === 'above' ? fences.upper : fences.lower;
      flags.push({
        eventId: e.id,
        supplierId: e.supplierId,
        timestamp: e.timestamp,
        method: 'iqr',
        metric: m,
        value,
        lowerFence: fences.lower,
        upperFence: fences.upper,
        reason: `${METRIC_LABEL[m]} ${sig(value)} ${o.side} IQR ${o.side === 'above' ? 'upper' : 'lower'} fence ${sig(fence)} (k=${t.iqrK}${log ? ', log scale' : ''}${floorText}) for supplier ${who}`,
      });
    }
  }
  // DBSCAN over events that carry distance, load and t·km: on log values, robust z with the same relative floor.
  const withAll = events.filter((e) => pos(e.distanceKm) && pos(e.loadKg) && pos(e.tonneKm) && e.co2eKg > 0);
  if (withAll.length >= t.minSamples) {
    const raw = withAll.map((e) => [e.distanceKm!, e.loadKg!, e.co2eKg / e.tonneKm!]);
    const floor = Math.log1p(eps) / 1.349; // an IQR of ln(1 + ε) as a normal-consistent scale
    const z = robustStandardize(
      raw.map((r) => r.map(Math.log)),
      [floor, floor, floor],
    );
    const { noise } = dbscan(z, t.dbscanEps, t.dbscanMinPts);
    for (const i of noise) {
      const e = withAll[i];
      const [d, l, c] = raw[i];
      flags.push({
        eventId: e.id,
        supplierId: e.supplierId,
        timestamp: e.timestamp,
        method: 'dbscan',
        metric: 'features',
        value: null,
        lowerFence: null,
        upperFence: null,
        reason: `DBSCAN noise: (distance ${sig(d)} km, load ${sig(l)} kg, co2e per t·km ${sig(c)}) has fewer than ${t.dbscanMinPts} neighbours within eps ${t.dbscanEps} (robust z of log values${floorText}) for supplier ${who}`,
      });
    }
  }
  return flags;
}
