// Emission goals: validation, storage and what a goal means in kg. A goal covers ALL emissions, a supplier
// CATEGORY or one SUPPLIER, per DAY, MONTH (30 days) or YEAR (365 days), as an absolute kg CO2e target or a percent
// reduction below the baseline. The baseline for a period is the covered suppliers' flat baselines (kg CO2e per
// hour, manual override first) × the hours in the period — the same baselines the hotspot engine measures against.
import { z } from 'zod';
import { badInput, canSeeSupplier, forbidden, isUuid, notFound, type AuthClaims } from '@carbon-nexus/plugin-sdk';
import type { SqlQueryable } from '@carbon-nexus/db';

export const SCOPES = ['ALL', 'CATEGORY', 'SUPPLIER'] as const;
export const PERIODS = ['DAY', 'MONTH', 'YEAR'] as const;
export const CATEGORIES = ['TRANSPORT', 'FACTORY', 'WAREHOUSE', 'DELIVERY'] as const;
/** Hours per period: a month is 30 days, a year 365 (stated so targets convert to kg per hour predictably). */
export const HOURS: Record<(typeof PERIODS)[number], number> = { DAY: 24, MONTH: 720, YEAR: 8760 };

export interface GoalRow {
  id: string;
  name: string;
  scope: (typeof SCOPES)[number];
  scope_key: string;
  period: (typeof PERIODS)[number];
  target_kg: number | null;
  reduction_pct: number | null;
  created_by: string | null;
  updated_by: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const inputSchema = z
  .object({
    name: z.string().trim().max(120, 'must be at most 120 characters').optional(),
    scope: z.enum(SCOPES),
    scopeId: z.string().trim().optional(),
    period: z.enum(PERIODS),
    targetKg: z
      .number()
      .refine(Number.isFinite, 'must be a number')
      .refine((v) => v > 0, 'must be greater than 0 kg CO2e')
      .optional(),
    reductionPct: z
      .number()
      .refine((v) => v > 0 && v <= 100, 'must be a percentage in (0, 100]')
      .optional(),
  })
  .superRefine((g, ctx) => {
    if ((g.targetKg === undefined) === (g.reductionPct === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [g.targetKg === undefined ? 'targetKg' : 'reductionPct'],
        message: 'give exactly one of targetKg (kg CO2e per period) and reductionPct (percent below baseline)',
      });
    if (g.scope === 'ALL' && g.scopeId)
      ctx.addIssue({ code: 'custom', path: ['scopeId'], message: 'must be omitted for scope ALL' });
    if (g.scope === 'CATEGORY' && !CATEGORIES.includes(g.scopeId as never))
      ctx.addIssue({
        code: 'custom',
        path: ['scopeId'],
        message: `must be a supplier category for scope CATEGORY (${CATEGORIES.join(', ')})`,
      });
    if (g.scope === 'SUPPLIER' && !isUuid(g.scopeId ?? ''))
      ctx.addIssue({ code: 'custom', path: ['scopeId'], message: 'must be a supplier id (uuid) for scope SUPPLIER' });
  });

export type GoalInput = z.infer<typeof inputSchema>;

/** Validates setGoal's input; errors name the field (input.targetKg, input.scopeId, …). */
export function parseGoalInput(raw: Record<string, unknown>, auth: AuthClaims): GoalInput {
  const clean = Object.fromEntries(Object.entries(raw).filter(([, v]) => v != null));
  const r = inputSchema.safeParse(clean);
  if (!r.success) {
    const i = r.error.issues[0];
    throw badInput(`input.${i.path.join('.') || 'scope'}`, i.message);
  }
  const g = r.data;
  // Supplier-scoped callers set goals only for their own suppliers.
  if (auth.supplierIds && (g.scope !== 'SUPPLIER' || !canSeeSupplier(auth, g.scopeId))) {
    throw forbidden('supplier-scoped tokens may only set goals of scope SUPPLIER for their own suppliers');
  }
  return g;
}

export const defaultName = (g: { scope: string; scopeId?: string | null; period: string }, supplierName?: string) =>
  g.scope === 'ALL'
    ? `All emissions per ${g.period.toLowerCase()}`
    : g.scope === 'CATEGORY'
      ? `${g.scopeId!.charAt(0)}${g.scopeId!.slice(1).toLowerCase()} per ${g.period.toLowerCase()}`
      : `${supplierName ?? 'Supplier'} per ${g.period.toLowerCase()}`;

/** Goals the caller may see: supplier-scoped callers only their suppliers' SUPPLIER goals. */
export async function listGoals(db: SqlQueryable, auth: AuthClaims, scope?: string | null): Promise<GoalRow[]> {
  return db.query<GoalRow>(
    `SELECT id::text AS id, name, scope, scope_key, period, target_kg, reduction_pct, created_by, updated_by, created_at, updated_at
     FROM goals
     WHERE ($1::text IS NULL OR scope = $1) AND ($2::text[] IS NULL OR (scope = 'SUPPLIER' AND scope_key = ANY($2::text[])))
     ORDER BY CASE scope WHEN 'ALL' THEN 0 WHEN 'CATEGORY' THEN 1 ELSE 2 END, scope_key,
              CASE period WHEN 'DAY' THEN 0 WHEN 'MONTH' THEN 1 ELSE 2 END`,
    [scope ?? null, auth.supplierIds],
  );
}

export async function upsertGoal(
  tx: SqlQueryable,
  g: GoalInput,
  name: string,
  sub: string,
): Promise<{ row: GoalRow; before: GoalRow | null }> {
  const key = g.scopeId ?? '';
  const [before] = await tx.query<GoalRow>(
    `SELECT * FROM goals WHERE scope = $1 AND scope_key = $2 AND period = $3 FOR UPDATE`,
    [g.scope, key, g.period],
  );
  const [row] = await tx.query<GoalRow>(
    `INSERT INTO goals (id, name, scope, scope_key, period, target_kg, reduction_pct, created_by, updated_by, updated_at)
     VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $7, now())
     ON CONFLICT (scope, scope_key, period) DO UPDATE SET name = EXCLUDED.name, target_kg = EXCLUDED.target_kg,
       reduction_pct = EXCLUDED.reduction_pct, updated_by = EXCLUDED.updated_by, updated_at = now()
     RETURNING id::text AS id, name, scope, scope_key, period, target_kg, reduction_pct, created_by, updated_by, created_at, updated_at`,
    [name, g.scope, key, g.period, g.targetKg ?? null, g.reductionPct ?? null, sub],
  );
  return { row, before: before ?? null };
}

export async function deleteGoalRow(tx: SqlQueryable, id: string, auth: AuthClaims): Promise<GoalRow> {
  if (!isUuid(id)) throw badInput('id', 'must be a goal id (uuid)');
  const [row] = await tx.query<GoalRow>(`SELECT * FROM goals WHERE id = $1 FOR UPDATE`, [id]);
  if (!row || (auth.supplierIds && (row.scope !== 'SUPPLIER' || !auth.supplierIds.includes(row.scope_key))))
    throw notFound('goal', id);
  await tx.query(`DELETE FROM goals WHERE id = $1`, [id]);
  return row;
}

/** Sum of flat baselines (kg CO2e/h; override first) of the given suppliers (null = all), or null without any. */
export async function flatBaselineKgPerHour(db: SqlQueryable, supplierIds: string[] | null): Promise<number | null> {
  const [r] = await db.query<{ total: number | null; n: number }>(
    `SELECT sum(value)::float8 AS total, count(*)::int AS n FROM (
       SELECT DISTINCT ON (entity_id) entity_id, value FROM baselines
       WHERE entity_type = 'supplier' AND hour_of_week = -1 AND ($1::text[] IS NULL OR entity_id = ANY($1::text[]))
       ORDER BY entity_id, is_override DESC
     ) b`,
    [supplierIds],
  );
  return r && r.n > 0 && r.total != null ? Number(r.total) : null;
}

/** The kg figures of a goal for one period, given the baseline rate of what it covers. */
export function goalFigures(
  row: Pick<GoalRow, 'period' | 'target_kg' | 'reduction_pct'>,
  baselineKgPerHour: number | null,
) {
  const hours = HOURS[row.period];
  const baselineKg = baselineKgPerHour == null ? null : baselineKgPerHour * hours;
  const effectiveTargetKg =
    row.target_kg != null
      ? Number(row.target_kg)
      : baselineKg == null
        ? null
        : baselineKg * (1 - Number(row.reduction_pct) / 100);
  return {
    hoursPerPeriod: hours,
    baselineKg,
    effectiveTargetKg,
    targetKgPerHour: effectiveTargetKg == null ? null : effectiveTargetKg / hours,
    requiredSavingsKg:
      baselineKg == null || effectiveTargetKg == null ? null : Math.max(0, baselineKg - effectiveTargetKg),
  };
}
