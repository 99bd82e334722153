// Outlier detection per supplier: IQR fences per metric and DBSCAN noise over robust-standardized features
// (distance, load, kg CO2e per t·km). Pure: events in, flags out.
import { iqrOutliers } from './iqr.ts';
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
}

export type Metric = 'co2e_per_event' | 'distance_km' | 'load_kg' | 'co2e_per_tkm';

export const METRIC_LABEL: Record<Metric | 'features', string> = {
  co2e_per_event: 'co2e per event (kg CO2e)',
  distance_km: 'distance (km)',
  load_kg: 'load (kg)',
  co2e_per_tkm: 'co2e per t·km (kg CO2e/t·km)',
  features: 'distance, load, co2e per t·km',
};

export function metricValue(e: OutlierEvent, m: Metric): number | null {
  switch (m) {
    case 'co2e_per_event':
      return e.co2eKg;
    case 'distance_km':
      return e.distanceKm;
    case 'load_kg':
      return e.loadKg;
    case 'co2e_per_tkm':
      return e.tonneKm != null && e.tonneKm > 0 ? e.co2eKg / e.tonneKm : null;
  }
}

export interface Thresholds {
  iqrK: number;
  /**
   * Fences on log values (multiplicative: Q1·(Q3/Q1)^−k … Q3·(Q3/Q1)^k) for these strictly positive, right-skewed
   * metrics (products and ratios of measured quantities); false = plain linear fences.
   */
  iqrLog?: boolean;
  dbscanEps: number;
  dbscanMinPts: number;
  minSamples: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { iqrK: 1.5, iqrLog: true, dbscanEps: 1, dbscanMinPts: 10, minSamples: 20 };

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

/** Flags of one supplier's events (all real events of the window, so fences reflect the supplier's distribution). */
export function supplierOutliers(events: readonly OutlierEvent[], t: Thresholds): OutlierFlag[] {
  if (events.length < t.minSamples) return [];
  const who = events[0].supplierName ? `${events[0].supplierName} (${events[0].supplierId})` : events[0].supplierId;
  const flags: OutlierFlag[] = [];
  for (const m of ['co2e_per_event', 'distance_km', 'load_kg', 'co2e_per_tkm'] as Metric[]) {
    const idx: number[] = [];
    const vals: number[] = [];
    const log = t.iqrLog !== false;
    events.forEach((e, i) => {
      const v = metricValue(e, m);
      if (v != null && Number.isFinite(v) && (!log || v > 0)) {
        idx.push(i);
        vals.push(log ? Math.log(v) : v);
      }
    });
    if (vals.length < t.minSamples) continue;
    const { fences: f, outliers } = iqrOutliers(vals, t.iqrK);
    if (!(f.iqr > 0)) continue; // a constant metric has no spread to judge by
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
        reason: `${METRIC_LABEL[m]} ${sig(value)} ${o.side} IQR ${o.side === 'above' ? 'upper' : 'lower'} fence ${sig(fence)} (k=${t.iqrK}${log ? ', log scale' : ''}) for supplier ${who}`,
      });
    }
  }
  // DBSCAN over events that carry all three features.
  const withAll = events.filter((e) => e.distanceKm != null && e.loadKg != null && metricValue(e, 'co2e_per_tkm') != null);
  if (withAll.length >= t.minSamples) {
    const raw = withAll.map((e) => [e.distanceKm!, e.loadKg!, metricValue(e, 'co2e_per_tkm')!]);
    const z = robustStandardize(raw);
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
        reason: `DBSCAN noise: (distance ${sig(d)} km, load ${sig(l)} kg, co2e per t·km ${sig(c)}) has fewer than ${t.dbscanMinPts} neighbours within eps ${t.dbscanEps} (robust z) for supplier ${who}`,
      });
    }
  }
  return flags;
}
