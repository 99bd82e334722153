// The hotspot engine. One detection cycle over the window [start, end):
//  1. ONE data-core emissionsSeries call per configured entity type: the window's kg CO2e (data-core's one figure
//     per event) and event count per entity;
//  2. baseline kg for the window = Σ over the hours it overlaps of baseline(hour-of-week) × overlap, with its robust
//     spread (baselines/statistics.ts);
//  3. percentAbove = (predicted − baseline) / baseline × 100 -> level by the entity type's thresholds; the window is
//     evidence only with ≥ minEvents events and an excess beyond the baseline's noise, alone or sustained over the
//     last HOTSPOT_EVIDENCE_HOURS (evidence.ts; one more emissionsSeries call, only when a window needs it);
//  4. inside one transaction (serialized by an advisory lock, so alert and hotspot change seq order = commit order),
//     per entity, the episode rules of episodes.ts: continue (update / escalate / resolve) the hotspot this window
//     moves forward from, create one, or leave hotspots of later windows alone — each kind one set-based statement;
//  5. in the same transaction: each hotspot change into the change log (hotspot_changes, its seq the hotspotDetected
//     resume cursor), then hotspot.changed and alert.raised into the outbox; the host's relay publishes them.
import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import type { SqlQueryable } from '@carbon-nexus/db';
import type { OrchestrationConfig } from '../config.ts';
import { GROUP_OF_ENTITY, emissionsSeries, entityKey, supplierNames } from '../datacore.ts';
import { lookupBaselines } from '../store/baselines.ts';
import { windowBaseline, windowBasis } from '../domain/baseline-statistics.ts';
import { classify, evidenceFor, thresholdsFor, type Level } from '../domain/severity.ts';
import { windowHours } from '../domain/time.ts';
import { effectiveThresholds } from '../store/thresholds.ts';
import { isSignificant, isSustained } from '../domain/evidence.ts';
import { decide, type EpisodeHotspot } from '../domain/episodes.ts';
import { alertRaised, hotspotChanged, type AlertRaised, type HotspotChanged } from '../../client/topics.ts';
import { lockChanges, logHotspotChanges } from '../store/hotspot-changes.ts';

export interface DetectionCounts {
  entitiesEvaluated: number;
  created: number;
  escalated: number;
  updated: number;
  resolved: number;
  alertsRaised: number;
  /** Windows above a threshold without enough evidence (too few events, or an excess within the baseline's noise). */
  suppressed: number;
}

export const emptyCounts = (): DetectionCounts => ({
  entitiesEvaluated: 0,
  created: 0,
  escalated: 0,
  updated: 0,
  resolved: 0,
  alertsRaised: 0,
  suppressed: 0,
});

export interface Measured {
  entityId: string;
  /** kg CO2e in the window (data-core's figure). */
  predicted: number;
  /** Events the window's kg is the sum of. */
  events: number;
  baseline: number;
  /** Robust standard deviation of the window's baseline, kg CO2e. */
  spread: number;
  /** Method of the window's baseline (mixed when its hours differ) and the usual events in such a window. */
  baselineMethod: string | null;
  baselineEvents: number | null;
  percent: number;
  level: Level | null;
  /** Enough evidence to raise or escalate: ≥ minEvents events and an excess beyond the noise bar (alone or sustained). */
  significant: boolean;
}

const LABEL: Record<string, string> = { supplier: 'Supplier', event_type: 'Event type', route: 'Route' };

export function alertMessage(entityType: string, name: string, percent: number, escalatedFrom?: string): string {
  const who = entityType === 'supplier' ? name : `${LABEL[entityType] ?? entityType} ${name}`;
  // Sums in a different order (PGlite vs PostgreSQL) differ in the last bits; drop that noise before rounding
  // so 162.5 reads 163 on both.
  const base = `${who} exceeded emissions by ${Math.round(Math.round(percent * 1e6) / 1e6)}%`;
  return escalatedFrom ? `${base} (escalated from ${escalatedFrom.toUpperCase()})` : base;
}

