// goals / setGoal / deleteGoal. Goal figures (baseline, effective target, kg per hour, required savings) are
// computed on read from the current baselines, so a goal in percent follows its baseline as it is recalculated.
import { requireRole, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import type { SupplierCategory } from '@carbon-nexus/data-core/client';
import { svc } from './common.ts';
import { supplierNames, suppliersOfCategory } from '../datacore.ts';
import {
  defaultName,
  deleteGoalRow,
  flatBaselineKgPerHour,
  goalFigures,
  listGoals,
  parseGoalInput,
  upsertGoal,
  type GoalRow,
} from '../store/goals.ts';

/** The baseline rate (kg CO2e/h) of what a goal covers; one lookup per distinct scope per request. */
function baselineRate(ctx: ResolverContext) {
  const memo = new Map<string, Promise<number | null>>();
  return (row: GoalRow) => {
    const key = `${row.scope}:${row.scope_key}`;
    if (!memo.has(key)) {
      memo.set(
        key,
        (async () => {
          if (row.scope === 'ALL') return flatBaselineKgPerHour(svc(ctx).db, null);
          if (row.scope === 'SUPPLIER') return flatBaselineKgPerHour(svc(ctx).db, [row.scope_key]);
          const ids = await suppliersOfCategory(svc(ctx), row.scope_key as SupplierCategory);
          return ids.length ? flatBaselineKgPerHour(svc(ctx).db, ids) : null;
        })(),
      );
    }
    return memo.get(key)!;
  };
}

async function toGraph(row: GoalRow, rate: (r: GoalRow) => Promise<number | null>) {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    scopeId: row.scope === 'ALL' ? null : row.scope_key,
    supplier: row.scope === 'SUPPLIER' ? { id: row.scope_key } : null,
    period: row.period,
    targetKg: row.target_kg == null ? null : Number(row.target_kg),
    reductionPct: row.reduction_pct == null ? null : Number(row.reduction_pct),
    ...goalFigures(row, await rate(row)),
    createdBy: row.created_by,
    updatedBy: row.updated_by,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

const auditMeta = (r: GoalRow | null) =>
  r && {
    scope: r.scope,
    scopeId: r.scope_key || null,
    period: r.period,
    targetKg: r.target_kg,
    reductionPct: r.reduction_pct,
    name: r.name,
  };

export const goalQueries = {
  async goals(_: unknown, a: { scope?: string | null }, ctx: ResolverContext) {
    const auth = requireRole(ctx.auth, 'viewer', 'analyst', 'approver');
    const rate = baselineRate(ctx);
    return Promise.all((await listGoals(svc(ctx).db, auth, a.scope)).map((r) => toGraph(r, rate)));
  },
};

export const goalMutations = {
  async setGoal(_: unknown, a: { input: Record<string, unknown> }, ctx: ResolverContext) {
    const auth = requireRole(ctx.auth, 'analyst', 'approver');
    const g = parseGoalInput(a.input, auth);
    const name =
      g.name ||
      defaultName(
        g,
        g.scope === 'SUPPLIER' ? (await supplierNames(svc(ctx), [g.scopeId!])).get(g.scopeId!) : undefined,
      );
    const row = await svc(ctx).db.transaction(async (tx) => {
      const { row, before } = await upsertGoal(tx, g, name, auth.sub);
      await svc(ctx).audit(
        {
          action: before ? 'goal.update' : 'goal.create',
          entityType: 'goal',
          entityId: row.id,
          metadata: {
            before: auditMeta(before),
            after: auditMeta(row),
            ...(row.scope === 'SUPPLIER' ? { supplierId: row.scope_key } : {}),
          },
        },
        tx,
      );
      return row;
    });
    return toGraph(row, baselineRate(ctx));
  },
  async deleteGoal(_: unknown, a: { id: string }, ctx: ResolverContext) {
    const auth = requireRole(ctx.auth, 'analyst', 'approver');
    await svc(ctx).db.transaction(async (tx) => {
      const row = await deleteGoalRow(tx, a.id, auth);
      await svc(ctx).audit(
        {
          action: 'goal.delete',
          entityType: 'goal',
          entityId: row.id,
          metadata: { before: auditMeta(row), ...(row.scope === 'SUPPLIER' ? { supplierId: row.scope_key } : {}) },
        },
        tx,
      );
    });
    return true;
  },
};
