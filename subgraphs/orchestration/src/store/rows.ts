// Database rows (snake_case, lower-case enums) -> GraphQL objects (camelCase, UPPER_CASE enums).
import { encodeCursor, toIso as iso } from '@carbon-nexus/plugin-sdk';
import type { HotspotStatus, Severity } from '../generated/resolvers-types.ts';

export interface HotspotRow {
  id: string;
  entity_type: string;
  entity_id: string;
  entity_name: string | null;
  supplier_id: string | null;
  metric_value: number;
  baseline: number;
  percent_above: number;
  event_count: number | null;
  baseline_spread: number | null;
  baseline_method: string | null;
  baseline_events: number | null;
  backfill: boolean;
  severity: string;
  status: string;
  window_start: Date;
  window_end: Date;
  detected_at: Date;
  updated_at: Date;
  resolved_at: Date | null;
}

export const HOTSPOT_COLUMNS = `id::text AS id, entity_type, entity_id, entity_name, supplier_id::text AS supplier_id, metric_value, baseline,
  percent_above, event_count, baseline_spread, baseline_method, baseline_events, backfill, severity, status, window_start, window_end,
  detected_at, updated_at, resolved_at`;

export const severityRank = (s: string) => (s === 'critical' ? 3 : s === 'warn' ? 2 : 1);

/** hotspots() order: severity rank, percent above, id (all descending). */
export const HOTSPOT_CURSOR = ['int', 'number', 'uuid'] as const;
export const hotspotCursor = (h: HotspotRow) => encodeCursor([severityRank(h.severity), Number(h.percent_above), h.id]);

export function hotspotToGraph(h: HotspotRow) {
  return {
    id: h.id,
    entityType: h.entity_type,
    entityId: h.entity_id,
    entityName: h.entity_name,
    supplier: h.supplier_id ? { id: h.supplier_id } : null,
    supplierId: h.supplier_id,
    predictedKg: Number(h.metric_value),
    baselineKg: Number(h.baseline),
    percentAbove: Number(h.percent_above),
    eventCount: h.event_count == null ? null : Number(h.event_count),
    baselineSpreadKg: h.baseline_spread == null ? null : Number(h.baseline_spread),
    excessSigmas:
      h.baseline_spread != null && Number(h.baseline_spread) > 0
        ? (Number(h.metric_value) - Number(h.baseline)) / Number(h.baseline_spread)
        : null,
    baselineMethod: h.baseline_method,
    baselineEvents: h.baseline_events == null ? null : Number(h.baseline_events),
    backfill: h.backfill,
    severity: h.severity.toUpperCase() as Severity,
    status: h.status.toUpperCase() as HotspotStatus,
    windowStart: iso(h.window_start),
    windowEnd: iso(h.window_end),
    detectedAt: iso(h.detected_at),
    updatedAt: iso(h.updated_at),
    resolvedAt: iso(h.resolved_at),
  };
}

export interface AlertRow {
  id: string;
  seq: string | bigint;
  hotspot_id: string;
  supplier_id: string | null;
  level: string;
  percent_above: number;
  message: string;
  created_at: Date;
  acknowledged_by: string | null;
  acknowledged_at: Date | null;
  backfill: boolean;
}

export const ALERT_COLUMNS = `id::text AS id, seq, hotspot_id::text AS hotspot_id, supplier_id::text AS supplier_id, level, percent_above, message, created_at,
  acknowledged_by, acknowledged_at, backfill`;

export function alertToGraph(a: AlertRow) {
  return {
    id: a.id,
    cursor: String(a.seq),
    hotspotId: a.hotspot_id,
    hotspot: { id: a.hotspot_id },
    supplierId: a.supplier_id,
    supplier: a.supplier_id ? { id: a.supplier_id } : null,
    level: a.level.toUpperCase() as Severity,
    percentAbove: Number(a.percent_above ?? 0),
    message: a.message,
    createdAt: iso(a.created_at),
    acknowledgedBy: a.acknowledged_by,
    acknowledgedAt: iso(a.acknowledged_at),
    backfill: a.backfill,
  };
}

export interface BaselineRow {
  id: string;
  entity_type: string;
  entity_id: string;
  hour_of_week: number;
  value: number;
  spread: number | null;
  events: number | null;
  samples: number;
  method: string;
  window_start: Date | null;
  window_end: Date | null;
  is_override: boolean;
  updated_at: Date;
}

export const BASELINE_COLUMNS = `id::text AS id, entity_type, entity_id, hour_of_week, value, spread, events, samples, method, window_start, window_end, is_override, updated_at`;

export function baselineToGraph(b: BaselineRow) {
  return {
    id: b.id,
    entityType: b.entity_type,
    entityId: b.entity_id,
    hourOfWeek: b.hour_of_week === -1 ? null : b.hour_of_week,
    valueKgPerHour: Number(b.value),
    spreadKgPerHour: b.spread == null ? null : Number(b.spread),
    samples: Number(b.samples ?? 0),
    eventsPerHour: b.events == null ? null : Number(b.events),
    method: b.method,
    windowStart: iso(b.window_start),
    windowEnd: iso(b.window_end),
    isOverride: b.is_override,
    updatedAt: iso(b.updated_at),
  };
}