/** kg and events per entity in [start, end) from ONE data-core emissionsSeries call. */
async function sums(
  services: PluginServices<OrchestrationConfig>,
  entityType: string,
  start: Date,
  end: Date,
): Promise<Map<string, { kg: number; events: number }>> {
  const series = await emissionsSeries(services, start, end, 'HOUR', GROUP_OF_ENTITY[entityType]);
  const out = new Map<string, { kg: number; events: number }>();
  for (const r of series) {
    const id = entityKey(entityType, r.key);
    const p = out.get(id) ?? { kg: 0, events: 0 };
    p.kg += r.co2eKg;
    p.events += r.eventCount;
    out.set(id, p);
  }
  return out;
}

/** Measures every entity with events in the window, plus those with an active hotspot this window may continue. */
async function measure(
  services: PluginServices<OrchestrationConfig>,
  entityType: string,
  start: Date,
  end: Date,
): Promise<Measured[]> {
  const predicted = await sums(services, entityType, start, end);
  // The sustained-evidence span: the last HOTSPOT_EVIDENCE_HOURS ending with the window (when longer than it), read
  // only when some window is above a threshold without enough evidence of its own (rare: most cycles skip it).
  const spanStart = new Date(end.getTime() - services.config.HOTSPOT_EVIDENCE_HOURS * 3_600_000);
  let span: Map<string, { kg: number; events: number }> | null = null;
  const spanSums = async () => (span ??= await sums(services, entityType, spanStart, end));
  const active = await services.db.query<{ entity_id: string }>(
    `SELECT DISTINCT entity_id FROM hotspots WHERE entity_type = $1 AND status IN ('open', 'acknowledged') AND window_end <= $2`,
    [entityType, end],
  );
  const ids = [...new Set([...predicted.keys(), ...active.map((a) => a.entity_id)])];
  const hours = windowHours(start, end);
  const spanHours = spanStart < start ? windowHours(spanStart, end) : [];
  const baselines = await lookupBaselines(
    services.db,
    entityType,
    ids,
    [...hours, ...spanHours].map((h) => h.how),
  );
  // Thresholds and evidence settings set through updateHotspotSettings win over the environment; read every cycle.
  const settings = await effectiveThresholds(services.db, services.config.HOTSPOT_THRESHOLDS);
  const t = thresholdsFor(settings, entityType);
  const evidence = evidenceFor(settings, entityType, {
    minEvents: services.config.HOTSPOT_MIN_EVENTS,
    noiseSigmas: services.config.HOTSPOT_NOISE_SIGMAS,
  });
  const out: Measured[] = [];
  for (const entityId of ids) {
    const byHow = baselines.get(entityId);
    const b = byHow && windowBaseline(hours, byHow);
    if (!b || !(b.value > 0)) continue; // no baseline yet (or an idle hour): nothing to compare with
    const p = predicted.get(entityId) ?? { kg: 0, events: 0 };
    const percent = ((p.kg - b.value) / b.value) * 100;
    const level = classify(percent, t);
    let significant = isSignificant(p, b, evidence);
    // The window keeps its own minimum event count; only the noise test may lean on the longer span.
    if (!significant && level && spanHours.length && p.events >= evidence.minEvents) {
      const sb = windowBaseline(spanHours, byHow);
      significant = !!sb && isSustained((await spanSums()).get(entityId) ?? { kg: 0, events: 0 }, sb, evidence, t.info);
    }
    const basis = windowBasis(hours, byHow);
    const baselineMethod = basis?.method ?? null;
    const baselineEvents = basis?.events ?? null;
    out.push({
      entityId,
      predicted: p.kg,
      events: p.events,
      baseline: b.value,
      spread: b.spread,
      baselineMethod,
      baselineEvents,
      percent,
      level,
      significant,
    });
  }
  return out;
}

export interface Published {
  hotspots: HotspotChanged[];
  alerts: AlertRaised[];
}

interface Active {
  id: string;
  entity_id: string;
  severity: string;
  status: string;
  supplier_id: string | null;
  entity_name: string | null;
  window_start: Date;
  window_end: Date;
}

