// The hotspot engine. One detection cycle over the window [start, end):
//  1. ONE data-core emissionsSeries call per configured entity type: the window's kg CO2e (data-core's one figure
//     per event) and event count per entity;
//  2. baseline kg for the window = Σ over the hours it overlaps of baseline(hour-of-week) × overlap, with its robust
//     spread (baselines/statistics.ts);
//  3. percentAbove = (predicted − baseline) / baseline × 100 -> level by the entity type's thresholds; the window is
//     evidence only with ≥ minEvents events and an excess beyond the baseline's noise, alone or sustained over the
//     last HOTSPOT_EVIDENCE_HOURS (evidence.ts; one more emissionsSeries call, only when a window needs it);
//  4. inside one transaction (serialized by an advisory lock, so alert seq order = commit order), per entity, the
//     episode rules of episodes.ts: continue (update / escalate / resolve) the hotspot this window moves forward
//     from, create one, or leave hotspots of later windows alone — each kind one set-based statement;
//  5. in the same transaction: hotspot.changed and alert.raised into the outbox; the host's relay publishes them.
import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import type { SqlQueryable } from '@carbon-nexus/db';
import type { OrchestrationConfig } from '../config.ts';
import { GROUP_OF_ENTITY, emissionsSeries, entityKey, supplierNames } from '../datacore.ts';
import { lookupBaselines } from '../store/baselines.ts';
import { windowBaseline } from '../domain/baseline-statistics.ts';
import { classify, evidenceFor, thresholdsFor, type Level } from '../domain/severity.ts';
import { windowHours } from '../domain/time.ts';
import { effectiveThresholds } from '../store/thresholds.ts';
import { isSignificant, isSustained } from '../domain/evidence.ts';
import { decide, type EpisodeHotspot } from '../domain/episodes.ts';
import { alertRaised, hotspotChanged, type AlertRaised, type HotspotChanged } from '../../client/topics.ts';

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

export const emptyCounts = (): DetectionCounts => ({ entitiesEvaluated: 0, created: 0, escalated: 0, updated: 0, resolved: 0, alertsRaised: 0, suppressed: 0 });

/** Serializes detection cycles across processes (and keeps alert seq commit-ordered for replay). */
const DETECT_LOCK = 7_340_021;

export interface Measured {
  entityId: string;
  /** kg CO2e in the window (data-core's figure). */
  predicted: number;
  /** Events the window's kg is the sum of. */
  events: number;
  baseline: number;
  /** Robust standard deviation of the window's baseline, kg CO2e. */
  spread: number;
  percent: number;
  level: Level | null;
  /** Enough evidence to raise or escalate: ≥ minEvents events and an excess beyond the noise bar (alone or sustained). */
  significant: boolean;
}

type Change = 'created' | 'escalated' | 'updated' | 'resolved';

const LABEL: Record<string, string> = { supplier: 'Supplier', event_type: 'Event type', route: 'Route' };

export function alertMessage(entityType: string, name: string, percent: number, escalatedFrom?: string): string {
  const who = entityType === 'supplier' ? name : `${LABEL[entityType] ?? entityType} ${name}`;
  const base = `${who} exceeded emissions by ${Math.round(percent)}%`;
  return escalatedFrom ? `${base} (escalated from ${escalatedFrom.toUpperCase()})` : base;
}

