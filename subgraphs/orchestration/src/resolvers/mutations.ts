import {
  badInput,
  canSeeSupplier,
  isUuid,
  parseDateTime,
  forbidden,
  notFound,
  requireRole,
  runInScope,
  SYSTEM_CLAIMS,
  type ResolverContext,
} from '@carbon-nexus/plugin-sdk';
import type { MutationResolvers } from '../generated/resolvers-types.ts';
import { svc } from './common.ts';
import {
  ALERT_COLUMNS,
  alertToGraph,
  BASELINE_COLUMNS,
  baselineToGraph,
  type AlertRow,
  type BaselineRow,
} from '../store/rows.ts';
import { detectRange, detectWindow, publish } from '../jobs/detect-hotspots.ts';
import { lockChanges, logHotspotChanges } from '../store/hotspot-changes.ts';
import type { HotspotChanged } from '../../client/topics.ts';
import { recalculateBaselines as recalc } from '../jobs/recalculate-baselines.ts';
import { simulate as runSimulation, type SimulationInput } from '../simulate/scenario.ts';

const ENTITY_TYPES = ['supplier', 'event_type', 'route', 'total'];

async function acknowledgeAlert(_: unknown, args: { id: string }, ctx: ResolverContext) {
  const auth = requireRole(ctx.auth, 'analyst');
  if (!isUuid(args.id)) throw notFound('alert', args.id);
  const db = svc(ctx).db;
  const [current] = await db.query<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = $1`, [args.id]);
  if (!current || !canSeeSupplier(auth, current.supplier_id)) throw notFound('alert', args.id);
  if (current.acknowledged_at) return alertToGraph(current);
  const { row, change } = await db.transaction(async (tx) => {
    // Before any row is changed (detection takes the lock first too): the change's seq commits in order.
    await lockChanges(tx);
    const [row] = await tx.query<AlertRow>(
      `UPDATE alerts SET acknowledged_by = $2, acknowledged_at = now() WHERE id = $1 AND acknowledged_at IS NULL RETURNING ${ALERT_COLUMNS}`,
      [args.id, auth.sub],
    );
    const [hotspot] = await tx.query<{
      id: string;
      severity: string;
      supplier_id: string | null;
      entity_type: string;
      entity_id: string;
    }>(
      `UPDATE hotspots SET status = 'acknowledged', acknowledged_by = $2, acknowledged_at = now(), updated_at = now()
       WHERE id = $1 AND status = 'open' RETURNING id::text AS id, severity, supplier_id::text AS supplier_id, entity_type, entity_id`,
      [current.hotspot_id, auth.sub],
    );
    await svc(ctx).audit(
      {
        action: 'acknowledgeAlert',
        entityType: 'alert',
        entityId: args.id,
        metadata: { hotspotId: current.hotspot_id, level: current.level },
      },
      tx,
    );
    const change: HotspotChanged | null = hotspot
      ? {
          id: hotspot.id,
          change: 'acknowledged',
          severity: hotspot.severity,
          supplierId: hotspot.supplier_id,
          entityType: hotspot.entity_type,
          entityId: hotspot.entity_id,
        }
      : null;
    if (change) await logHotspotChanges(tx, [change]);
    return { row, change };
  });
  if (change) await publish(svc(ctx), { hotspots: [change], alerts: [] });
  return alertToGraph(row ?? current);
}

/** Detection and baselines are platform-wide: they read all suppliers' aggregates whoever triggers them (a scoped
 * caller must not make other suppliers' hotspots look resolved). The audit row still names the caller. */
const asSystem = <T>(fn: () => Promise<T>) => runInScope({ auth: SYSTEM_CLAIMS }, fn);

const toGraphCounts = (c: Record<string, number>) => ({ ...c });

async function detectHotspots(
  _: unknown,
  args: { windowStart?: string | null; windowEnd?: string | null },
  ctx: ResolverContext,
) {
  requireRole(ctx.auth, 'analyst');
  const end = args.windowEnd ? new Date(parseDateTime('windowEnd', args.windowEnd)) : new Date();
  const start = args.windowStart
    ? new Date(parseDateTime('windowStart', args.windowStart))
    : new Date(end.getTime() - svc(ctx).config.HOTSPOT_WINDOW_MINUTES * 60_000);
  if (start >= end) throw badInput('windowStart', 'must be before windowEnd');
  if (end.getTime() - start.getTime() > 7 * 86_400_000)
    throw badInput('windowStart', 'a detection window may span at most 7 days (use detectHotspotsRange)');
  const counts = await asSystem(() => detectWindow(svc(ctx), start, end));
  await svc(ctx).audit({
    action: 'detectHotspots',
    entityType: 'hotspot',
    metadata: { windowStart: start.toISOString(), windowEnd: end.toISOString(), ...counts },
  });
  return { windowStart: start.toISOString(), windowEnd: end.toISOString(), ...toGraphCounts({ ...counts }) };
}

async function detectHotspotsRange(
  _: unknown,
  args: { from: string; to: string; windowMinutes?: number | null },
  ctx: ResolverContext,
) {
  requireRole(ctx.auth, 'analyst');
  const from = new Date(parseDateTime('from', args.from));
  const to = new Date(parseDateTime('to', args.to));
  if (from >= to) throw badInput('to', 'must be after from');
  const minutes = args.windowMinutes ?? svc(ctx).config.HOTSPOT_WINDOW_MINUTES;
  if (!Number.isInteger(minutes) || minutes < 5 || minutes > 10_080)
    throw badInput('windowMinutes', 'must be an integer between 5 and 10080');
  const windows = Math.ceil((to.getTime() - from.getTime()) / (minutes * 60_000));
  if (windows > 2000) throw badInput('to', `the range has ${windows} windows of ${minutes} min; at most 2000 per call`);
  const r = await asSystem(() => detectRange(svc(ctx), from, to, minutes));
  await svc(ctx).audit({
    action: 'detectHotspotsRange',
    entityType: 'hotspot',
    metadata: { from: from.toISOString(), to: to.toISOString(), windowMinutes: minutes, ...r },
  });
  return { from: from.toISOString(), to: to.toISOString(), ...r };
}

async function recalculateBaselines(_: unknown, args: { asOf?: string | null }, ctx: ResolverContext) {
  requireRole(ctx.auth, 'analyst');
  const asOf = args.asOf ? new Date(parseDateTime('asOf', args.asOf)) : new Date();
  if (asOf.getTime() > Date.now() + 60_000) throw badInput('asOf', 'must not be in the future');
  const results = await asSystem(() => recalc(svc(ctx), asOf));
  await svc(ctx).audit({
    action: 'recalculateBaselines',
    entityType: 'baseline',
    metadata: { asOf: args.asOf ?? null, results },
  });
  return results.map((r) => ({ ...r, windowStart: r.windowStart.toISOString(), windowEnd: r.windowEnd.toISOString() }));
}

function checkEntity(ctx: ResolverContext, entityType: string, entityId: string) {
  if (!ENTITY_TYPES.includes(entityType)) throw badInput('entityType', `must be one of ${ENTITY_TYPES.join(', ')}`);
  if (!entityId) throw badInput('entityId', 'is required');
  if (ctx.auth?.supplierIds && (entityType !== 'supplier' || !canSeeSupplier(ctx.auth, entityId)))
    throw forbidden('this baseline belongs outside your supplier scope');
}

async function setBaselineOverride(
  _: unknown,
  args: {
    input: {
      entityType: string;
      entityId: string;
      valueKgPerHour: number;
      hourOfWeek?: number | null;
      reason?: string | null;
    };
  },
  ctx: ResolverContext,
) {
  const auth = requireRole(ctx.auth, 'analyst');
  const i = args.input;
  checkEntity(ctx, i.entityType, i.entityId);
  if (!(Number.isFinite(i.valueKgPerHour) && i.valueKgPerHour > 0))
    throw badInput('input.valueKgPerHour', 'must be a positive number (kg CO2e per hour)');
  if (i.hourOfWeek != null && !(Number.isInteger(i.hourOfWeek) && i.hourOfWeek >= 0 && i.hourOfWeek <= 167))
    throw badInput('input.hourOfWeek', 'must be 0..167 (Monday 00:00 UTC = 0) or omitted for all hours');
  const how = i.hourOfWeek ?? -1;
  const row = await svc(ctx).db.transaction(async (tx) => {
    const [row] = await tx.query<BaselineRow>(
      `INSERT INTO baselines (id, entity_type, entity_id, hour_of_week, value, method, samples, is_override, reason, created_by, updated_at)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, 'override', 0, true, $5, $6, now())
       ON CONFLICT (entity_type, entity_id, hour_of_week, is_override)
       DO UPDATE SET value = EXCLUDED.value, reason = EXCLUDED.reason, created_by = EXCLUDED.created_by, updated_at = now()
       RETURNING ${BASELINE_COLUMNS}`,
      [i.entityType, i.entityId, how, i.valueKgPerHour, i.reason ?? null, auth.sub],
    );
    await svc(ctx).audit(
      {
        action: 'setBaselineOverride',
        entityType: 'baseline',
        entityId: row.id,
        metadata: { ...i, hourOfWeek: i.hourOfWeek ?? null },
      },
      tx,
    );
    return row;
  });
  return baselineToGraph(row);
}

async function clearBaselineOverride(
  _: unknown,
  args: { entityType: string; entityId: string; hourOfWeek?: number | null },
  ctx: ResolverContext,
) {
  requireRole(ctx.auth, 'analyst');
  checkEntity(ctx, args.entityType, args.entityId);
  return svc(ctx).db.transaction(async (tx) => {
    const rows = await tx.query<{ id: string }>(
      `DELETE FROM baselines WHERE entity_type = $1 AND entity_id = $2 AND hour_of_week = $3 AND is_override RETURNING id::text AS id`,
      [args.entityType, args.entityId, args.hourOfWeek ?? -1],
    );
    if (rows.length) {
      await svc(ctx).audit(
        { action: 'clearBaselineOverride', entityType: 'baseline', entityId: rows[0].id, metadata: { ...args } },
        tx,
      );
    }
    return rows.length > 0;
  });
}

async function simulate(_: unknown, args: { input: SimulationInput }, ctx: ResolverContext) {
  const auth = requireRole(ctx.auth, 'viewer', 'analyst', 'approver', 'partner');
  const input = args.input;
  if (input.supplierId) {
    if (!isUuid(input.supplierId)) throw badInput('input.supplierId', 'must be a supplier id (uuid)');
    if (!canSeeSupplier(auth, input.supplierId)) throw forbidden('this supplier is outside your supplier scope');
  } else if (auth.supplierIds && !input.hotspotId) throw badInput('input.supplierId', 'is required');
  const outcome = await runSimulation(svc(ctx), input, new Date(), (s) => canSeeSupplier(auth, s));
  const id = await svc(ctx).db.transaction(async (tx) => {
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO scenarios (id, user_id, supplier_id, input, result, baseline_value, new_value)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6) RETURNING id::text AS id`,
      [
        auth.sub,
        input.supplierId ?? null,
        JSON.stringify(input),
        JSON.stringify(outcome),
        outcome.baselineValue,
        outcome.newValue,
      ],
    );
    await svc(ctx).audit(
      {
        action: 'simulate',
        entityType: 'scenario',
        entityId: row.id,
        metadata: { input, newValue: outcome.newValue, baselineValue: outcome.baselineValue, delta: outcome.delta },
      },
      tx,
    );
    return row.id;
  });
  return { id, ...outcome, supplier: outcome.supplierId ? { id: outcome.supplierId } : null };
}

export const mutations: MutationResolvers = {
  acknowledgeAlert,
  detectHotspots,
  detectHotspotsRange,
  recalculateBaselines,
  setBaselineOverride,
  clearBaselineOverride,
  simulate,
};