const ACTIVE_COLUMNS = `id::text AS id, entity_id, severity, status, supplier_id::text AS supplier_id, entity_name, window_start, window_end`;
const episode = (h: Active): EpisodeHotspot => ({
  id: h.id,
  status: h.status,
  severity: h.severity,
  windowStart: new Date(h.window_start),
  windowEnd: new Date(h.window_end),
});

/** One entity type's part of a cycle, inside the cycle's transaction. */
interface Cycle {
  tx: SqlQueryable;
  entityType: string;
  start: Date;
  end: Date;
  /** The window is in the past (backfill): what it creates and raises says so. */
  backfill: boolean;
  counts: DetectionCounts;
  pub: Published;
}

type AlertDraft = {
  hotspotId: string;
  supplierId: string | null;
  level: string;
  reason: string;
  percent: number;
  message: string;
};
type Continued = { h: Active; m: Measured; change: 'escalated' | 'updated' };

const supplierOf = (c: Cycle, id: string) => (c.entityType === 'supplier' ? id : null);

/** Per entity, the hotspots that cover this window's end and the one this window may continue. */
async function activeEpisodes(c: Cycle, ids: string[]) {
  // Hotspots whose span strictly contains this window's end: the window is already covered by them.
  const covering = await c.tx.query<Active>(
    `SELECT ${ACTIVE_COLUMNS} FROM hotspots
     WHERE entity_type = $1 AND entity_id = ANY($2::text[]) AND window_start < $3 AND window_end > $3`,
    [c.entityType, ids, c.end],
  );
  // Per entity, the hotspot ending latest at or before this window's end: the one this window may continue.
  const previous = await c.tx.query<Active>(
    `SELECT DISTINCT ON (entity_id) ${ACTIVE_COLUMNS} FROM hotspots
     WHERE entity_type = $1 AND entity_id = ANY($2::text[]) AND window_end <= $3
     ORDER BY entity_id, window_end DESC, detected_at DESC`,
    [c.entityType, ids, c.end],
  );
  return {
    coveringOf: new Map(covering.map((h) => [h.entity_id, h])),
    previousOf: new Map(previous.map((h) => [h.entity_id, h])),
  };
}

/** The episode rules (domain/episodes.ts) per entity: what to create, continue and resolve. */
async function decideAll(c: Cycle, measured: Measured[], names: Map<string, string>) {
  const { coveringOf, previousOf } = await activeEpisodes(
    c,
    measured.map((m) => m.entityId),
  );
  const creates: (Measured & { name: string })[] = [];
  const changes: Continued[] = [];
  const resolves: { h: Active; m: Measured }[] = [];
  for (const m of measured) {
    const prev = previousOf.get(m.entityId);
    const cover = coveringOf.get(m.entityId);
    const d = decide(m, cover && episode(cover), prev && episode(prev));
    if (m.level && !m.significant && (d.kind === 'none' || d.kind === 'update')) c.counts.suppressed++;
    if (d.kind === 'create') creates.push({ ...m, name: names.get(m.entityId) ?? m.entityId });
    else if (d.kind === 'resolve') resolves.push({ h: prev!, m });
    else if (d.kind === 'escalate' || d.kind === 'update')
      changes.push({ h: prev!, m, change: d.kind === 'escalate' ? 'escalated' : 'updated' });
  }
  c.counts.entitiesEvaluated += measured.length;
  return { creates, changes, resolves };
}