/** kg and events per entity in [start, end) from ONE data-core emissionsSeries call. */
async function sums(services: PluginServices<OrchestrationConfig>, entityType: string, start: Date, end: Date): Promise<Map<string, { kg: number; events: number }>> {
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
  const baselines = await lookupBaselines(services.db, entityType, ids, [...hours, ...spanHours].map((h) => h.how));
  // Thresholds and evidence settings set through updateHotspotSettings win over the environment; read every cycle.
  const settings = await effectiveThresholds(services.db, services.config.HOTSPOT_THRESHOLDS);
  const t = thresholdsFor(settings, entityType);
  const evidence = evidenceFor(settings, entityType, { minEvents: services.config.HOTSPOT_MIN_EVENTS, noiseSigmas: services.config.HOTSPOT_NOISE_SIGMAS });
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
    out.push({ entityId, predicted: p.kg, events: p.events, baseline: b.value, spread: b.spread, percent, level, significant });
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
const episode = (h: Active): EpisodeHotspot => ({ id: h.id, status: h.status, severity: h.severity, windowStart: new Date(h.window_start), windowEnd: new Date(h.window_end) });

async function apply(
  tx: SqlQueryable,
  entityType: string,
  measured: Measured[],
  names: Map<string, string>,
  start: Date,
  end: Date,
  counts: DetectionCounts,
  pub: Published,
): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock($1)`, [DETECT_LOCK]);
  const ids = measured.map((m) => m.entityId);
  // Hotspots whose span strictly contains this window's end: the window is already covered by them.
  const covering = await tx.query<Active>(
    `SELECT ${ACTIVE_COLUMNS} FROM hotspots WHERE entity_type = $1 AND entity_id = ANY($2::text[]) AND window_start < $3 AND window_end > $3`,
    [entityType, ids, end],
  );
  // Per entity, the hotspot ending latest at or before this window's end: the one this window may continue.
  const previous = await tx.query<Active>(
    `SELECT DISTINCT ON (entity_id) ${ACTIVE_COLUMNS} FROM hotspots
     WHERE entity_type = $1 AND entity_id = ANY($2::text[]) AND window_end <= $3
     ORDER BY entity_id, window_end DESC, detected_at DESC`,
    [entityType, ids, end],
  );
  const coveringOf = new Map(covering.map((h) => [h.entity_id, h]));
  const previousOf = new Map(previous.map((h) => [h.entity_id, h]));
  const creates: (Measured & { name: string })[] = [];
  const changes: { h: Active; m: Measured; change: 'escalated' | 'updated' }[] = [];
  const resolves: { h: Active; m: Measured }[] = [];
  for (const m of measured) {
    const prev = previousOf.get(m.entityId);
    const cover = coveringOf.get(m.entityId);
    const d = decide(m, cover && episode(cover), prev && episode(prev));
    if (m.level && !m.significant && (d.kind === 'none' || d.kind === 'update')) counts.suppressed++;
    if (d.kind === 'create') creates.push({ ...m, name: names.get(m.entityId) ?? m.entityId });
    else if (d.kind === 'resolve') resolves.push({ h: prev!, m });
    else if (d.kind === 'escalate' || d.kind === 'update') changes.push({ h: prev!, m, change: d.kind === 'escalate' ? 'escalated' : 'updated' });
  }
  counts.entitiesEvaluated += measured.length;
  const alerts: { hotspotId: string; supplierId: string | null; level: string; reason: string; percent: number; message: string }[] = [];
  const supplierOf = (id: string) => (entityType === 'supplier' ? id : null);

  if (creates.length) {
    const rows = await tx.query<{ id: string; entity_id: string }>(
      `INSERT INTO hotspots (id, entity_type, entity_id, entity_name, supplier_id, metric_value, baseline, percent_above, severity, status,
                             window_start, window_end, event_count, baseline_spread, detected_at, updated_at)
       SELECT gen_random_uuid(), $1, c.entity_id, c.name, c.supplier_id::uuid, c.predicted, c.baseline, c.percent, c.level, 'open', $2, $3,
              c.events, c.spread, now(), now()
       FROM unnest($4::text[], $5::text[], $6::text[], $7::float8[], $8::float8[], $9::float8[], $10::text[], $11::int[], $12::float8[])
         AS c(entity_id, name, supplier_id, predicted, baseline, percent, level, events, spread)
       RETURNING id::text AS id, entity_id`,
      [
        entityType,
        start,
        end,
        creates.map((c) => c.entityId),
        creates.map((c) => c.name),
        creates.map((c) => supplierOf(c.entityId)),
        creates.map((c) => c.predicted),
        creates.map((c) => c.baseline),
        creates.map((c) => c.percent),
        creates.map((c) => c.level),
        creates.map((c) => c.events),
        creates.map((c) => c.spread),
      ],
    );
    const idOf = new Map(rows.map((r) => [r.entity_id, r.id]));
    for (const c of creates) {
      const id = idOf.get(c.entityId)!;
      counts.created++;
      pub.hotspots.push({ id, change: 'created', severity: c.level!, supplierId: supplierOf(c.entityId), entityType, entityId: c.entityId });
      alerts.push({ hotspotId: id, supplierId: supplierOf(c.entityId), level: c.level!, reason: 'created', percent: c.percent, message: alertMessage(entityType, c.name, c.percent) });
    }
  }

  if (changes.length) {
    // Severity keeps the peak level while active; an escalation re-opens an acknowledged hotspot.
    await tx.query(
      `UPDATE hotspots h SET metric_value = u.predicted, baseline = u.baseline, percent_above = u.percent, window_end = $1, updated_at = now(),
              severity = CASE WHEN u.escalate THEN u.level ELSE h.severity END,
              status = CASE WHEN u.escalate THEN 'open' ELSE h.status END,
              entity_name = COALESCE(u.name, h.entity_name), event_count = u.events, baseline_spread = u.spread
       FROM unnest($2::uuid[], $3::float8[], $4::float8[], $5::float8[], $6::text[], $7::bool[], $8::text[], $9::int[], $10::float8[])
         AS u(id, predicted, baseline, percent, level, escalate, name, events, spread)
       WHERE h.id = u.id`,
      [
        end,
        changes.map((c) => c.h.id),
        changes.map((c) => c.m.predicted),
        changes.map((c) => c.m.baseline),
        changes.map((c) => c.m.percent),
        changes.map((c) => c.m.level),
        changes.map((c) => c.change === 'escalated'),
        changes.map((c) => names.get(c.m.entityId) ?? null),
        changes.map((c) => c.m.events),
        changes.map((c) => c.m.spread),
      ],
    );
    for (const c of changes) {
      const severity = c.change === 'escalated' ? c.m.level! : c.h.severity;
      counts[c.change]++;
      pub.hotspots.push({ id: c.h.id, change: c.change, severity, supplierId: c.h.supplier_id, entityType, entityId: c.m.entityId });
      if (c.change === 'escalated') {
        const name = names.get(c.m.entityId) ?? c.h.entity_name ?? c.m.entityId;
        alerts.push({
          hotspotId: c.h.id,
          supplierId: c.h.supplier_id,
          level: c.m.level!,
          reason: 'escalated',
          percent: c.m.percent,
          message: alertMessage(entityType, name, c.m.percent, c.h.severity),
        });
      }
    }
  }

  if (resolves.length) {
    await tx.query(
      `UPDATE hotspots h SET status = 'resolved', resolved_at = now(), updated_at = now(), metric_value = u.predicted, baseline = u.baseline,
              percent_above = u.percent, window_end = $1, event_count = u.events, baseline_spread = u.spread
       FROM unnest($2::uuid[], $3::float8[], $4::float8[], $5::float8[], $6::int[], $7::float8[]) AS u(id, predicted, baseline, percent, events, spread)
       WHERE h.id = u.id`,
      [
        end,
        resolves.map((r) => r.h.id),
        resolves.map((r) => r.m.predicted),
        resolves.map((r) => r.m.baseline),
        resolves.map((r) => r.m.percent),
        resolves.map((r) => r.m.events),
        resolves.map((r) => r.m.spread),
      ],
    );
    for (const r of resolves) {
      counts.resolved++;
      pub.hotspots.push({ id: r.h.id, change: 'resolved', severity: r.h.severity, supplierId: r.h.supplier_id, entityType, entityId: r.m.entityId });
    }
  }

  if (alerts.length) {
    const rows = await tx.query<{ id: string; seq: string | bigint; hotspot_id: string; level: string; supplier_id: string | null }>(
      `INSERT INTO alerts (id, hotspot_id, supplier_id, level, reason, percent_above, message, created_at)
       SELECT gen_random_uuid(), a.hotspot_id, a.supplier_id::uuid, a.level, a.reason, a.percent, a.message, now()
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
      ],
    );
    rows.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
    for (const r of rows) pub.alerts.push({ id: r.id, seq: String(r.seq), hotspotId: r.hotspot_id, level: r.level, supplierId: r.supplier_id });
    counts.alertsRaised += rows.length;
  }
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
  for (const entityType of services.config.HOTSPOT_ENTITY_TYPES) measuredByType.set(entityType, await measure(services, entityType, start, end));
  // Supplier names once per cycle, only for suppliers that may raise an alert.
  const candidates = (measuredByType.get('supplier') ?? []).filter((m) => m.level).map((m) => m.entityId);
  const names = await supplierNames(services, candidates);
  const pub: Published = { hotspots: [], alerts: [] };
  await services.db.transaction(async (tx) => {
    for (const [entityType, measured] of measuredByType) await apply(tx, entityType, measured, entityType === 'supplier' ? names : new Map(), start, end, counts, pub);
    await tx.query(
      `INSERT INTO detection_runs (id, source, window_start, window_end, entities_evaluated, created, escalated, updated, resolved, alerts_raised, suppressed, duration_ms)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [source, start, end, counts.entitiesEvaluated, counts.created, counts.escalated, counts.updated, counts.resolved, counts.alertsRaised, counts.suppressed, performance.now() - started],
    );
    // Transactional outbox: the events commit with the rows; the relay publishes them (and retries during a bus outage).
    for (const h of pub.hotspots) await services.outbox.enqueue(tx, hotspotChanged, h);
    for (const a of pub.alerts) await services.outbox.enqueue(tx, alertRaised, a);
  });
  services.outbox.kick();
  const m = services.metrics;
  m.histogram('hotspot_detection_seconds', 'Hotspot detection cycle duration', ['source']).observe({ source }, (performance.now() - started) / 1000);
  const changes = m.counter('hotspot_changes_total', 'Hotspot state changes', ['change']);
  for (const k of ['created', 'escalated', 'updated', 'resolved'] as const) if (counts[k]) changes.inc({ change: k }, counts[k]);
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
