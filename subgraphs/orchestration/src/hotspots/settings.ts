// Hotspot severity thresholds set through the API (table hotspot_thresholds). A stored row wins over the
// HOTSPOT_THRESHOLDS environment setting for its entity type; detection reads them at the start of every cycle,
// so a change applies from the next cycle on, in every process.
import { z } from 'zod';
import { badInput } from '@carbon-nexus/plugin-sdk';
import type { SqlQueryable } from '@carbon-nexus/db';
import { DEFAULT_THRESHOLDS, type ThresholdMap, type Thresholds } from '../domain/severity.ts';

export const THRESHOLD_ENTITY_TYPES = ['default', 'supplier', 'event_type', 'route'] as const;
export type ThresholdEntityType = (typeof THRESHOLD_ENTITY_TYPES)[number];

export interface ThresholdRow {
  entity_type: ThresholdEntityType;
  info: number;
  warn: number;
  critical: number;
  updated_by: string | null;
  updated_at: Date | string;
}

export async function storedThresholds(db: SqlQueryable): Promise<ThresholdRow[]> {
  return db.query<ThresholdRow>(`SELECT entity_type, info, warn, critical, updated_by, updated_at FROM hotspot_thresholds ORDER BY entity_type`);
}

/** Environment/default thresholds overlaid with the stored ones: what the next detection cycle uses. */
export async function effectiveThresholds(db: SqlQueryable, fromEnv: ThresholdMap): Promise<ThresholdMap> {
  const out: ThresholdMap = { ...fromEnv };
  for (const r of await storedThresholds(db)) out[r.entity_type] = { info: Number(r.info), warn: Number(r.warn), critical: Number(r.critical) };
  return out;
}

export type ThresholdSource = 'SETTINGS' | 'ENVIRONMENT' | 'DEFAULT';

/** One entry per entity type that has its own values (always `default`), with where the values come from. */
export function describeThresholds(fromEnv: ThresholdMap, rows: ThresholdRow[]) {
  const stored = new Map(rows.map((r) => [r.entity_type, r]));
  const types = THRESHOLD_ENTITY_TYPES.filter((t) => t === 'default' || stored.has(t) || fromEnv[t]);
  return types.map((entityType) => {
    const r = stored.get(entityType);
    if (r) return { entityType, info: Number(r.info), warn: Number(r.warn), critical: Number(r.critical), source: 'SETTINGS' as ThresholdSource, updatedBy: r.updated_by, updatedAt: new Date(r.updated_at).toISOString() };
    const t: Thresholds = fromEnv[entityType] ?? DEFAULT_THRESHOLDS;
    // parseThresholds keeps the DEFAULT_THRESHOLDS object itself when the environment sets no default.
    const fromEnvSetting = entityType === 'default' ? fromEnv.default !== DEFAULT_THRESHOLDS : !!fromEnv[entityType];
    return { entityType, ...t, source: (fromEnvSetting ? 'ENVIRONMENT' : 'DEFAULT') as ThresholdSource, updatedBy: null, updatedAt: null };
  });
}

const pct = (name: string) => z.number({ message: `${name}: must be a number` }).refine((v) => Number.isFinite(v) && v >= 0 && v <= 10_000, `must be between 0 and 10000 (percent above baseline)`);
const thresholdInput = z
  .object({ entityType: z.enum(THRESHOLD_ENTITY_TYPES, { message: `must be one of ${THRESHOLD_ENTITY_TYPES.join(', ')}` }), info: pct('info'), warn: pct('warn'), critical: pct('critical') })
  .superRefine((t, ctx) => {
    if (!(t.info < t.warn)) ctx.addIssue({ code: 'custom', path: ['warn'], message: `must be greater than info (${t.info})` });
    else if (!(t.warn < t.critical)) ctx.addIssue({ code: 'custom', path: ['critical'], message: `must be greater than warn (${t.warn})` });
  });
const settingsInput = z.object({
  thresholds: z.array(thresholdInput).max(THRESHOLD_ENTITY_TYPES.length),
  reset: z.array(z.enum(THRESHOLD_ENTITY_TYPES, { message: `must be one of ${THRESHOLD_ENTITY_TYPES.join(', ')}` })).optional(),
});
export type SettingsInput = z.infer<typeof settingsInput>;

/** Validates updateHotspotSettings' input; errors name the field, e.g. input.thresholds.0.critical. */
export function parseSettingsInput(raw: unknown): SettingsInput {
  const r = settingsInput.safeParse(raw ?? {});
  if (!r.success) {
    const i = r.error.issues[0];
    throw badInput(`input.${i.path.join('.')}`, i.message.replace(/^\w+: /, ''));
  }
  const seen = new Set<string>();
  r.data.thresholds.forEach((t, i) => {
    if (seen.has(t.entityType)) throw badInput(`input.thresholds.${i}.entityType`, `${t.entityType} is given twice`);
    seen.add(t.entityType);
  });
  const both = (r.data.reset ?? []).find((t) => seen.has(t));
  if (both) throw badInput('input.reset', `${both} is both set and reset`);
  if (!r.data.thresholds.length && !r.data.reset?.length) throw badInput('input.thresholds', 'give at least one threshold set (or an entity type to reset)');
  return r.data;
}

export async function writeThresholds(tx: SqlQueryable, input: SettingsInput, sub: string): Promise<void> {
  for (const t of input.thresholds) {
    await tx.query(
      `INSERT INTO hotspot_thresholds (entity_type, info, warn, critical, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (entity_type) DO UPDATE SET info = EXCLUDED.info, warn = EXCLUDED.warn, critical = EXCLUDED.critical,
         updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [t.entityType, t.info, t.warn, t.critical, sub],
    );
  }
  if (input.reset?.length) await tx.query(`DELETE FROM hotspot_thresholds WHERE entity_type = ANY($1::text[])`, [input.reset]);
}