async function createHotspots(c: Cycle, creates: (Measured & { name: string })[], alerts: AlertDraft[]) {
  if (!creates.length) return;
  const rows = await c.tx.query<{ id: string; entity_id: string }>(
    `INSERT INTO hotspots (id, entity_type, entity_id, entity_name, supplier_id, metric_value, baseline, percent_above, severity, status,
                           window_start, window_end, event_count, baseline_spread, baseline_method, baseline_events, backfill,
                           detected_at, updated_at)
     SELECT gen_random_uuid(), $1, c.entity_id, c.name, c.supplier_id::uuid, c.predicted, c.baseline, c.percent, c.level, 'open', $2, $3,
            c.events, c.spread, c.method, c.usual, $15, now(), now()
     FROM unnest($4::text[], $5::text[], $6::text[], $7::float8[], $8::float8[], $9::float8[], $10::text[], $11::int[], $12::float8[],
                 $13::text[], $14::float8[])
       AS c(entity_id, name, supplier_id, predicted, baseline, percent, level, events, spread, method, usual)
     RETURNING id::text AS id, entity_id`,
    [
      c.entityType,
      c.start,
      c.end,
      creates.map((x) => x.entityId),
      creates.map((x) => x.name),
      creates.map((x) => supplierOf(c, x.entityId)),
      creates.map((x) => x.predicted),
      creates.map((x) => x.baseline),
      creates.map((x) => x.percent),
      creates.map((x) => x.level),
      creates.map((x) => x.events),
      creates.map((x) => x.spread),
      creates.map((x) => x.baselineMethod),
      creates.map((x) => x.baselineEvents),
      c.backfill,
    ],
  );
  const idOf = new Map(rows.map((r) => [r.entity_id, r.id]));
  for (const x of creates) {
    const id = idOf.get(x.entityId)!;
    const supplierId = supplierOf(c, x.entityId);
    c.counts.created++;
    c.pub.hotspots.push({
      id,
      change: 'created',
      severity: x.level!,
      supplierId,
      entityType: c.entityType,
      entityId: x.entityId,
      backfill: c.backfill,
    });
    alerts.push({
      hotspotId: id,
      supplierId,
      level: x.level!,
      reason: 'created',
      percent: x.percent,
      message: alertMessage(c.entityType, x.name, x.percent),
    });
  }
}

/** Updates and escalations: severity keeps the peak level while active; an escalation re-opens an acknowledged hotspot. */
async function continueHotspots(c: Cycle, changes: Continued[], names: Map<string, string>, alerts: AlertDraft[]) {
  if (!changes.length) return;
  await c.tx.query(
    `UPDATE hotspots h SET metric_value = u.predicted, baseline = u.baseline, percent_above = u.percent, window_end = $1, updated_at = now(),
            severity = CASE WHEN u.escalate THEN u.level ELSE h.severity END,
            status = CASE WHEN u.escalate THEN 'open' ELSE h.status END,
            entity_name = COALESCE(u.name, h.entity_name), event_count = u.events, baseline_spread = u.spread,
            baseline_method = u.method, baseline_events = u.usual
     FROM unnest($2::uuid[], $3::float8[], $4::float8[], $5::float8[], $6::text[], $7::bool[], $8::text[], $9::int[], $10::float8[],
                 $11::text[], $12::float8[])
       AS u(id, predicted, baseline, percent, level, escalate, name, events, spread, method, usual)
     WHERE h.id = u.id`,
    [
      c.end,
      changes.map((x) => x.h.id),
      changes.map((x) => x.m.predicted),
      changes.map((x) => x.m.baseline),
      changes.map((x) => x.m.percent),
      changes.map((x) => x.m.level),
      changes.map((x) => x.change === 'escalated'),
      changes.map((x) => names.get(x.m.entityId) ?? null),
      changes.map((x) => x.m.events),
      changes.map((x) => x.m.spread),
      changes.map((x) => x.m.baselineMethod),
      changes.map((x) => x.m.baselineEvents),
    ],
  );
  for (const x of changes) {
    const severity = x.change === 'escalated' ? x.m.level! : x.h.severity;
    c.counts[x.change]++;
    c.pub.hotspots.push({
      id: x.h.id,
      change: x.change,
      severity,
      supplierId: x.h.supplier_id,
      entityType: c.entityType,
      entityId: x.m.entityId,
      backfill: c.backfill,
    });
    if (x.change === 'escalated') {
      const name = names.get(x.m.entityId) ?? x.h.entity_name ?? x.m.entityId;
      alerts.push({
        hotspotId: x.h.id,
        supplierId: x.h.supplier_id,
        level: x.m.level!,
        reason: 'escalated',
        percent: x.m.percent,
        message: alertMessage(c.entityType, name, x.m.percent, x.h.severity),
      });
    }
  }
}

