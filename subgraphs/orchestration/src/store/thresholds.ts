// Hotspot severity thresholds and evidence settings set through the API (table hotspot_thresholds). A stored row wins
// over the HOTSPOT_THRESHOLDS environment setting for its entity type (an evidence field left null falls back to the
// environment); detection reads them at the start of every cycle, so a change applies from the next cycle on, in
// every process.
import { z } from 'zod';
import { badInput } from '@carbon-nexus/plugin-sdk';
import type { SqlQueryable } from '@carbon-nexus/db';
import {
  DEFAULT_THRESHOLDS,
  evidenceFor,
  MIN_EVENTS_RANGE,
  NOISE_SIGMAS_RANGE,
  type Evidence,
  type ThresholdMap,
  type Thresholds,
} from '../domain/severity.ts';

export const THRESHOLD_ENTITY_TYPES = ['default', 'supplier', 'event_type', 'route'] as const;
export type ThresholdEntityType = (typeof THRESHOLD_ENTITY_TYPES)[number];

export interface ThresholdRow {
  entity_type: ThresholdEntityType;
  info: number;
  warn: number;
  critical: number;
  min_events: number | null;
  noise_sigmas: number | null;
  updated_by: string | null;
  updated_at: Date | string;
}

export async function storedThresholds(db: SqlQueryable): Promise<ThresholdRow[]> {
  return db.query<ThresholdRow>(
    `SELECT entity_type, info, warn, critical, min_events, noise_sigmas, updated_by, updated_at FROM hotspot_thresholds ORDER BY entity_type`,
  );
}

const orUndefined = (v: number | null | undefined) => (v == null ? undefined : Number(v));

/** Environment/default thresholds overlaid with stored rows (a null evidence field keeps the environment's). */
export function overlay(fromEnv: ThresholdMap, rows: ThresholdRow[]): ThresholdMap {
  const out: ThresholdMap = { ...fromEnv };
  for (const r of rows) {
    const env = fromEnv[r.entity_type];
    out[r.entity_type] = {
      info: Number(r.info),
      warn: Number(r.warn),
      critical: Number(r.critical),
      minEvents: orUndefined(r.min_events) ?? env?.minEvents,
      noiseSigmas: orUndefined(r.noise_sigmas) ?? env?.noiseSigmas,
    };
  }
  return out;
}

/** What the next detection cycle uses. */
export async function effectiveThresholds(db: SqlQueryable, fromEnv: ThresholdMap): Promise<ThresholdMap> {
  return overlay(fromEnv, await storedThresholds(db));
}

export type ThresholdSource = 'SETTINGS' | 'ENVIRONMENT' | 'DEFAULT';

/**
 * One entry per entity type that has its own values (always `default`), with where the thresholds come from and the
 * evidence settings in effect for that type (own value, else the default entry's, else the environment's).
 */
export function describeThresholds(fromEnv: ThresholdMap, rows: ThresholdRow[], envEvidence: Evidence) {
  const stored = new Map(rows.map((r) => [r.entity_type, r]));
  const types = THRESHOLD_ENTITY_TYPES.filter((t) => t === 'default' || stored.has(t) || fromEnv[t]);
  const effective = overlay(fromEnv, rows);
  return types.map((entityType) => {
    const evidence = evidenceFor(effective, entityType, envEvidence);
    const r = stored.get(entityType);
    if (r) {
      return {
        entityType,
        info: Number(r.info),
        warn: Number(r.warn),
        critical: Number(r.critical),
        ...evidence,
        source: 'SETTINGS' as ThresholdSource,
        updatedBy: r.updated_by,
        updatedAt: new Date(r.updated_at).toISOString(),
      };
    }
    const e = fromEnv[entityType] ?? DEFAULT_THRESHOLDS;
    const t: Thresholds = { info: e.info, warn: e.warn, critical: e.critical };
    // parseThresholds keeps the DEFAULT_THRESHOLDS object itself when the environment sets no default.
    const fromEnvSetting = entityType === 'default' ? fromEnv.default !== DEFAULT_THRESHOLDS : !!fromEnv[entityType];
    return {
      entityType,
      ...t,
      ...evidence,
      source: (fromEnvSetting ? 'ENVIRONMENT' : 'DEFAULT') as ThresholdSource,
      updatedBy: null,
      updatedAt: null,
    };
  });
}

