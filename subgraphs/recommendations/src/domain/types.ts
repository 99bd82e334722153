// The condensed payload a hotspot is turned into before asking RAG / retrieval / rules.
import type { Diagnosis } from './diagnosis.ts';

export interface HotspotInfo {
  id: string;
  entityType: string;
  entityId: string;
  entityName: string | null;
  supplierId: string | null;
  /** kg CO2e in the hotspot window */
  predictedKg: number;
  /** kg CO2e in the same window */
  baselineKg: number;
  percentAbove: number;
  severity: string;
  status: string;
  windowStart: string | null;
  windowEnd: string | null;
}

export interface SupplierInfo {
  id: string;
  name: string;
  /** transport | factory | warehouse | delivery */
  category: string;
  country: string | null;
  fleetInfo: unknown;
  baselineEmissionKgPerHour: number | null;
}

export interface TopEvent {
  id: string;
  eventType: string;
  timestamp: string;
  co2eKg: number;
  vehicleType: string | null;
  fuelType: string | null;
  distanceKm: number | null;
  loadKg: number | null;
  route: string | null;
}

export interface Share {
  value: string;
  /** share of the summarised kg CO2e, 0–1 */
  share: number;
  co2eKg: number;
}

/** Last-N-hours summary of one supplier's activity (data-core emissionsSeries + events). */
export interface HistorySummary {
  from: string;
  to: string;
  /** kg CO2e over the period (emissionsSeries) */
  totalKg: number;
  eventCount: number;
  realCount: number;
  predictedCount: number;
  peakHour: { bucketStart: string; co2eKg: number } | null;
  /** mean kg CO2e per hour over hours with data */
  meanKgPerHour: number;
  /** the sampled events the shares below are computed from */
  sampledEvents: number;
  eventTypes: Share[];
  vehicleTypes: Share[];
  fuelTypes: Share[];
  avgLoadKg: number | null;
  avgSpeedKmh: number | null;
  avgDistanceKm: number | null;
  avgIdleMin: number | null;
  avgStops: number | null;
  refrigeratedShare: number;
  energyKwh: number;
  topEvents: TopEvent[];
  /** the sampled events inside the hotspot window vs the rest of the period (what changed) */
  inWindow: PeriodStats | null;
  beforeWindow: PeriodStats | null;
}

export interface PeriodStats {
  events: number;
  co2eKg: number;
  kgPerEvent: number | null;
  avgLoadKg: number | null;
  avgIdleMin: number | null;
  avgSpeedKmh: number | null;
  avgDistanceKm: number | null;
  avgStops: number | null;
  refrigeratedShare: number;
}

export interface HotspotContext {
  hotspot: HotspotInfo;
  supplier: SupplierInfo | null;
  history: HistorySummary | null;
  /** transport | factory | warehouse | delivery (supplier category, else derived from the entity/event types) */
  category: string;
  /** normalised vehicle classes seen (truck, van, bike, forklift) */
  vehicleClasses: string[];
  /** normalised fuel classes seen (diesel, petrol, gas, electric, hvo, biodiesel) */
  fuelClasses: string[];
  /** derived operating signals (refrigerated, idling, high speed, long haul, low load, urban, electricity) */
  signals: string[];
  /** predicted − baseline, kg CO2e (≥ 0) */
  excessKg: number;
  /** what failed while collecting (the payload is still usable) */
  gaps: string[];
  /** why the hotspot is above its baseline: the window's events vs the supplier's own before it */
  diagnosis: Diagnosis;
}

export type Source = 'rag' | 'retrieval' | 'rules';
export type CostLevel = 'low' | 'medium' | 'high';

/** A recommendation before it is stored. */
export interface Candidate {
  actionKey: string;
  title: string;
  body: string;
  rootCause: string | null;
  co2ImpactKg: number;
  costEstimate: number | null;
  costLevel: CostLevel | null;
  feasibility: number;
  confidence: number;
  score: number;
  source: Source;
  sourceRef: string | null;
  measureId: string | null;
  evidence: Record<string, unknown>;
}

export const COST_WEIGHT: Record<CostLevel, number> = { low: 1, medium: 1.5, high: 2.5 };
export const COST_ESTIMATE: Record<CostLevel, number> = { low: 2, medium: 5, high: 8 };

export function costLevelOf(estimate: number): CostLevel {
  return estimate <= 3 ? 'low' : estimate <= 6 ? 'medium' : 'high';
}