async function resolveHotspots(c: Cycle, resolves: { h: Active; m: Measured }[]) {
  if (!resolves.length) return;
  await c.tx.query(
    `UPDATE hotspots h SET status = 'resolved', resolved_at = now(), updated_at = now(), metric_value = u.predicted, baseline = u.baseline,
            percent_above = u.percent, window_end = $1, event_count = u.events, baseline_spread = u.spread,
            baseline_method = u.method, baseline_events = u.usual
     FROM unnest($2::uuid[], $3::float8[], $4::float8[], $5::float8[], $6::int[], $7::float8[], $8::text[], $9::float8[])
       AS u(id, predicted, baseline, percent, events, spread, method, usual)
     WHERE h.id = u.id`,
    [
      c.end,
      resolves.map((r) => r.h.id),
      resolves.map((r) => r.m.predicted),
      resolves.map((r) => r.m.baseline),
      resolves.map((r) => r.m.percent),
      resolves.map((r) => r.m.events),
      resolves.map((r) => r.m.spread),
      resolves.map((r) => r.m.baselineMethod),
      resolves.map((r) => r.m.baselineEvents),
    ],
  );
  for (const r of resolves) {
    c.counts.resolved++;
    const { h, m } = r;
    c.pub.hotspots.push({
      id: h.id,
      change: 'resolved',
      severity: h.severity,
      supplierId: h.supplier_id,
      entityType: c.entityType,
      entityId: m.entityId,
      backfill: c.backfill,
    });
  }
}

/** Alerts in draft order; their seq values (the replay cursor) are published in ascending order. */
async function raiseAlerts(c: Cycle, alerts: AlertDraft[]) {
  if (!alerts.length) return;
  const rows = await c.tx.query<{
    id: string;
    seq: string | bigint;
    hotspot_id: string;
    level: string;
    supplier_id: string | null;
  }>(
    `INSERT INTO alerts (id, hotspot_id, supplier_id, level, reason, percent_above, message, backfill, created_at)
     SELECT gen_random_uuid(), a.hotspot_id, a.supplier_id::uuid, a.level, a.reason, a.percent, a.message, $7, now()
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::text[]) WITH ORDINALITY
       AS a(hotspot_id, supplier_id, level, reason, percent, message, ord)
     ORDER BY a.ord
     RETURNING id, seq, hotspot_id::text AS hotspot_id, level, supplier_id::text AS supplier_id`,
    [
      alerts.map((a) => a.hotspotId),
      alerts.map((a) => a.supplierId),
      alerts.map((a) => a.level),
      alerts.map((a) => a.reason),
      alerts.map((a) => a.percent),
      alerts.map((a) => a.message),
      c.backfill,
    ],
  );
  rows.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
  for (const r of rows) {
    c.pub.alerts.push({
      id: r.id,
      seq: String(r.seq),
      hotspotId: r.hotspot_id,
      level: r.level,
      supplierId: r.supplier_id,
      backfill: c.backfill,
    });
  }
  c.counts.alertsRaised += rows.length;
}

/** One entity type's episodes for this window (serialized by an advisory lock, so seq order = commit order). */
async function apply(c: Cycle, measured: Measured[], names: Map<string, string>): Promise<void> {
  await lockChanges(c.tx);
  const { creates, changes, resolves } = await decideAll(c, measured, names);
  const alerts: AlertDraft[] = [];
  await createHotspots(c, creates, alerts);
  await continueHotspots(c, changes, names, alerts);
  await resolveHotspots(c, resolves);
  await raiseAlerts(c, alerts);
}

/**
 * A cycle over a past window is a backfill: a detection range, or a window (asked for by an analyst) that ended
 * more than one detection window ago. The scheduled job detects the window ending at its tick: live, even late.
 */