const pct = (name: string) =>
  z
    .number({ message: `${name}: must be a number` })
    .refine((v) => Number.isFinite(v) && v >= 0 && v <= 10_000, `must be between 0 and 10000 (percent above baseline)`);
const minEvents = z
  .number({ message: 'must be an integer' })
  .int('must be an integer')
  .min(
    MIN_EVENTS_RANGE[0],
    `must be between ${MIN_EVENTS_RANGE[0]} and ${MIN_EVENTS_RANGE[1]} (events per detection window)`,
  )
  .max(
    MIN_EVENTS_RANGE[1],
    `must be between ${MIN_EVENTS_RANGE[0]} and ${MIN_EVENTS_RANGE[1]} (events per detection window)`,
  );
const noiseSigmas = z
  .number({ message: 'must be a number' })
  .refine(
    (v) => Number.isFinite(v) && v >= NOISE_SIGMAS_RANGE[0] && v <= NOISE_SIGMAS_RANGE[1],
    `must be between ${NOISE_SIGMAS_RANGE[0]} and ${NOISE_SIGMAS_RANGE[1]} (robust standard deviations)`,
  );
const thresholdInput = z
  .object({
    entityType: z.enum(THRESHOLD_ENTITY_TYPES, { message: `must be one of ${THRESHOLD_ENTITY_TYPES.join(', ')}` }),
    info: pct('info'),
    warn: pct('warn'),
    critical: pct('critical'),
    // Omitted: the stored value stays; null: back to the environment's.
    minEvents: minEvents.nullable().optional(),
    noiseSigmas: noiseSigmas.nullable().optional(),
  })
  .superRefine((t, ctx) => {
    if (!(t.info < t.warn))
      ctx.addIssue({ code: 'custom', path: ['warn'], message: `must be greater than info (${t.info})` });
    else if (!(t.warn < t.critical))
      ctx.addIssue({ code: 'custom', path: ['critical'], message: `must be greater than warn (${t.warn})` });
  });
const settingsInput = z.object({
  thresholds: z.array(thresholdInput).max(THRESHOLD_ENTITY_TYPES.length),
  reset: z
    .array(z.enum(THRESHOLD_ENTITY_TYPES, { message: `must be one of ${THRESHOLD_ENTITY_TYPES.join(', ')}` }))
    .optional(),
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
  if (!r.data.thresholds.length && !r.data.reset?.length)
    throw badInput('input.thresholds', 'give at least one threshold set (or an entity type to reset)');
  return r.data;
}

export async function writeThresholds(tx: SqlQueryable, input: SettingsInput, sub: string): Promise<void> {
  for (const t of input.thresholds) {
    // $6/$8: whether minEvents / noiseSigmas were given (an omitted one keeps the stored value).
    await tx.query(
      `INSERT INTO hotspot_thresholds (entity_type, info, warn, critical, min_events, noise_sigmas, updated_by, updated_at)
       VALUES ($1, $2, $3, $4, $5, $7, $9, now())
       ON CONFLICT (entity_type) DO UPDATE SET info = EXCLUDED.info, warn = EXCLUDED.warn, critical = EXCLUDED.critical,
         min_events = CASE WHEN $6::bool THEN EXCLUDED.min_events ELSE hotspot_thresholds.min_events END,
         noise_sigmas = CASE WHEN $8::bool THEN EXCLUDED.noise_sigmas ELSE hotspot_thresholds.noise_sigmas END,
         updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [
        t.entityType,
        t.info,
        t.warn,
        t.critical,
        t.minEvents ?? null,
        t.minEvents !== undefined,
        t.noiseSigmas ?? null,
        t.noiseSigmas !== undefined,
        sub,
      ],
    );
  }
  if (input.reset?.length)
    await tx.query(`DELETE FROM hotspot_thresholds WHERE entity_type = ANY($1::text[])`, [input.reset]);
}