export function isBackfill(
  source: 'job' | 'mutation' | 'range',
  end: Date,
  now: number,
  windowMinutes: number,
): boolean {
  return source !== 'job' && end.getTime() < now - windowMinutes * 60_000;
}

/** One detection cycle over [start, end). */
export async function detectWindow(
  services: PluginServices<OrchestrationConfig>,
  start: Date,
  end: Date,
  source: 'job' | 'mutation' | 'range' = 'mutation',
): Promise<DetectionCounts> {
  const started = performance.now();
  const counts = emptyCounts();
  const measuredByType = new Map<string, Measured[]>();
  for (const entityType of services.config.HOTSPOT_ENTITY_TYPES)
    measuredByType.set(entityType, await measure(services, entityType, start, end));
  // Supplier names once per cycle, only for suppliers that may raise an alert.
  const candidates = (measuredByType.get('supplier') ?? []).filter((m) => m.level).map((m) => m.entityId);
  const names = await supplierNames(services, candidates);
  const pub: Published = { hotspots: [], alerts: [] };
  const backfill = isBackfill(source, end, Date.now(), services.config.HOTSPOT_WINDOW_MINUTES);
  await services.db.transaction(async (tx) => {
    for (const [entityType, measured] of measuredByType) {
      const cycle: Cycle = { tx, entityType, start, end, backfill, counts, pub };
      await apply(cycle, measured, entityType === 'supplier' ? names : new Map());
    }
    await tx.query(
      `INSERT INTO detection_runs (id, source, window_start, window_end, entities_evaluated, created, escalated, updated, resolved, alerts_raised, suppressed, duration_ms)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        source,
        start,
        end,
        counts.entitiesEvaluated,
        counts.created,
        counts.escalated,
        counts.updated,
        counts.resolved,
        counts.alertsRaised,
        counts.suppressed,
        performance.now() - started,
      ],
    );
    // The change log commits with the rows (under the lock apply() took); each change carries its seq on the bus.
    await logHotspotChanges(tx, pub.hotspots);
    // Transactional outbox: the events commit with the rows; the relay publishes them (and retries during a bus outage).
    for (const h of pub.hotspots) await services.outbox.enqueue(tx, hotspotChanged, h);
    for (const a of pub.alerts) await services.outbox.enqueue(tx, alertRaised, a);
  });
  services.outbox.kick();
  const m = services.metrics;
  m.histogram('hotspot_detection_seconds', 'Hotspot detection cycle duration', ['source']).observe(
    { source },
    (performance.now() - started) / 1000,
  );
  const changes = m.counter('hotspot_changes_total', 'Hotspot state changes', ['change']);
  for (const k of ['created', 'escalated', 'updated', 'resolved'] as const)
    if (counts[k]) changes.inc({ change: k }, counts[k]);
  const raised = m.counter('alerts_raised_total', 'Alerts raised', ['level']);
  for (const a of pub.alerts) raised.inc({ level: a.level });
  return counts;
}

/** After commit only: the rows are durable before anyone hears about them. */
export async function publish(services: PluginServices<OrchestrationConfig>, pub: Published): Promise<void> {
  for (const h of pub.hotspots) await services.bus.publish(hotspotChanged, h);
  for (const a of pub.alerts) await services.bus.publish(alertRaised, a);
}

/** Batch detection over a historic range, window by window (windows of `windowMinutes`, the last one may be shorter). */
export async function detectRange(
  services: PluginServices<OrchestrationConfig>,
  from: Date,
  to: Date,
  windowMinutes: number,
): Promise<DetectionCounts & { windows: number }> {
  const total = { ...emptyCounts(), windows: 0 };
  const step = windowMinutes * 60_000;
  for (let t = from.getTime(); t < to.getTime(); t += step) {
    const c = await detectWindow(services, new Date(t), new Date(Math.min(t + step, to.getTime())), 'range');
    total.windows++;
    for (const k of Object.keys(c) as (keyof DetectionCounts)[]) total[k] += c[k];
  }
  return total;
}
